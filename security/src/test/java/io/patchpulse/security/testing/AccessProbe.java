package io.patchpulse.security.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.security.HttpAccess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Knocks on a server's routes with no token, a wrong token, a token of the wrong scope and the right one, and checks
 * the answers: 401 with {@code WWW-Authenticate: Bearer}, 401 with {@code invalid_token}, 403 with
 * {@code insufficient_scope}, and anything but those. Path parameters are filled with {@code x}.
 */
public final class AccessProbe {

    private final HttpClient client;
    private final String baseUrl;

    /** Over plain HTTP. */
    public AccessProbe(String baseUrl) {
        this(baseUrl, null);
    }

    /** Over HTTPS trusting {@code tls} when not null. */
    public AccessProbe(String baseUrl, SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
        this.baseUrl = baseUrl;
    }

    /** Sends {@code method path} with {@code Authorization: Bearer token} when token is not null. */
    public HttpResponse<String> send(String method, String path, String token) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, method.equals("GET") || method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code route}'s path with every {@code {param}} replaced by {@code x}. */
    public static String concrete(HttpAccess.Route route) {
        return route.path().replaceAll("\\{[^}/]+}", "x").replaceAll("<[^>/]+>", "x");
    }

    /**
     * Checks that each of {@code routes} refuses no token, a wrong token and {@code wrongScope}, and admits
     * {@code rightScope} (the answer may be anything a handler says, 4xx included, but not 401 or 403).
     *
     * @param readOnly a token with scope read only
     * @param writeOnly a token with scope write only
     */
    public void assertEveryRouteGuarded(List<HttpAccess.Route> routes, String readOnly, String writeOnly)
            throws IOException, InterruptedException {
        assertThat(routes).isNotEmpty();
        for (HttpAccess.Route route : routes) {
            String path = concrete(route);
            String what = route.method() + " " + route.path();
            HttpResponse<String> none = send(route.method(), path, null);
            assertThat(none.statusCode()).as(what + " without a token").isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).as(what).hasValueSatisfying(
                    challenge -> assertThat(challenge).startsWith("Bearer"));
            HttpResponse<String> wrong = send(route.method(), path, "not-" + readOnly);
            assertThat(wrong.statusCode()).as(what + " with a wrong token").isEqualTo(401);
            assertThat(wrong.headers().firstValue("WWW-Authenticate")).as(what).hasValueSatisfying(
                    challenge -> assertThat(challenge).contains("invalid_token"));
            assertThat(wrong.body()).as(what).doesNotContain(readOnly);
            // The rule as SECURITY.md states it, not as the code under test computes it: reading needs read,
            // everything else write (and opening a dashboard session, read).
            boolean read = (route.method().equals("GET") || route.method().equals("HEAD"))
                    && !route.path().equals(HttpAccess.SESSION_PATH);
            String right = read || route.path().equals(HttpAccess.SESSION_PATH) ? readOnly : writeOnly;
            String other = right.equals(readOnly) ? writeOnly : readOnly;
            HttpResponse<String> scope = send(route.method(), path, other);
            assertThat(scope.statusCode()).as(what + " with the wrong scope").isEqualTo(403);
            assertThat(scope.headers().firstValue("WWW-Authenticate")).as(what).hasValueSatisfying(
                    challenge -> assertThat(challenge).contains("insufficient_scope"));
            HttpResponse<String> admitted = send(route.method(), path, right);
            assertThat(admitted.statusCode()).as(what + " with the right scope: " + admitted.body())
                    .isNotIn(401, 403);
        }
    }
}
