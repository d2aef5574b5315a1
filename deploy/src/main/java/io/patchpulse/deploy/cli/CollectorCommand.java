package io.patchpulse.deploy.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.deploy.metrics.MetricsEndpoint;
import io.patchpulse.deploy.metrics.ServiceMeters;
import java.util.Optional;

import io.patchpulse.collector.CollectorService;
import io.patchpulse.collector.CollectorSettings;
import io.patchpulse.collector.parse.InputFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchpulse collector}: the ingest API (and file watchers) against an existing cluster, until Ctrl-C. */
@Command(name = "collector", mixinStandardHelpOptions = true,
        description = {"Runs the collector: the ingest HTTP API, optional file watchers, the spool and its drainer.",
            "Accepted records are synced to the spool before the answer; Kafka outages only delay them.",
            "Settings: bootstrap.servers, collector.data.dir, collector.http.host / .port, collector.tokens",
            "(name:sha256hex[:scopes], see `patchpulse token`; POSTs need write, /v1/status and /metrics read),",
            "collector.tokens.file, collector.tls.keystore and collector.tls.keystore.password (env:NAME or",
            "file:PATH) for HTTPS, collector.rate.limit.per.minute,",
            "collector.http.max.request.bytes, collector.http.max.concurrent, collector.max.record.bytes,",
            "collector.device.ids (hmac|raw), collector.device.id.key.file, collector.dlq.payload (raw|omit),",
            "collector.spool.max.records, collector.kafka.inputs (e.g. winlogbeat:patchpulse.winlogbeat),",
            "topic.prefix; producer.* keys reach the Kafka producer, consumer.* the Kafka inputs' consumer."})
public final class CollectorCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ServiceOptions options;

    @Mixin
    private MetricsOptions metricsOptions;

    @ArgGroup(exclusive = false, multiplicity = "0..*")
    private List<WatchOption> watches = new ArrayList<>();

    /** One {@code --watch DIR --format F} pair. */
    static final class WatchOption {
        @Option(names = "--watch", required = true, paramLabel = "DIR",
                description = "Tail the files in DIR (resumes after a restart). Repeatable, each with --format.")
        Path directory;

        @Option(names = "--format", required = true, paramLabel = "FORMAT",
                description = "Format of the watched files: osquery, winlogbeat, eventlog-xml, wufb, device-report, "
                        + "events.")
        String format;
    }

    @Override
    public Integer call() throws Exception {
        CollectorSettings settings = new CollectorSettings(options.resolveWithBrokers());
        List<CollectorService.Watch> watchList = new ArrayList<>();
        for (WatchOption watch : watches) {
            watchList.add(new CollectorService.Watch(watch.directory, InputFormat.of(watch.format)));
        }
        PrometheusMeterRegistry meters = ServiceMeters.create("collector");
        Optional<MetricsEndpoint> metrics = Services.serveMetrics(spec, metricsOptions, 9401, meters,
                settings.tokens(), settings.tls());
        try (CollectorService collector = CollectorService.start(settings, watchList, meters)) {
            spec.commandLine().getOut().println("ingest API on " + collector.ingestUrl() + " (spool "
                    + collector.spool().directory() + ")");
            return Services.serve(spec, "collector", collector, () -> null);
        } finally {
            metrics.ifPresent(MetricsEndpoint::close);
        }
    }
}
