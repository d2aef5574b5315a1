package io.patchpulse.deploy.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.deploy.metrics.MetricsEndpoint;
import io.patchpulse.deploy.metrics.ServiceMeters;
import java.util.Optional;

import io.patchpulse.streams.StreamsApp;
import io.patchpulse.streams.StreamsSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code patchpulse streams}: the Kafka Streams app alone, against an existing cluster, until Ctrl-C. */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = {"Runs the streams service against an existing Kafka cluster.",
            "Validate, enrich, count devices, trends.",
            "Settings: bootstrap.servers, application.id, topic.prefix, trend.window, trend.grace, state.dir,",
            "processing.guarantee, commit.interval.ms, num.stream.threads; streams.* keys go to Kafka Streams as they",
            "are (e.g. --set streams.security.protocol=SASL_SSL). Run more instances to scale out by partitions.",
            "Interactive queries over REST (GET /v1/devices/{id}, /v1/releases/{kb}/progress,",
            "/v1/cohorts/exposed?kb=, /v1/alerts?state=) on query.listen (default 127.0.0.1:8091), reached by the",
            "other instances at query.advertised (default: the bound address); query.enabled=false turns it off.",
            "Every request needs a token of scope read: query.tokens / query.tokens.file (name:sha256hex:read, see",
            "`patchpulse token --scopes read`); HTTPS with query.tls.keystore and query.tls.keystore.password",
            "(env:NAME or file:PATH), peers trusted by query.tls.truststore(.password)."})
public final class StreamsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ServiceOptions options;

    @Mixin
    private MetricsOptions metricsOptions;

    @Override
    public Integer call() throws Exception {
        StreamsSettings settings = new StreamsSettings(options.resolve());
        PrometheusMeterRegistry meters = ServiceMeters.create("streams");
        Optional<MetricsEndpoint> metrics = Services.serveMetrics(spec, metricsOptions, 9402, meters,
                settings.queryTokens(), settings.queryTls());
        try (StreamsApp app = new StreamsApp(settings)) {
            app.bindTo(meters);
            app.start(Duration.ofMinutes(2));
            app.queryUrl().ifPresent(url -> spec.commandLine().getOut().println("interactive queries at " + url
                    + "/v1/ (devices/{id}, releases/{kb}/progress, cohorts/exposed?kb=, alerts?state=)"));
            return Services.serve(spec, "streams service", app, app::failure);
        } finally {
            metrics.ifPresent(MetricsEndpoint::close);
        }
    }
}
