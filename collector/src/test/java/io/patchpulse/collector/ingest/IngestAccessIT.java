package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.security.HttpAccess;
import io.patchpulse.security.Tls;
import io.patchpulse.security.testing.AccessProbe;
import io.patchpulse.security.testing.TestKeystore;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every route of the ingest API refuses a request without a token of the scope it needs, over HTTP and HTTPS. */
class IngestAccessIT {

    @TempDir
    Path dir;

    @Test
    void shouldRefuseEveryRouteWithoutATokenOfItsScope() throws Exception {
        try (IngestApiFixture api = new IngestApiFixture(dir, 1 << 20, 600)) {
            AccessProbe probe = new AccessProbe("http://127.0.0.1:" + api.server.port());

            probe.assertEveryRouteGuarded(api.server.routes(), IngestApiFixture.READ_TOKEN, IngestApiFixture.TOKEN);

            assertThat(api.server.routes()).extracting(HttpAccess.Route::path)
                    .contains("/v1/status", "/v1/events", "/v1/device-reports", "/v1/ingest/{format}");
            HttpResponse<String> status = probe.send("GET", "/v1/status", IngestApiFixture.READ_TOKEN);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("spooled");
            assertThat(probe.send("GET", "/v1/status", null).statusCode()).as("the status is not open").isEqualTo(401);
            assertThat(api.spool.size()).as("nothing refused reached the spool").isZero();
        }
    }

    @Test
    void shouldServeOnlyHttpsWhenTlsIsConfigured() throws Exception {
        TestKeystore keys = TestKeystore.create(dir.resolve("tls"));
        Optional<Tls> tls = Tls.fromSettings(keys.keystore().toString(), "file:" + keys.passwordFile(), "t");
        try (IngestApiFixture api = new IngestApiFixture(dir, 1 << 20, 600, tls)) {
            AccessProbe probe = new AccessProbe("https://127.0.0.1:" + api.server.port(), keys.clientContext());

            probe.assertEveryRouteGuarded(api.server.routes(), IngestApiFixture.READ_TOKEN, IngestApiFixture.TOKEN);

            HttpResponse<String> accepted = probe.send("POST", "/v1/events", IngestApiFixture.TOKEN);
            assertThat(accepted.statusCode()).as(accepted.body()).isIn(202, 400);
            AccessProbe plain = new AccessProbe("http://127.0.0.1:" + api.server.port());
            assertThatThrownBy(() -> plain.send("GET", "/v1/status", IngestApiFixture.READ_TOKEN))
                    .isInstanceOf(IOException.class);
        }
    }
}
