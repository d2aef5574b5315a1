package io.patchpulse.sink.alertmanager;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.alertmanager.AlertFixtures.RUNBOOK;
import static io.patchpulse.sink.alertmanager.AlertFixtures.firing;
import static io.patchpulse.sink.alertmanager.AlertFixtures.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.sink.local.OpsBinaries;
import io.patchpulse.sink.WriteResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Alertmanager writer against the real {@code prometheus-alertmanager} binary: a posted spike is an active alert
 * with our labels, annotations and 2024 start; posting it again keeps one alert; its resolution leaves the active
 * view, and the notification Alertmanager sends for it (to a webhook served by this test) says resolved, with
 * {@code endsAt}.
 */
class AlertmanagerWriterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path root;

    private static HttpServer webhook;
    private static final List<JsonNode> notifications = new CopyOnWriteArrayList<>();
    private static OpsBinaries.Running alertmanager;

    @BeforeAll
    static void startAlertmanagerWithAWebhook() throws IOException {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            notifications.add(JSON.readTree(exchange.getRequestBody()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        // One group per episode, sent at once and re-checked every second: notifications come within the deadline.
        alertmanager = OpsBinaries.startAlertmanager(root.resolve("am"), """
                route:
                  receiver: hook
                  group_by: ['alert_id']
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: hook
                    webhook_configs:
                      - url: http://127.0.0.1:%d/hook
                        send_resolved: true
                """.formatted(webhook.getAddress().getPort()));
    }

    @AfterAll
    static void stop() {
        if (alertmanager != null) {
            alertmanager.close();
        }
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    @Test
    void shouldShowAPostedSpikeAsOneActiveAlertAndNotifyItsResolution() {
        SpikeAlert fired = firing("KB5034441|<500MB|<250MB|on-tpm|2024-01-09T14:00:00Z", WINDOW, "on-tpm");
        SpikeAlert otherEpisode = firing("KB5034441|<500MB|<250MB|off|2024-01-09T14:00:00Z", WINDOW, "off");
        Instant end = WINDOW.plus(Duration.ofHours(3));

        try (AlertmanagerWriter writer = new AlertmanagerWriter(alertmanager.baseUrl())) {
            // When the spike is posted, twice (a re-delivery), next to another episode
            WriteResult result = writer.write(List.of(fired, otherEpisode));
            writer.write(List.of(fired));

            // Then Alertmanager holds one active alert for it, with our labels, annotations and event-time start
            assertThat(result.rows(AlertmanagerWriter.ALERTS)).isEqualTo(2);
            List<JsonNode> active = alerts(fired.getAlertId(), false);
            assertThat(active).hasSize(1);
            JsonNode alert = active.get(0);
            assertThat(JSON.convertValue(alert.get("labels"), Map.class)).isEqualTo(Map.of(
                    "alertname", "PatchPulseFailureSpike", "alert_id", fired.getAlertId(), "kb", "KB5034441",
                    "size_bucket", "<500MB", "free_bucket", "<250MB", "bitlocker", "on-tpm", "severity", "warning"));
            assertThat(alert.at("/annotations/summary").asText()).isEqualTo(fired.getSummary());
            assertThat(alert.at("/annotations/runbook_url").asText()).isEqualTo(RUNBOOK);
            assertThat(alert.at("/status/state").asText()).isEqualTo("active");
            assertThat(Instant.parse(alert.get("startsAt").asText())).isEqualTo(fired.getStartsAt());
            // A firing alert carries an endsAt four re-posts ahead
            assertThat(Instant.parse(alert.get("endsAt").asText())).isAfter(Instant.now().plus(Duration.ofMinutes(3)));
            Awaitility.await("firing notification").atMost(DEADLINE)
                    .until(() -> notified(fired.getAlertId(), "firing").size() == 1);

            // When the episode resolves
            writer.write(List.of(resolved(fired, end)));

            // Then it leaves every view of current alerts, while the other episode stays
            assertThat(alerts(fired.getAlertId(), true)).isEmpty();
            assertThat(alerts(otherEpisode.getAlertId(), false)).hasSize(1);
            // And the notification Alertmanager sends says resolved, with our endsAt and the final annotations
            Awaitility.await("resolved notification").atMost(DEADLINE)
                    .until(() -> !notified(fired.getAlertId(), "resolved").isEmpty());
            JsonNode resolution = notified(fired.getAlertId(), "resolved").get(0);
            assertThat(Instant.parse(resolution.get("startsAt").asText())).isEqualTo(fired.getStartsAt());
            assertThat(Instant.parse(resolution.get("endsAt").asText())).isEqualTo(end);
            assertThat(resolution.at("/annotations/error_code").asText()).isEqualTo("0x800F0828");
            assertThat(resolution.at("/labels/severity").asText()).isEqualTo("warning");
        }
    }

    @Test
    void shouldKeepAFiringAlertAliveByRepostingItAndRestoreTheFiringSetAfterARestart() {
        SpikeAlert fired = firing("KB5034441|500-750MB|<250MB|on-tpm|2024-01-10T09:00:00Z", WINDOW, "on-tpm");
        SpikeAlert over = firing("KB5034441|500-750MB|<250MB|off|2024-01-10T09:00:00Z", WINDOW, "off");
        Duration interval = Duration.ofMillis(300);

        // Given a firing alert posted by a writer that re-posts every 300 ms
        try (AlertmanagerWriter writer = new AlertmanagerWriter(alertmanager.baseUrl(), "warning",
                Duration.ofSeconds(5), Duration.ofSeconds(30), interval)) {
            writer.write(List.of(fired));
            Instant firstEndsAt = Instant.parse(alerts(fired.getAlertId(), false).get(0).get("endsAt").asText());

            // Then its endsAt keeps moving forward while it fires
            Awaitility.await("re-posted").atMost(DEADLINE).until(() -> writer.reposts() >= 3);
            Awaitility.await("endsAt pushed forward").atMost(DEADLINE).until(() -> Instant.parse(
                    alerts(fired.getAlertId(), false).get(0).get("endsAt").asText()).isAfter(firstEndsAt));
            assertThat(writer.firing()).containsOnlyKeys(fired.getAlertId());
        }

        // When the sink restarts: a new writer restores the topic's latest states, one still firing, one resolved
        try (AlertmanagerWriter restarted = new AlertmanagerWriter(alertmanager.baseUrl(), "warning",
                Duration.ofSeconds(5), Duration.ofSeconds(30), interval)) {
            restarted.restore(List.of(over, fired, resolved(over, WINDOW.plus(Duration.ofHours(2)))));

            // Then it keeps only the firing one alive, at once
            assertThat(restarted.firing()).containsOnlyKeys(fired.getAlertId());
            assertThat(restarted.reposts()).isEqualTo(1);
            assertThat(alerts(fired.getAlertId(), false)).hasSize(1);
        }
    }

    /** Alerts with the given {@code alert_id} from {@code GET /api/v2/alerts}; all states when {@code everyState}. */
    private static List<JsonNode> alerts(String alertId, boolean everyState) {
        String query = "?filter=" + encode("alertname=\"PatchPulseFailureSpike\"") + "&filter="
                + encode("alert_id=\"" + alertId + "\"")
                + (everyState ? "&active=true&silenced=true&inhibited=true&unprocessed=true" : "");
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(alertmanager.baseUrl() + "/api/v2/alerts" + query)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<JsonNode> alerts = new ArrayList<>();
            JSON.readTree(response.body()).forEach(alerts::add);
            return alerts;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Alerts of that episode in that status ({@code firing}, {@code resolved}) across all webhook notifications. */
    private static List<JsonNode> notified(String alertId, String status) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode notification : notifications) {
            for (JsonNode alert : notification.path("alerts")) {
                if (alert.at("/labels/alert_id").asText().equals(alertId) && alert.path("status").asText()
                        .equals(status)) {
                    found.add(alert);
                }
            }
        }
        return found;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
