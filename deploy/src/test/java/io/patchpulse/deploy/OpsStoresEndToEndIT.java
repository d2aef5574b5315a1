package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.spike.SpikeScenario;
import io.patchpulse.collector.simulate.spike.SpikeSimulation;
import io.patchpulse.collector.simulate.spike.SpikeTruth;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.sink.local.OpsBinaries;
import io.patchpulse.sink.questdb.QuestDbHttp;
import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's "done when" on real parts: the spike scenario through Kafka, the streams app and the sink into QuestDB,
 * VictoriaMetrics (Debian's binary) and Alertmanager (Debian's binary). The spike is kept as an alert, and the trend
 * numbers read back with PromQL equal those read back with SQL, window by window and cohort by cohort.
 */
class OpsStoresEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HOUR_MS = Duration.ofHours(1).toMillis();
    private static final long DAY_MS = Duration.ofDays(1).toMillis();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void shouldKeepTheSpikeAsAnAlertAndWriteTheTrendsToVictoriaMetrics() throws Exception {
        runSpikeScenario(false);
    }

    /**
     * Every window and cohort, and every release day, holds in VictoriaMetrics the last totals QuestDB holds, though
     * each was rewritten many times (growing, and shrinking when false failures were taken back): the revision
     * stamps make the newest rewrite the one VictoriaMetrics keeps.
     */
    @Test
    void shouldShowTheSameCohortNumbersInPromQlAsInSql() throws Exception {
        runSpikeScenario(true);
    }

    private void runSpikeScenario(boolean compareWithPromQl) throws Exception {
        SpikeSimulation spike = SpikeScenario.defaults(1).plan();
        try (OpsBinaries.Running victoria = OpsBinaries.startVictoriaMetrics(dir.resolve("vm"));
                OpsBinaries.Running alertmanager = OpsBinaries.startAlertmanager(dir.resolve("am"),
                        OpsBinaries.SILENT_ALERTMANAGER_CONFIG);
                AllInOne pipeline = AllInOne.start(dir.resolve("data"), new SimpleMeterRegistry(),
                        AllInOne.Endpoints.embedded().withMetricsStores(victoria.baseUrl(), alertmanager.baseUrl()))) {
            // Given the spike scenario published to Kafka
            try (KafkaPublisher publisher = new KafkaPublisher(pipeline.bootstrapServers(), pipeline.topics(),
                    Map.of(), null, null)) {
                for (CollectedRecord record : spike.records()) {
                    publisher.publish(record);
                }
                publisher.flush();
            }

            // Then every planted spike is in the alerts table, resolved, for its cohort. (Alertmanager: a backlog
            // brings a spike's FIRING and RESOLVED records in one batch, and Alertmanager does not notify an alert
            // it only ever saw resolved; how a replayed, already resolved spike should reach it is still open.)
            assertThat(spike.truth()).isNotEmpty();
            QuestDbHttp sql = pipeline.questDbHttp();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> {
                        List<String> resolved = new ArrayList<>();
                        for (Map<String, Object> row : sql.query("SELECT kb, size_bucket, free_bucket, bitlocker "
                                + "FROM alerts WHERE state = 'RESOLVED'")) {
                            resolved.add(row.get("kb") + "|" + row.get("size_bucket") + "|" + row.get("free_bucket")
                                    + "|" + row.get("bitlocker"));
                        }
                        for (SpikeTruth truth : spike.truth()) {
                            assertThat(resolved).contains(truth.cohort().kb() + "|" + truth.cohort().sizeBucket()
                                    + "|" + truth.cohort().freeBucket() + "|" + truth.cohort().bitlocker());
                        }
                    });

            if (!compareWithPromQl) {
                // The series reached VictoriaMetrics (their values: see shouldShowTheSameCohortNumbersInPromQlAsInSql)
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                        .untilAsserted(() -> {
                            flush(victoria.baseUrl());
                            assertThat(exported(victoria.baseUrl(), "patchpulse_trend_devices_failed", HOUR_MS))
                                    .isNotEmpty();
                        });
                return;
            }
            // And the trend numbers read with PromQL equal the ones read with SQL
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                    .untilAsserted(() -> {
                        flush(victoria.baseUrl());
                        Map<String, Long> stored = new TreeMap<>();
                        for (Map<String, Object> row : sql.query("SELECT ts, kb, size_bucket, free_bucket, bitlocker,"
                                + " devices_failed FROM failure_trends")) {
                            stored.put(((Instant) row.get("ts")).toEpochMilli() + "|" + row.get("kb")
                                    + "|" + row.get("size_bucket") + "|" + row.get("free_bucket") + "|"
                                    + row.get("bitlocker"), ((Number) row.get("devices_failed")).longValue());
                        }
                        assertThat(stored).isNotEmpty();
                        assertThat(exported(victoria.baseUrl(), "patchpulse_trend_devices_failed", HOUR_MS))
                                .containsExactlyInAnyOrderEntriesOf(stored);
                        // and one PromQL aggregation: the fleet's devices failed in the spike's window
                        SpikeTruth first = spike.truth().get(0);
                        Instant window = first.startsAt().minusMillis(first.startsAt().toEpochMilli() % 3_600_000);
                        long sqlSum = stored.entrySet().stream()
                                .filter(e -> e.getKey().startsWith(window.toEpochMilli() + "|"))
                                .mapToLong(Map.Entry::getValue).sum();
                        // evaluated at the window's end, where [1h] holds that window's samples only
                        assertThat(promQlScalar(victoria.baseUrl(),
                                "sum(last_over_time(patchpulse_trend_devices_failed[1h]))",
                                window.plus(Duration.ofHours(1)))).isEqualTo(sqlSum);

                        // And each release day's devices failing (a number that also falls) is QuestDB's
                        Map<String, Long> days = new TreeMap<>();
                        for (Map<String, Object> row : sql.query("SELECT ts, kb, devices_failing FROM "
                                + "release_progress")) {
                            days.put(((Instant) row.get("ts")).toEpochMilli() + "|" + row.get("kb"),
                                    ((Number) row.get("devices_failing")).longValue());
                        }
                        assertThat(days).isNotEmpty();
                        assertThat(exportedByKb(victoria.baseUrl(), "patchpulse_release_progress_devices_failing"))
                                .containsExactlyInAnyOrderEntriesOf(days);
                    });
        }
    }

    private static void flush(String base) throws IOException, InterruptedException {
        HTTP.send(HttpRequest.newBuilder(URI.create(base + "/internal/force_flush")).GET().build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /**
     * Every sample of a trend series: {@code windowStartMillis|kb|size|free|bitlocker} to value. A sample lies at its
     * window start + its revision in ms; of two in one window (more than 59,999 revisions) the later one counts.
     */
    private static Map<String, Long> exported(String base, String name, long windowMs)
            throws IOException, InterruptedException {
        return exported(base, name, windowMs, metric -> metric.path("kb").asText() + "|"
                + metric.path("size_bucket").asText() + "|" + metric.path("free_bucket").asText() + "|"
                + metric.path("bitlocker").asText());
    }

    /** Every sample of a release-progress series: {@code dayStartMillis|kb} to value. */
    private static Map<String, Long> exportedByKb(String base, String name) throws IOException, InterruptedException {
        return exported(base, name, DAY_MS, metric -> metric.path("kb").asText());
    }

    private static Map<String, Long> exported(String base, String name, long windowMs,
            java.util.function.Function<JsonNode, String> labels) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/export?match[]="
                + URLEncoder.encode(name, StandardCharsets.UTF_8))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Long> samples = new TreeMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode series = JSON.readTree(line);
            JsonNode metric = series.get("metric");
            String cohort = labels.apply(metric);
            for (int i = 0; i < series.get("timestamps").size(); i++) { // ascending: a later sample replaces
                long millis = series.get("timestamps").get(i).asLong();
                samples.put(Math.floorDiv(millis, windowMs) * windowMs + "|" + cohort,
                        series.get("values").get(i).asLong());
            }
        }
        return samples;
    }

    private static long promQlScalar(String base, String query, Instant at) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&time=" + at.getEpochSecond())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(response.body()).at("/data/result");
        assertThat(result).as(response.body()).hasSize(1);
        return Math.round(Double.parseDouble(result.get(0).get("value").get(1).asText()));
    }
}
