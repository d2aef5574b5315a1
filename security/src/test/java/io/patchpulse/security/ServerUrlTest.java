package io.patchpulse.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** IPv6 formatting is tested as text: binding ::1 may not work on a build machine. */
class ServerUrlTest {

    @Test
    void shouldBracketAnIpv6HostOnceWhetherItCameBracketedOrBare() {
        // "patchpulse sink --dashboard [::1]:9404" hands the server "[::1]" as its host: it must not become [[::1]].
        assertThat(ServerUrl.of(false, "[::1]", 9404, "/index.html")).isEqualTo("http://[::1]:9404/index.html");
        assertThat(ServerUrl.of(false, "::1", 9403, "/metrics")).isEqualTo("http://[::1]:9403/metrics");
    }

    @Test
    void shouldLeaveAnIpv4HostOrAHostNameAsItIs() {
        assertThat(ServerUrl.of(false, "127.0.0.1", 9403, "/metrics")).isEqualTo("http://127.0.0.1:9403/metrics");
        assertThat(ServerUrl.of(false, "sink.local", 9403, "/metrics")).isEqualTo("http://sink.local:9403/metrics");
    }

    @Test
    void shouldSayHttpsUnderTlsAndAllowAnEmptyPath() {
        assertThat(ServerUrl.of(true, "streams-1.local", 9402, "")).isEqualTo("https://streams-1.local:9402");
        assertThat(ServerUrl.of(true, "[::1]", 9400, "/v1/")).isEqualTo("https://[::1]:9400/v1/");
    }

    @Test
    void shouldBindTheBareAddressOfABracketedIpv6Literal() {
        assertThat(ServerUrl.unbracketed("[::1]")).isEqualTo("::1");
        assertThat(ServerUrl.unbracketed("::1")).isEqualTo("::1");
        assertThat(ServerUrl.unbracketed("0.0.0.0")).isEqualTo("0.0.0.0");
    }
}
