package io.patchpulse.deploy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import io.patchpulse.security.testing.AccessProbe;
import io.patchpulse.security.testing.TestKeystore;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrape address a service prints (IPv6 formatting is tested as text: binding ::1 may not work here), and that
 * /metrics refuses a scraper without a token of scope read, over HTTP and HTTPS.
 */
class MetricsEndpointTest {

    private static final String READER = Tokens.newToken();
    private static final String WRITER = Tokens.newToken();
    private static final Tokens TOKENS = Tokens.parse(List.of(Tokens.entry("prometheus", READER, Set.of(Scope.READ)),
            Tokens.entry("agents", WRITER)));

    @TempDir
    Path dir;

    @Test
    void shouldPrintTheUrlOfTheBoundPort() {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0",
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), TOKENS, Optional.empty())) {
            assertThat(endpoint.url()).matches("http://127\\.0\\.0\\.1:[1-9][0-9]*/metrics");
        }
    }

    @Test
    void shouldRefuseAScraperWithoutATokenOfScopeRead() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0",
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), TOKENS, Optional.empty())) {
            AccessProbe probe = new AccessProbe(endpoint.url().replace("/metrics", ""));

            probe.assertEveryRouteGuarded(endpoint.routes(), READER, WRITER);

            assertThat(endpoint.routes()).extracting(route -> route.path()).containsExactly("/metrics");
            HttpResponse<String> scrape = probe.send("GET", "/metrics", READER);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
        }
    }

    @Test
    void shouldServeOnlyHttpsWhenTlsIsConfigured() throws Exception {
        TestKeystore keys = TestKeystore.create(dir.resolve("tls"));
        Optional<Tls> tls = Tls.fromSettings(keys.keystore().toString(), "file:" + keys.passwordFile(), "t");
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0",
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), TOKENS, tls)) {
            assertThat(endpoint.url()).startsWith("https://127.0.0.1:");
            AccessProbe probe = new AccessProbe(endpoint.url().replace("/metrics", ""), keys.clientContext());

            probe.assertEveryRouteGuarded(endpoint.routes(), READER, WRITER);

            String plain = endpoint.url().replace("https://", "http://").replace("/metrics", "");
            assertThatThrownBy(() -> new AccessProbe(plain).send("GET", "/metrics", READER))
                    .isInstanceOf(IOException.class);
        }
    }
}
