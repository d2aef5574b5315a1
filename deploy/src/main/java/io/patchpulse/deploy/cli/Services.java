package io.patchpulse.deploy.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.deploy.metrics.MetricsEndpoint;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/** Waiting for a long-running service to stop: Ctrl-C (exit 0) or its own fatal error (exit 1). */
final class Services {

    private static final long CHECK_MS = 1_000;

    private Services() {
    }

    /**
     * Serves a started service until Ctrl-C (its shutdown hook closes it; exit 0) or its own fatal error (exit 1),
     * telling the user which of the two it is waiting for.
     */
    static int serve(CommandSpec spec, String what, AutoCloseable service, Supplier<Throwable> failure)
            throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(service, spec.commandLine().getErr()),
                "patchpulse-shutdown"));
        spec.commandLine().getOut().println(what + " running; Ctrl-C stops it");
        spec.commandLine().getOut().flush();
        return awaitStop(failure, spec.commandLine().getErr());
    }

    /**
     * Starts {@code /metrics} for {@code registry} where {@code options} say (the service's default port unless
     * given), for holders of the service's {@code tokens} with scope read, over HTTPS when {@code tls} is given,
     * printing its URL; empty when turned off.
     */
    static Optional<MetricsEndpoint> serveMetrics(CommandSpec spec, MetricsOptions options, int defaultPort,
            PrometheusMeterRegistry registry, Tokens tokens, Optional<Tls> tls) {
        Optional<MetricsEndpoint> endpoint = options.listen(defaultPort)
                .map(listen -> MetricsEndpoint.start(listen, registry, tokens, tls));
        endpoint.ifPresent(metrics -> spec.commandLine().getOut().println("metrics at " + metrics.url()));
        return endpoint;
    }

    private static void closeQuietly(AutoCloseable service, PrintWriter err) {
        try {
            service.close();
        } catch (Exception e) {
            err.println("stopping failed: " + e);
            err.flush();
        }
    }

    private static int awaitStop(Supplier<Throwable> failure, PrintWriter err) throws InterruptedException {
        while (true) {
            Throwable error = failure.get();
            if (error != null) {
                err.println("stopped: " + error.getMessage());
                err.flush();
                return 1;
            }
            Thread.sleep(CHECK_MS);
        }
    }
}
