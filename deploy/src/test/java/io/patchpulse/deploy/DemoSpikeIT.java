package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.collector.simulate.PresetSettings;
import io.patchpulse.collector.simulate.PresetTruth;
import io.patchpulse.collector.simulate.Presets;
import io.patchpulse.collector.simulate.spike.SpikeTruth;
import io.patchpulse.deploy.cli.PatchPulseCli;
import io.patchpulse.sink.dashboard.HeadlessChromium;
import io.patchpulse.sink.questdb.QuestDbHttp;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Issue 5's "done when", end to end, through the command a user runs: {@code patchpulse demo --preset spike}, with
 * the VictoriaMetrics and Alertmanager the demo starts itself from the Debian packages. While the live part replays,
 * the planted spike is an active alert in Alertmanager and listed on the dashboard in headless Chromium; then it
 * resolves in Alertmanager. Once the demo serves: every cohort's numbers read with SQL from QuestDB equal an
 * independent recount of the records Kafka acknowledged, PromQL on VictoriaMetrics returns the same numbers, the
 * demo's {@code /metrics} shows a healthy pipeline, and the dashboard draws the heat map and the timeline of the
 * spike's KB. Screenshots go to {@code deploy/target/demo-screenshots/}.
 */
class DemoSpikeIT {

    private static final int DEVICES = 1_500;
    private static final long SEED = 11;
    private static final long HOUR_MS = 3_600_000L;
    /** Less than the 4 minutes of {@code endsAt} a firing alert carries (AlertmanagerWriter: 4 re-post intervals). */
    private static final Duration RESOLVED_WITHIN = Duration.ofSeconds(150);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void shouldShowTheSpikeFiringAndResolvingAndTheSameNumbersInEveryStore() throws Exception {
        PresetTruth truth = Presets.named("spike").run(PresetSettings.of(DEVICES, SEED)).truth();
        SpikeTruth spike = truth.spikes().get(0);
        Path events = dir.resolve("events.jsonl");
        StringWriter output = new StringWriter();
        AtomicInteger status = new AtomicInteger(-1);
        Thread demo = new Thread(() -> status.set(PatchPulseCli.commandLine()
                .setOut(new PrintWriter(output, true)).setErr(new PrintWriter(output, true))
                .execute("demo", "--preset", "spike", "--devices", String.valueOf(DEVICES), "--seed",
                        String.valueOf(SEED), "--data-dir", dir.resolve("data").toString(), "--events-out",
                        events.toString())), "demo");
        demo.start();
        try {
            String alertmanager = awaitLine(output, "Alertmanager at (\\S+)");
            String dashboard = awaitLine(output, "dashboard: (\\S+)");
            assertThat(dashboard).as("the dashboard opens on the spike's KB and period")
                    .contains("kb=" + spike.cohort().kb() + "&from=2024-02-11&refresh=5");
            try (HeadlessChromium chromium = HeadlessChromium.start(dir.resolve("chromium"), "demo-screenshots")) {
                chromium.driver().get(dashboard.replace("refresh=5", "refresh=1"));

                // While the spike goes on: an active alert in Alertmanager, with the spike's cohort ...
                await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(250))
                        .until(() -> !activeSpikeAlerts(alertmanager, spike).isEmpty());
                JsonNode firing = activeSpikeAlerts(alertmanager, spike).get(0);
                assertThat(firing.at("/labels/alertname").asText()).isEqualTo("PatchPulseFailureSpike");
                assertThat(firing.at("/annotations/summary").asText()).isNotBlank();
                assertThat(firing.at("/annotations/runbook_url").asText()).endsWith("update-failure-spike.md");
                assertThat(Instant.parse(firing.get("startsAt").asText()))
                        .isBetween(spike.startsAt(), spike.endsAt());
                // ... and listed on the dashboard
                String alertId = firing.at("/labels/alert_id").asText();
                // (the page redraws the list every second: an item read while it is replaced is read again)
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
                        .untilAsserted(() -> assertThat(chromium.driver().findElements(By.cssSelector(
                                "#alerts-list li")).stream().map(li -> li.getDomAttribute("data-alert-id")))
                                .contains(alertId));
                chromium.screenshot("spike-firing.png");

                // Then it resolves in Alertmanager: well before the 4 minutes after which a firing alert the sink
                // stopped re-posting would expire by itself, so only the sink's RESOLVED post can end it in time
                // (the spike replays in 12 to 32 s at the default speed).
                await().atMost(RESOLVED_WITHIN).pollInterval(Duration.ofMillis(500))
                        .until(() -> activeSpikeAlerts(alertmanager, spike).isEmpty());

                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> output.toString().contains("serving; press Ctrl-C to stop."));
                assertThat(output.toString()).contains("reconciled:");
                QuestDbHttp sql = new QuestDbHttp(find(output, "QuestDB at (http://[^,\\s]+)"));
                String victoria = find(output, "VictoriaMetrics \\(PromQL\\) at ([^,\\s]+)");

                // The alert is kept in QuestDB, resolved, for the spike's cohort
                assertThat(sql.query("SELECT state FROM alerts WHERE alert_id = '" + alertId + "'"))
                        .extracting(row -> row.get("state")).containsExactly("RESOLVED");

                // SQL equals an independent recount of what Kafka acknowledged, cohort by cohort and hour by hour
                IndependentRecount recount = IndependentRecount.of(events);
                Map<String, List<Long>> rows = new TreeMap<>();
                Map<String, List<Long>> stored = new TreeMap<>();
                List<Map<String, Object>> trendRows = sql.query("SELECT ts, kb, size_bucket, free_bucket, bitlocker, "
                        + "attempts, failures, devices_attempted, devices_failed, devices_succeeded FROM failure_trends");
                for (Map<String, Object> row : trendRows) {
                    String key = ((Instant) row.get("ts")).toEpochMilli() + "|" + row.get("kb") + "|"
                            + row.get("size_bucket") + "|" + row.get("free_bucket") + "|" + row.get("bitlocker");
                    rows.put(key, List.of(number(row, "attempts"), number(row, "failures"),
                            number(row, "devices_attempted"), number(row, "devices_failed"),
                            number(row, "devices_succeeded")));
                    stored.put(key, List.of(number(row, "devices_attempted"), number(row, "devices_failed")));
                }
                assertThat(trendRows).as("one row per window and cohort").hasSize(rows.size());
                assertThat(rows).isNotEmpty().isEqualTo(recount.rows());

                // PromQL on VictoriaMetrics returns the same numbers as SQL
                flush(victoria);
                Map<String, List<Long>> promQl = new TreeMap<>();
                for (long window : stored.keySet().stream().map(k -> Long.parseLong(k.split("\\|")[0]))
                        .distinct().toList()) {
                    Instant at = Instant.ofEpochMilli(window + HOUR_MS); // a window is read at its end
                    Map<String, Long> attempted = promQl(victoria,
                            "last_over_time(patchpulse_trend_devices_attempted[1h])", at);
                    Map<String, Long> failed = promQl(victoria,
                            "last_over_time(patchpulse_trend_devices_failed[1h])", at);
                    attempted.forEach((cohort, value) -> promQl.put(window + "|" + cohort,
                            List.of(value, failed.getOrDefault(cohort, -1L))));
                }
                assertThat(promQl).isEqualTo(stored);

                // /metrics shows the pipeline's health: everything consumed, nothing skipped, retried or dead-lettered
                // (with the token the demo minted, from the file it names)
                String token = java.nio.file.Files.readString(java.nio.file.Path.of(find(output,
                        "token \\(read and write[^)]*\\): (\\S+)"))).strip();
                assertThat(dashboard).endsWith("#token=" + token);
                String metrics = get(find(output, "metrics at (\\S+/metrics)"), token);
                assertThat(sample(metrics, "patchpulse_sink_consumed_records_total")).isPositive();
                assertThat(sample(metrics, "patchpulse_sink_written_rows_total{service=\"demo\",table=\"alerts\"}"))
                        .isPositive();
                assertThat(sample(metrics, "patchpulse_sink_skipped_records_total")).isZero();
                assertThat(sample(metrics, "patchpulse_sink_write_retries_total")).isZero();
                assertThat(metrics).contains("kafka_stream_thread_process_total")
                        .contains("kafka_consumer_fetch_manager_records_lag_max");

                // The dashboard draws the heat map and the timeline of the spike's KB from the same rows
                chromium.driver().get(dashboard.replace("refresh=5", "refresh=0"));
                chromium.awaitRendered("heatmap", "timeline", "alerts");
                String kb = spike.cohort().kb();
                long cells = stored.keySet().stream().map(k -> k.split("\\|")).filter(p -> p[1].equals(kb))
                        .map(p -> p[2] + "|" + p[4]).distinct().count();
                long windows = stored.keySet().stream().map(k -> k.split("\\|")).filter(p -> p[1].equals(kb))
                        .map(p -> p[0]).distinct().count();
                WebElement heatmap = chromium.driver().findElement(By.id("heatmap"));
                assertThat(heatmap.getDomAttribute("data-kb")).isEqualTo(kb);
                assertThat(heatmap.getDomAttribute("data-cells")).isEqualTo(String.valueOf(cells));
                assertThat(chromium.driver().findElement(By.id("timeline")).getDomAttribute("data-windows"))
                        .isEqualTo(String.valueOf(windows));
                // The one refusal is the first load's, answered with the sign-in page that traded the link's token
                // for a session; the token is out of the address bar.
                assertThat(chromium.severeConsoleMessages()).allSatisfy(message -> assertThat(message)
                        .startsWith(dashboard.replace("refresh=5", "refresh=1")).contains("status of 401"));
                assertThat(chromium.driver().getCurrentUrl()).doesNotContain("token");
                chromium.screenshot("spike-resolved.png");
            }
        } finally {
            demo.interrupt();
            demo.join(Duration.ofMinutes(1).toMillis());
        }
        assertThat(demo.isAlive()).as("the demo stopped on interrupt").isFalse();
    }

    private static long number(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    /** Waits for a line of the demo's output and returns the pattern's first group. */
    private static String awaitLine(StringWriter output, String regex) {
        Pattern pattern = Pattern.compile(regex);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> pattern.matcher(output.toString()).find());
        return find(output, regex);
    }

    private static String find(StringWriter output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output.toString());
        assertThat(matcher.find()).as("%s in the demo's output:%n%s", regex, output).isTrue();
        return matcher.group(1);
    }

    /** Alertmanager's active alerts (resolved ones are not listed) for the spike's cohort. */
    private static List<JsonNode> activeSpikeAlerts(String alertmanager, SpikeTruth spike)
            throws IOException, InterruptedException {
        List<JsonNode> alerts = new ArrayList<>();
        for (JsonNode alert : JSON.readTree(get(alertmanager + "/api/v2/alerts?active=true"))) {
            JsonNode labels = alert.get("labels");
            if (labels.path("kb").asText().equals(spike.cohort().kb())
                    && labels.path("size_bucket").asText().equals(spike.cohort().sizeBucket())
                    && labels.path("free_bucket").asText().equals(spike.cohort().freeBucket())
                    && labels.path("bitlocker").asText().equals(spike.cohort().bitlocker())) {
                alerts.add(alert);
            }
        }
        return alerts;
    }

    /** An instant PromQL query: {@code kb|size|free|bitlocker} of each series to its value. */
    private static Map<String, Long> promQl(String victoria, String query, Instant at)
            throws IOException, InterruptedException {
        JsonNode body = JSON.readTree(get(victoria + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&time=" + at.toEpochMilli() / 1000.0));
        assertThat(body.path("status").asText()).as(body.toString()).isEqualTo("success");
        Map<String, Long> values = new TreeMap<>();
        for (JsonNode series : body.at("/data/result")) {
            JsonNode metric = series.get("metric");
            values.put(metric.path("kb").asText() + "|" + metric.path("size_bucket").asText() + "|"
                    + metric.path("free_bucket").asText() + "|" + metric.path("bitlocker").asText(),
                    Math.round(Double.parseDouble(series.get("value").get(1).asText())));
        }
        return values;
    }

    private static void flush(String victoria) throws IOException, InterruptedException {
        get(victoria + "/internal/force_flush");
    }

    /** The sum of every sample whose line starts with {@code prefix} (name, or name with its labels). */
    private static double sample(String metrics, String prefix) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix) && (line.charAt(prefix.length()) == ' ' || line.charAt(prefix.length()) == '{'
                    || prefix.endsWith("}"))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertThat(found).as("%s in /metrics", prefix).isTrue();
        return sum;
    }

    private static String get(String url) throws IOException, InterruptedException {
        return get(url, null);
    }

    private static String get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", url, response.body()).isEqualTo(200);
        return response.body();
    }
}
