package io.patchpulse.sink.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The dashboard address the demo prints; IPv6 formatting is tested as text (binding ::1 may not work here). */
class DashboardUrlTest {

    @Test
    void shouldBracketAnIpv6HostOnceWhetherItCameBracketedOrBare() {
        // "patchpulse sink --dashboard [::1]:9404" hands the server "[::1]" as its host.
        assertThat(DashboardServer.httpUrl("[::1]", 9404, "/index.html")).isEqualTo("http://[::1]:9404/index.html");
        assertThat(DashboardServer.httpUrl("::1", 9404, "/index.html")).isEqualTo("http://[::1]:9404/index.html");
    }

    @Test
    void shouldLeaveAnIpv4HostAsItIsAndBindABracketedLiteralBare() {
        assertThat(DashboardServer.httpUrl("127.0.0.1", 9404, "/index.html"))
                .isEqualTo("http://127.0.0.1:9404/index.html");
        assertThat(DashboardServer.unbracketed("[::1]")).isEqualTo("::1");
        assertThat(DashboardServer.unbracketed("0.0.0.0")).isEqualTo("0.0.0.0");
    }
}
