package io.patchpulse.deploy.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.deploy.metrics.MetricsEndpoint;
import io.patchpulse.deploy.metrics.ServiceMeters;
import io.patchpulse.sink.SinkConfig;
import io.patchpulse.sink.SinkService;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code patchpulse sink}: the store writer alone, against an existing cluster and QuestDB, until Ctrl-C. */
@Command(name = "sink", mixinStandardHelpOptions = true,
        description = {"Runs the sink: failure-trends from Kafka into QuestDB.",
            "Upserts, so re-delivery is harmless.",
            "Settings: bootstrap.servers, questdb.sender.config (e.g. http::addr=db:9000;),",
            "questdb.http.url (e.g. http://db:9000), topic.prefix, group.id; consumer.* keys reach the consumer.",
            "The dashboard and /metrics need a token of scope read: http.tokens / http.tokens.file",
            "(name:sha256hex:read, see `patchpulse token --scopes read`); HTTPS with http.tls.keystore and",
            "http.tls.keystore.password (env:NAME or file:PATH)."})
public final class SinkCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ServiceOptions options;

    @Mixin
    private MetricsOptions metricsOptions;

    @picocli.CommandLine.Option(names = "--dashboard-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9404",
            description = "Where the built-in dashboard (a page and a JSON API over QuestDB) listens; 'off' serves "
                    + "none (default: ${DEFAULT-VALUE}).")
    private String dashboardListen;

    @Override
    public Integer call() throws Exception {
        PrometheusMeterRegistry meters = ServiceMeters.create("sink");
        SinkConfig config = new SinkConfig(options.resolve());
        Optional<MetricsEndpoint> metrics = Services.serveMetrics(spec, metricsOptions, 9403, meters,
                config.httpTokens(), config.httpTls());
        io.patchpulse.sink.dashboard.DashboardServer dashboard = null;
        try (SinkService sink = new SinkService(config, meters)) {
            sink.start();
            if (!dashboardListen.equals("off")) {
                int colon = dashboardListen.lastIndexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("--dashboard-listen must be host:port, not " + dashboardListen);
                }
                dashboard = io.patchpulse.sink.dashboard.DashboardServer.start(dashboardListen.substring(0, colon),
                        Integer.parseInt(dashboardListen.substring(colon + 1)),
                        new io.patchpulse.sink.questdb.QuestDbHttp(config.questDbHttpUrl()),
                        io.patchpulse.sink.questdb.TrendTables.defaults(),
                        io.patchpulse.sink.questdb.QuestDbTables.defaults(), java.util.List.of(), config.httpTokens(),
                        config.httpTls());
                spec.commandLine().getOut().println("dashboard at " + dashboard.url());
            }
            return Services.serve(spec, "sink", sink, () -> sink.failure().orElse(null));
        } finally {
            if (dashboard != null) {
                dashboard.close();
            }
            metrics.ifPresent(MetricsEndpoint::close);
        }
    }
}
