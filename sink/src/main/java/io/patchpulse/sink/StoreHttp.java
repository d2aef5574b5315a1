package io.patchpulse.sink;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Posting to a store over HTTP (VictoriaMetrics, Alertmanager): one client with the store's time-outs, and every
 * failure turned into a {@link StoreException} that names the store, says what was being sent and whether trying
 * again may help.
 */
public final class StoreHttp {

    private final String store;
    private final String baseUrl;
    private final Duration requestTimeout;
    private final HttpClient client;

    /**
     * A client for the store called {@code store} (for messages) at {@code baseUrl} ({@code http(s)://host:port},
     * a trailing slash is dropped).
     *
     * @throws IllegalArgumentException when {@code baseUrl} is not such a URL
     */
    public StoreHttp(String store, String baseUrl, Duration connectTimeout, Duration requestTimeout) {
        this.store = Objects.requireNonNull(store, "store");
        Objects.requireNonNull(baseUrl, "baseUrl");
        URI uri = URI.create(baseUrl);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(store + " URL must look like http://host:port, was " + baseUrl);
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.client = HttpClient.newBuilder()
                // Plain HTTP/1.1: skip the h2c upgrade attempt, which Go servers answer with HTTP/1.1 anyway.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
                .build();
    }

    /** The base URL, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    /**
     * Posts {@code body} to {@code path} and returns once the store answered with a status {@code accepted} takes.
     *
     * @param what what the body is, for messages ("a write of 12 values")
     * @throws StoreException on no answer (retriable), an interrupt (not), or another status (per
     *     {@link StoreException#retriableStatus})
     */
    public void post(String path, String contentType, String body, String what, IntPredicate accepted) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Covers HttpTimeoutException and connection refused: the store may be back on the next try.
            throw new StoreException(store + " at " + baseUrl + " did not answer " + what + " (" + e + ")", 0, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while sending " + what + " to " + store + " at " + baseUrl, 0,
                    false, e);
        }
        int status = response.statusCode();
        if (!accepted.test(status)) {
            throw new StoreException(store + " at " + baseUrl + " answered HTTP " + status + " to " + what + ": "
                    + abbreviate(response.body()), status, StoreException.retriableStatus(status), null);
        }
    }

    private static String abbreviate(String text) {
        if (text == null || text.isBlank()) {
            return "(empty answer)";
        }
        String line = text.strip();
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
