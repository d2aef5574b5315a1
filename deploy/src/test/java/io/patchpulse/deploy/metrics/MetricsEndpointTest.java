package io.patchpulse.deploy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The scrape address a service prints; IPv6 formatting is tested as text (binding ::1 may not work here). */
class MetricsEndpointTest {

    @Test
    void shouldBracketAnIpv6HostOnceWhetherItCameBracketedOrBare() {
        // "[::1]:9403" as a listen address leaves "[::1]" as the host: it must not become [[::1]].
        assertThat(MetricsEndpoint.httpUrl("[::1]", 9403, "/metrics")).isEqualTo("http://[::1]:9403/metrics");
        assertThat(MetricsEndpoint.httpUrl("::1", 9403, "/metrics")).isEqualTo("http://[::1]:9403/metrics");
    }

    @Test
    void shouldLeaveAnIpv4HostOrAHostNameAsItIs() {
        assertThat(MetricsEndpoint.httpUrl("127.0.0.1", 9403, "/metrics")).isEqualTo("http://127.0.0.1:9403/metrics");
        assertThat(MetricsEndpoint.httpUrl("sink.local", 9403, "/metrics")).isEqualTo("http://sink.local:9403/metrics");
    }

    @Test
    void shouldBindTheBareAddressOfABracketedIpv6Literal() {
        assertThat(MetricsEndpoint.unbracketed("[::1]")).isEqualTo("::1");
        assertThat(MetricsEndpoint.unbracketed("::1")).isEqualTo("::1");
        assertThat(MetricsEndpoint.unbracketed("127.0.0.1")).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldPrintTheUrlOfTheBoundPort() {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0",
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            assertThat(endpoint.url()).matches("http://127\\.0\\.0\\.1:[1-9][0-9]*/metrics");
        }
    }
}
