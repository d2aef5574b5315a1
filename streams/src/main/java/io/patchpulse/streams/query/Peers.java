package io.patchpulse.streams.query;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The other streams instances' query APIs, asked over HTTP (HTTPS when this instance serves TLS: the peers are
 * configured alike) with short time-outs, with the caller's own {@code Authorization}: a peer admits a forwarded
 * query exactly when it would admit the caller.
 */
final class Peers {

    /** A peer's answer as it came. */
    record Reply(HostInfo peer, int status, String contentType, String retryAfter, String body) {
    }

    private final HttpClient client;
    private final Duration requestTimeout;
    private final String scheme;
    private final String authorization;

    /** Plain HTTP. */
    Peers(Duration connectTimeout, Duration requestTimeout) {
        this(connectTimeout, requestTimeout, null);
    }

    /** HTTPS trusting {@code tls} when it is not null, else plain HTTP. */
    Peers(Duration connectTimeout, Duration requestTimeout, javax.net.ssl.SSLContext tls) {
        // HTTP/1.1: the peers are Jetty without h2c; asking for an upgrade first only costs a round trip.
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
        this.requestTimeout = requestTimeout;
        this.scheme = tls == null ? "http" : "https";
        this.authorization = null;
    }

    private Peers(Peers peers, String authorization) {
        this.client = peers.client;
        this.requestTimeout = peers.requestTimeout;
        this.scheme = peers.scheme;
        this.authorization = authorization;
    }

    /** The same peers, asked with {@code authorization} (the caller's header; null: none). */
    Peers as(String authorization) {
        return new Peers(this, authorization);
    }

    /**
     * GETs {@code pathAndQuery} (already encoded) from {@code peer}; a peer that cannot be reached or does not
     * answer in time fails the future with a 502 {@link ProblemException} naming it.
     */
    CompletableFuture<Reply> get(HostInfo peer, String pathAndQuery) {
        String address = address(peer);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(scheme + "://" + address + pathAndQuery))
                .timeout(requestTimeout).header("Accept", "application/json").GET();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        String why = cause instanceof HttpTimeoutException
                                ? "did not answer within " + requestTimeout.toMillis() + " ms"
                                : cause instanceof IOException ? "cannot be reached (" + cause + ")" : cause.toString();
                        throw new ProblemException(502, "streams instance " + address + " " + why);
                    }
                    return new Reply(peer, response.statusCode(),
                            response.headers().firstValue("Content-Type").orElse(""),
                            response.headers().firstValue("Retry-After").orElse(null), response.body());
                });
    }

    /** {@code host:port} of a peer. */
    static String address(HostInfo host) {
        return host.host() + ":" + host.port();
    }
}
