package io.patchpulse.sink.alertmanager;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.alertmanager.AlertFixtures.RUNBOOK;
import static io.patchpulse.sink.alertmanager.AlertFixtures.firing;
import static io.patchpulse.sink.alertmanager.AlertFixtures.resolved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.sink.StoreException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON the Alertmanager writer posts, and how it reports Alertmanager's refusals. */
class AlertmanagerWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldPostAFiringAlertWithLabelsAnnotationsAndAnEndsAtFourRepostsAhead() throws Exception {
        SpikeAlert alert = firing("KB5034441|<500MB|<250MB|on, tpm=\"x\"|2024-01-09T14:00Z", WINDOW,
                "on, tpm=\"x\"");

        Instant now = Instant.parse("2026-11-29T04:00:00Z");
        JsonNode body;
        try (AlertmanagerWriter writer = new AlertmanagerWriter("http://127.0.0.1:1")) {
            body = JSON.readTree(writer.body(List.of(alert), now));
        }

        assertThat(body).hasSize(1);
        JsonNode posted = body.get(0);
        assertThat(JSON.convertValue(posted.get("labels"), Map.class)).isEqualTo(Map.of(
                "alertname", "PatchPulseFailureSpike",
                "alert_id", "KB5034441|<500MB|<250MB|on, tpm=\"x\"|2024-01-09T14:00Z",
                "kb", "KB5034441",
                "size_bucket", "<500MB",
                "free_bucket", "<250MB",
                "bitlocker", "on, tpm=\"x\"",
                "severity", "warning"));
        assertThat(posted.at("/annotations/summary").asText()).isEqualTo(alert.getSummary());
        assertThat(posted.at("/annotations/runbook_url").asText()).isEqualTo(RUNBOOK);
        assertThat(posted.at("/annotations/error_code").asText()).isEqualTo("0x80070643");
        assertThat(posted.at("/annotations/description").asText())
                .contains("40 of 50 devices failed (80.0%)", "baseline of 2.5 devices (5.0%) over 6");
        assertThat(posted.get("startsAt").asText()).isEqualTo("2024-01-09T14:12:00Z");
        // Firing: Alertmanager keeps it firing until then, and the writer re-posts it every minute
        assertThat(posted.get("endsAt").asText()).isEqualTo("2026-11-29T04:04:00Z");
    }

    @Test
    void shouldEndAFiringAlertAfterItsStartWhenTheEvidenceIsStampedAheadOfThisClock() throws Exception {
        Instant now = Instant.parse("2024-01-09T14:00:00Z");
        SpikeAlert ahead = firing("a-ahead", WINDOW.plus(Duration.ofHours(1)), "on-tpm");

        JsonNode body;
        try (AlertmanagerWriter writer = new AlertmanagerWriter("http://127.0.0.1:1")) {
            body = JSON.readTree(writer.body(List.of(ahead), now));
        }

        Instant startsAt = Instant.parse(body.get(0).get("startsAt").asText());
        assertThat(startsAt).isAfter(now);
        assertThat(Instant.parse(body.get(0).get("endsAt").asText())).isEqualTo(startsAt.plus(Duration.ofMinutes(4)));
    }

    @Test
    void shouldPostOnlyTheLastStateOfAnAlertWithItsEndsAt() throws Exception {
        SpikeAlert fired = firing("a1", WINDOW, "on-tpm");
        Instant end = WINDOW.plus(Duration.ofHours(3));

        JsonNode body;
        try (AlertmanagerWriter writer = new AlertmanagerWriter("http://127.0.0.1:1")) {
            body = JSON.readTree(writer.body(List.of(fired, resolved(fired, end)), Instant.now()));
        }

        assertThat(body).hasSize(1);
        assertThat(body.get(0).get("endsAt").asText()).isEqualTo("2024-01-09T17:00:00Z");
        assertThat(body.get(0).at("/annotations/error_code").asText()).isEqualTo("0x800F0828");
    }

    @Test
    void shouldTellARejectedAlertFromAnOverloadedAlertmanager() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int[] status = {400};
        server.createContext("/api/v2/alerts", exchange -> {
            byte[] answer = "no good".getBytes();
            exchange.sendResponseHeaders(status[0], answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        try (AlertmanagerWriter writer = new AlertmanagerWriter("http://127.0.0.1:" + server.getAddress().getPort())) {
            List<SpikeAlert> batch = List.of(firing("a1", WINDOW, "off"));

            assertThatThrownBy(() -> writer.write(batch)).isInstanceOfSatisfying(StoreException.class, e -> {
                assertThat(e.httpStatus()).isEqualTo(400);
                assertThat(e.isRetriable()).isFalse();
                assertThat(e).hasMessageContaining("no good");
            });
            status[0] = 503;
            assertThatThrownBy(() -> writer.write(batch)).isInstanceOfSatisfying(StoreException.class, e -> {
                assertThat(e.httpStatus()).isEqualTo(503);
                assertThat(e.isRetriable()).isTrue();
            });
        } finally {
            server.stop(0);
        }
    }
}
