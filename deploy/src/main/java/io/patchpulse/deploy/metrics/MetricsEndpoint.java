package io.patchpulse.deploy.metrics;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.security.HttpAccess;
import io.patchpulse.security.ServerUrl;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Serves a registry's meters to Prometheus: {@code GET /metrics} in the text exposition format (or OpenMetrics when
 * the scraper asks for it). One per service process; bound to the address it is given (127.0.0.1 by default). Every
 * request needs a token of scope read of the service's tokens ({@link HttpAccess}; Prometheus sends it with
 * {@code authorization: credentials_file}); with TLS configured it is served over HTTPS only.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final Javalin app;
    private final String host;
    private final boolean tls;

    private MetricsEndpoint(Javalin app, String host, boolean tls) {
        this.app = app;
        this.host = host;
        this.tls = tls;
    }

    /**
     * Starts serving {@code registry} on {@code listen} ({@code host:port}; port 0 picks a free one).
     *
     * @throws IllegalArgumentException when {@code listen} is not {@code host:port}
     * @throws IllegalStateException when the port cannot be bound
     */
    public static MetricsEndpoint start(String listen, PrometheusMeterRegistry registry, Tokens tokens,
            Optional<Tls> tls) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(tokens, "tokens");
        int colon = listen == null ? -1 : listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("metrics listen address must be host:port, not '" + listen + "'");
        }
        String host = listen.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics listen address must be host:port, not '" + listen + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("metrics port must be 0..65535, not " + port);
        }
        Javalin app = Javalin.create(config -> {
            config.jetty.host = ServerUrl.unbracketed(host);
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            tls.ifPresent(keys -> keys.apply(config));
            HttpAccess.bearer(tokens).install(config, "/metrics endpoint");
            config.routes.get("/metrics", ctx -> {
                String accept = ctx.header("Accept");
                boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
                String contentType = openMetrics ? OPENMETRICS_FORMAT : TEXT_FORMAT;
                ctx.contentType(contentType).result(registry.scrape(contentType));
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot serve metrics on " + listen + ": " + e.getMessage(), e);
        }
        return new MetricsEndpoint(app, host, tls.isPresent());
    }

    /** Where Prometheus scrapes: {@code http://host:port/metrics} ({@code https} under TLS). */
    public String url() {
        return ServerUrl.of(tls, host, app.port(), "/metrics");
    }

    /** The routes it serves (for tests that check each one refuses a request without a token). */
    public List<HttpAccess.Route> routes() {
        return HttpAccess.routes(app);
    }

    @Override
    public void close() {
        app.stop();
    }
}
