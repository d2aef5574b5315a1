package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.security.HttpAccess;
import io.patchpulse.security.Tls;
import io.patchpulse.security.testing.AccessProbe;
import io.patchpulse.security.testing.TestKeystore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
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

    @Test
    void shouldKeepATlsConnectionThatCarriesAnUploadLongerThanTheHeaderDeadline() throws Exception {
        // The header deadline once watched the TLS connection beneath HTTP too, which counts no requests, and closed
        // every TLS connection after one period, in the middle of an upload.
        TestKeystore keys = TestKeystore.create(dir.resolve("tls"));
        Optional<Tls> tls = Tls.fromSettings(keys.keystore().toString(), "file:" + keys.passwordFile(), "t");
        IngestServer.TimeLimits limits = new IngestServer.TimeLimits(Duration.ofSeconds(30),
                Duration.ofMillis(500), 1);
        try (IngestApiFixture api = new IngestApiFixture(dir.resolve("api"), 1 << 20, 600, 4, limits, tls)) {
            HttpClient client = HttpClient.newBuilder().sslContext(keys.clientContext())
                    .build();
            // A body that takes about 3 s, six header periods, to arrive
            Flow.Publisher<ByteBuffer> slow = subscriber -> {
                SubmissionPublisher<ByteBuffer> publisher =
                        new SubmissionPublisher<>();
                publisher.subscribe(subscriber);
                new Thread(() -> {
                    try {
                        for (int i = 0; i < 6; i++) {
                            Thread.sleep(500);
                            publisher.submit(ByteBuffer.wrap(new byte[] {' '}));
                        }
                        long now = java.time.Instant.now().toEpochMilli();
                        publisher.submit(ByteBuffer.wrap(("{\"eventId\":\"slow-1\",\"deviceId\":\"d-1\","
                                + "\"occurredAt\":" + now + ",\"receivedAt\":" + now + ",\"source\":\"AGENT\","
                                + "\"kb\":\"KB5034441\",\"outcome\":\"SUCCEEDED\"}\n").getBytes(
                                java.nio.charset.StandardCharsets.UTF_8)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    publisher.close();
                }, "slow-body").start();
            };
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + api.server.port() + "/v1/events"))
                    .header("Authorization", "Bearer " + IngestApiFixture.TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.fromPublisher(slow)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            assertThat(answer.body()).contains("\"accepted\":1");
        }
    }
}
