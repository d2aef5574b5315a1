package io.patchpulse.deploy.cli;

import picocli.CommandLine.Option;

/** Where a long-running service serves {@code /metrics} to Prometheus. */
public final class MetricsOptions {

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", description = "Where GET /metrics (Prometheus "
            + "text format) listens; port 0 picks a free one, 'off' serves none. Default: 127.0.0.1 and the "
            + "service's port (collector 9401, streams 9402, sink 9403; the demo picks a free one). It needs a token "
            + "of scope read of the service's own tokens (collector.tokens, query.tokens, http.tokens) and is served "
            + "over HTTPS with the service's keystore.")
    String metricsListen;

    /** The address to listen on, {@code 127.0.0.1:defaultPort} unless given; empty when turned off. */
    java.util.Optional<String> listen(int defaultPort) {
        if (metricsListen == null) {
            return java.util.Optional.of("127.0.0.1:" + defaultPort);
        }
        return metricsListen.equals("off") ? java.util.Optional.empty() : java.util.Optional.of(metricsListen);
    }
}
