package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.deploy.kafka.ConsumerLag;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.streams.topology.Names;
import org.apache.kafka.clients.admin.Admin;
import io.patchpulse.sink.questdb.QuestDbHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The sink's other outputs checked after a fault: every QuestDB table holds one row per key (its dedup key) with
 * the topic's latest value for it, and VictoriaMetrics' trend numbers read back with PromQL, keyed like
 * {@link IndependentRecount#byKey()} for {@link FaultReport#compare}.
 */
final class SinkTableChecks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final long HOUR_MS = Duration.ofHours(1).toMillis();
    /** The five trend series in the order of {@link IndependentRecount.Counts#row()}. */
    private static final List<String> TREND_SERIES = List.of("patchpulse_trend_attempts",
            "patchpulse_trend_failures", "patchpulse_trend_devices_attempted", "patchpulse_trend_devices_failed",
            "patchpulse_trend_devices_succeeded");

    /** The QuestDB tables the sink writes, each waited for (write-ahead log applied) before reading. */
    static final List<String> TABLES = List.of("failure_trends", "failure_errors", "release_progress",
            "remediations", "alerts", "device_status");

    private SinkTableChecks() {
    }

    /** Waits until QuestDB has applied every table's write-ahead log. */
    static void awaitApplied(QuestDbHttp questDb) {
        for (String table : TABLES) {
            questDb.awaitWalApplied(table, Duration.ofSeconds(60));
        }
    }

    /**
     * Asserts that device_status, alerts, release_progress and remediations hold exactly the topics' latest value
     * per key, each key once, and failure_errors exactly the recount's distinct failed devices per error code.
     */
    static void assertTablesEqualTopics(String bootstrap, Topics topics, QuestDbHttp questDb,
            IndependentRecount recount) {
        Map<String, String> statuses = new TreeMap<>();
        TopicContents.latestByKey(bootstrap, topics.deviceStatus).values().forEach(status -> statuses.put(
                status.getDeviceId() + "|" + status.getKb(), status.getState() + " " + status.getAttempts()));
        Rows stored = rows(questDb, "SELECT device_id, kb, state, attempts FROM device_status",
                row -> row.get("device_id") + "|" + row.get("kb"), row -> row.get("state") + " " + n(row, "attempts"));
        assertThat(stored.duplicates).as("device_status keys held twice").isEmpty();
        assertThat(stored.latest).as("device_status against the device-status topic").isEqualTo(statuses);

        Map<String, String> alerts = new TreeMap<>();
        TopicContents.latestByKey(bootstrap, topics.alerts).values().forEach(alert -> alerts.put(
                alert.getAlertId().toString(), alert.getState() + " " + alert.getCurrentDevicesFailed()));
        stored = rows(questDb, "SELECT alert_id, state, current_devices_failed FROM alerts",
                row -> String.valueOf(row.get("alert_id")),
                row -> row.get("state") + " " + n(row, "current_devices_failed"));
        assertThat(stored.duplicates).as("alerts held twice").isEmpty();
        assertThat(stored.latest).as("alerts against the alerts topic").isEqualTo(alerts);

        Map<String, String> days = new TreeMap<>();
        TopicContents.read(bootstrap, topics.releaseProgress).forEach(record -> {
            ReleaseProgress progress = record.value();
            days.put(progress.getDay().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + "|"
                    + progress.getKb(), progress.getDevicesFailing() + " " + progress.getDevicesFixed());
        });
        stored = rows(questDb, "SELECT ts, kb, devices_failing, devices_fixed FROM release_progress",
                row -> millis(row.get("ts")) + "|" + row.get("kb"),
                row -> n(row, "devices_failing") + " " + n(row, "devices_fixed"));
        assertThat(stored.duplicates).as("release_progress days held twice").isEmpty();
        assertThat(stored.latest).as("release_progress against the release-progress topic").isEqualTo(days);

        Map<String, String> remediations = new TreeMap<>();
        TopicContents.read(bootstrap, topics.remediations).forEach(record -> {
            Remediation fix = record.value();
            remediations.put(fix.getFixedAt().toEpochMilli() + "|" + fix.getDeviceId() + "|" + fix.getKb(),
                    String.valueOf(fix.getCause()));
        });
        stored = rows(questDb, "SELECT ts, device_id, kb, cause FROM remediations",
                row -> millis(row.get("ts")) + "|" + row.get("device_id") + "|" + row.get("kb"),
                row -> String.valueOf(row.get("cause")));
        assertThat(stored.duplicates).as("remediations held twice").isEmpty();
        assertThat(stored.latest).as("remediations against the remediations topic").isEqualTo(remediations);

        stored = rows(questDb, "SELECT ts, kb, error_code, size_bucket, free_bucket, bitlocker, devices_failed"
                        + " FROM failure_errors",
                row -> millis(row.get("ts")) + "|" + row.get("kb") + "|" + row.get("error_code") + "|"
                        + row.get("size_bucket") + "|" + row.get("free_bucket") + "|" + row.get("bitlocker"),
                row -> Long.toString(n(row, "devices_failed")));
        Map<String, String> errors = new TreeMap<>();
        recount.failedByError().forEach((key, devices) -> errors.put(key, Long.toString(devices)));
        assertThat(stored.duplicates).as("failure_errors keys held twice").isEmpty();
        assertThat(stored.latest).as("failure_errors against the recount").isEqualTo(errors);
    }

    /**
     * Every trend window and cohort as VictoriaMetrics answers {@code last_over_time(<series>[1h])} at the window's
     * end (see {@code TrendSeries}), one query_range per series over the recount's windows: keyed like the
     * recount, with attempts, failures, devices attempted, failed and succeeded.
     */
    static List<Map.Entry<String, List<Long>>> victoriaMetricsTrendRows(String baseUrl, IndependentRecount recount) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (String key : recount.byKey().keySet()) {
            long window = Long.parseLong(key.substring(0, key.indexOf('|')));
            first = Math.min(first, window);
            last = Math.max(last, window);
        }
        Map<String, Long[]> rows = new TreeMap<>();
        for (int field = 0; field < TREND_SERIES.size(); field++) {
            JsonNode result = queryRange(baseUrl, "last_over_time(" + TREND_SERIES.get(field) + "[1h])",
                    first + HOUR_MS, last + HOUR_MS, HOUR_MS);
            for (JsonNode series : result) {
                JsonNode metric = series.get("metric");
                String cohort = metric.path("kb").asText() + "|" + metric.path("size_bucket").asText() + "|"
                        + metric.path("free_bucket").asText() + "|" + metric.path("bitlocker").asText();
                for (JsonNode point : series.get("values")) {
                    long windowStart = Math.round(point.get(0).asDouble() * 1000) - HOUR_MS;
                    Long[] row = rows.computeIfAbsent(windowStart + "|" + cohort, k -> new Long[TREND_SERIES.size()]);
                    row[field] = Math.round(Double.parseDouble(point.get(1).asText()));
                }
            }
        }
        List<Map.Entry<String, List<Long>>> entries = new ArrayList<>();
        rows.forEach((key, row) -> {
            List<Long> values = new ArrayList<>();
            for (Long value : row) {
                values.add(value == null ? -1 : value);
            }
            entries.add(Map.entry(key, values));
        });
        return entries;
    }

    /** Makes samples VictoriaMetrics holds in memory queryable at once. */
    static void forceFlush(String baseUrl) {
        send(HttpRequest.newBuilder(URI.create(baseUrl + "/internal/force_flush")).GET()
                .timeout(Duration.ofSeconds(30)).build());
    }

    private static JsonNode queryRange(String baseUrl, String query, long startMillis, long endMillis,
            long stepMillis) {
        String url = baseUrl + "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + "&start=" + startMillis / 1000 + "&end=" + endMillis / 1000 + "&step=" + stepMillis / 1000 + "s";
        String body = send(HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(30)).build());
        try {
            JsonNode answer = JSON.readTree(body);
            assertThat(answer.path("status").asText()).as(body).isEqualTo("success");
            return answer.at("/data/result");
        } catch (IOException e) {
            throw new UncheckedIOException("VictoriaMetrics answered no JSON to " + url + ": " + body, e);
        }
    }

    private static String send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s: %s", request.uri(), response.body()).isLessThan(300);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted asking " + request.uri(), e);
        }
    }

    /** One table read back: the value per key, and the keys met more than once. */
    private static final class Rows {
        final Map<String, String> latest = new TreeMap<>();
        final List<String> duplicates = new ArrayList<>();
    }

    private static Rows rows(QuestDbHttp questDb, String sql, Function<Map<String, Object>, String> key,
            Function<Map<String, Object>, String> value) {
        Rows rows = new Rows();
        for (Map<String, Object> row : questDb.query(sql)) {
            String k = key.apply(row);
            if (rows.latest.put(k, value.apply(row)) != null) {
                rows.duplicates.add(k);
            }
        }
        return rows;
    }

    private static long n(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    private static long millis(Object ts) {
        return Instant.parse(String.valueOf(ts)).toEpochMilli();
    }

    /** For figures: a map that keeps insertion order. */
    static Map<String, Object> figures() {
        return new LinkedHashMap<>();
    }

    /** The sink's input topics. */
    static String[] sinkTopics(Topics topics) {
        return new String[] {topics.failureTrends.name(), topics.releaseProgress.name(), topics.alerts.name(),
            topics.remediations.name(), topics.deviceStatus.name()};
    }

    /**
     * Waits until the streams app has committed past every input and repartition record and the sink group past
     * every record of its topics, seen twice in a row one poll apart (once could fall between two commits).
     */
    static void awaitDrained(Admin admin, String streamsApp, String sinkGroup, Topics topics, Duration timeout) {
        java.util.List<String> streamsTopics = new ArrayList<>(Names.repartitionTopics(streamsApp));
        streamsTopics.add(topics.installEvents.name());
        streamsTopics.add(topics.deviceInventory.name());
        boolean[] before = {false};
        org.awaitility.Awaitility.await("streams and sink drained").atMost(timeout)
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    boolean now = ConsumerLag.of(admin, streamsApp, streamsTopics.toArray(String[]::new)) == 0
                            && ConsumerLag.of(admin, sinkGroup, sinkTopics(topics)) == 0;
                    boolean twice = now && before[0];
                    before[0] = now;
                    return twice;
                });
    }
}
