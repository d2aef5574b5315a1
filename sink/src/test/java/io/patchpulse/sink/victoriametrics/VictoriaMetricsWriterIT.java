package io.patchpulse.sink.victoriametrics;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.TrendFixtures.trend;
import static io.patchpulse.sink.victoriametrics.ProgressFixtures.progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.sink.local.OpsBinaries;
import io.patchpulse.sink.StoreException;
import io.patchpulse.sink.WriteResult;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VictoriaMetrics writers against the real {@code victoria-metrics} binary (run as the writer asks:
 * {@code -dedup.minScrapeInterval=1m}): 2024 samples stay in their window, PromQL returns the fixtures' numbers per
 * window and day (evaluated at its end), writing a batch again changes nothing, and of many rewrites of one key the
 * one with the highest revision wins, also when totals shrink.
 */
class VictoriaMetricsWriterIT {

    private static final String KB = "KB5034441";
    private static final Instant NEXT_HOUR = WINDOW.plus(Duration.ofHours(1));
    /** A cohort label that needs every kind of line-protocol escaping, to see it come back unchanged. */
    private static final String ODD_BITLOCKER = "on, tpm=x y\\z";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path root;

    private static OpsBinaries.Running victoriaMetrics;

    @BeforeAll
    static void startVictoriaMetrics() {
        victoriaMetrics = OpsBinaries.startVictoriaMetrics(root.resolve("vm"));
    }

    @AfterAll
    static void stopVictoriaMetrics() {
        if (victoriaMetrics != null) {
            victoriaMetrics.close();
        }
    }

    @Test
    void shouldAnswerPromQlWithTheTrendNumbersAtTheirWindowStartsAndNotDoubleOnRewrite() {
        // Given two hourly windows of three cohorts, the third only in the first window
        List<FailureTrend> current = List.of(
                trend(WINDOW, KB, "<500MB", "<250MB", "on-tpm", 12, 7, 10, 6, 4,
                        Map.of("0x80070643", 5L, "0x800F0828", 1L)),
                trend(WINDOW, KB, ">=1GB", ">=250MB", "off", 20, 1, 20, 1, 19, Map.of("0x80070643", 1L)),
                trend(WINDOW, KB, "500MB-1GB", "<250MB", ODD_BITLOCKER, 4, 2, 3, 2, 1, Map.of("0x80070643", 2L)),
                trend(NEXT_HOUR, KB, "<500MB", "<250MB", "on-tpm", 9, 8, 9, 8, 1, Map.of("0x80070643", 8L)),
                trend(NEXT_HOUR, KB, ">=1GB", ">=250MB", "off", 15, 0, 15, 0, 15, Map.of()));
        // and an earlier total of the first cohort in the same batch, which the later one replaces
        FailureTrend superseded = trend(WINDOW, KB, "<500MB", "<250MB", "on-tpm", 2, 1, 2, 1, 1,
                Map.of("0x80070643", 1L));
        List<FailureTrend> batch = new java.util.ArrayList<>();
        batch.add(superseded);
        batch.addAll(current);

        try (VictoriaMetricsWriter<FailureTrend> writer = VictoriaMetricsWriter.trends(victoriaMetrics.baseUrl())) {
            // When the batch is written
            WriteResult result = writer.write(batch);
            forceFlush();

            // Then every series holds the latest numbers at each window start
            assertThat(result.rows(TrendSeries.MEASUREMENT)).isEqualTo(5);
            assertThat(result.rows(TrendSeries.ERROR_MEASUREMENT)).isEqualTo(current.stream()
                    .mapToLong(t -> t.getDevicesFailedByError().size()).sum());
            assertThat(result.newestWindowStart()).contains(NEXT_HOUR);
            assertTrendsMatch(current);

            // When the same batch comes again (a re-delivery), then nothing doubles
            writer.write(batch);
            forceFlush();
            assertTrendsMatch(current);
            assertThat(samplesPerSeriesAndTime("patchpulse_trend_failures")).allSatisfy(
                    (series, count) -> assertThat(count).as(series).isEqualTo(1));

            // When a window's total grows later, then the new total replaces the old one
            FailureTrend grown = FailureTrend.newBuilder(trend(NEXT_HOUR, KB, ">=1GB", ">=250MB", "off", 30, 3, 28, 2,
                    26, Map.of("0x80070643", 2L))).setRevision(2).build();
            writer.write(List.of(grown));
            forceFlush();
            assertTrendsMatch(List.of(current.get(0), current.get(1), current.get(2), current.get(3), grown));
        }
    }

    @Test
    void shouldAnswerPromQlWithReleaseProgressPerUtcDayAndKeepTheLastRewrite() {
        // Given two days of one release, the second written first with a failing count that later falls
        LocalDate jan10 = LocalDate.of(2024, 1, 10);
        LocalDate jan11 = jan10.plusDays(1);
        ReleaseProgress day1 = progress(KB, jan10, 100, 40, 12, 9, 2,
                Map.of("PARTITION_RESIZED", 6L, "FALSE_FAILURE", 2L, "RETRY", 1L), 30, 0.3, 55);
        ReleaseProgress day2Early = progress(KB, jan11, 100, 60, 20, 15, 3,
                Map.of("PARTITION_RESIZED", 11L, "FALSE_FAILURE", 3L, "RETRY", 1L), 45, 0.45, 40);
        ReleaseProgress day2 = ReleaseProgress.newBuilder(progress(KB, jan11, 100, 61, 14, 21, 3,
                Map.of("PARTITION_RESIZED", 16L, "FALSE_FAILURE", 3L, "RETRY", 2L), 52, 0.52, 33)).setRevision(7).build();

        try (VictoriaMetricsWriter<ReleaseProgress> writer =
                VictoriaMetricsWriter.releaseProgress(victoriaMetrics.baseUrl())) {
            // When the days are written, then written again, then the second day's newer state arrives
            writer.write(List.of(day2Early, day1));
            writer.write(List.of(day2Early, day1));
            forceFlush();
            WriteResult last = writer.write(List.of(day2));
            forceFlush();

            assertThat(last.newestWindowStart()).contains(Instant.parse("2024-01-11T00:00:00Z"));
            // Then each day's samples, read at the midnight that ends it, hold that day's last state
            List<ReleaseProgress> expected = List.of(day1, day2);
            assertDaily("patchpulse_release_progress_devices_failing", expected, ReleaseProgress::getDevicesFailing);
            assertDaily("patchpulse_release_progress_devices_fixed", expected, ReleaseProgress::getDevicesFixed);
            assertDaily("patchpulse_release_progress_exposed_devices", expected, ReleaseProgress::getExposedDevices);
            assertDaily("patchpulse_release_fixed_by_cause_devices", expected,
                    p -> p.getFixedByCause().values().stream().mapToLong(Long::longValue).sum());
            Map<Instant, Double> share = windowQuery("last_over_time(patchpulse_release_progress_share_at_fixed_winre"
                    + "{kb=\"" + KB + "\"}[1d])", midnight(jan10), midnight(jan11), Duration.ofDays(1))
                    .get(Map.of("kb", KB));
            assertThat(share).containsExactlyInAnyOrderEntriesOf(Map.of(midnight(jan10), 0.3, midnight(jan11), 0.52));
            assertThat(samplesPerSeriesAndTime("patchpulse_release_progress_devices_failing")).hasSize(2)
                    .allSatisfy((series, count) -> assertThat(count).as(series).isEqualTo(1));
        }
    }

    @Test
    void shouldKeepTheHighestRevisionOfEveryWindowAmongManyRewritesThatGrowAndShrink() {
        // Given 150 cohorts of one window, each rewritten 30 times (revision 1..30) with totals that go up and down,
        // every round its own batch (as the sink sends them), with flushes in between so rewrites meet across parts
        Instant window = Instant.parse("2024-01-12T09:00:00Z");
        java.util.Random random = new java.util.Random(5);
        Map<String, Long> lastFailed = new TreeMap<>();
        try (VictoriaMetricsWriter<FailureTrend> writer = VictoriaMetricsWriter.trends(victoriaMetrics.baseUrl())) {
            for (int revision = 1; revision <= 30; revision++) {
                List<FailureTrend> round = new java.util.ArrayList<>();
                for (int cohort = 0; cohort < 150; cohort++) {
                    String bitlocker = "rev-" + cohort;
                    long failed = Math.max(0, lastFailed.getOrDefault(bitlocker, 0L) + random.nextInt(11) - 3);
                    lastFailed.put(bitlocker, failed);
                    round.add(FailureTrend.newBuilder(trend(window, "KB5099999", "<500MB", "<250MB", bitlocker,
                            failed + 5, failed, failed + 5, failed, 5, Map.of())).setRevision(revision).build());
                }
                writer.write(round);
                if (revision % 7 == 0) {
                    forceFlush();
                }
            }
            forceFlush();
        }

        // Then every cohort's window holds its last totals, as one sample
        Map<Map<String, String>, Map<Instant, Double>> expected = new HashMap<>();
        lastFailed.forEach((bitlocker, failed) -> expected.put(Map.of("bitlocker", bitlocker),
                Map.of(window, (double) failed)));
        assertThat(windowQuery("sum by (bitlocker) (last_over_time(patchpulse_trend_devices_failed"
                + "{kb=\"KB5099999\"}[1h]))", window, window, Duration.ofHours(1))).isEqualTo(expected);
        assertThat(samplesPerSeriesAndTime("patchpulse_trend_devices_failed{kb=\"KB5099999\"}")).hasSize(150)
                .allSatisfy((series, count) -> assertThat(series).endsWith("@" + window.plusMillis(30).toEpochMilli()));
    }

    @Test
    void shouldReportAnUnreachableStoreAsRetriable() {
        try (VictoriaMetricsWriter<FailureTrend> writer = VictoriaMetricsWriter.trends("http://127.0.0.1:1")) {
            assertThatThrownBy(() -> writer.write(List.of(trend(WINDOW, KB, "<500MB", "<250MB", "off", 1, 1, 1, 1,
                    0, Map.of()))))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.isRetriable()).isTrue();
                        assertThat(e.httpStatus()).isZero();
                    });
        }
    }

    /** Checks cohort counts, the failure rate per window and devices per error code against the fixtures. */
    private static void assertTrendsMatch(List<FailureTrend> trends) {
        // Devices failed per cohort and window, as the fixtures say
        Map<Map<String, String>, Map<Instant, Double>> expectedByCohort = new HashMap<>();
        for (FailureTrend t : trends) {
            expectedByCohort.computeIfAbsent(Map.of("size_bucket", t.getSizeBucket(), "free_bucket",
                    t.getFreeBucket(), "bitlocker", t.getBitlocker()), k -> new HashMap<>())
                    .put(t.getWindowStart(), (double) t.getDevicesFailed());
        }
        assertThat(windowQuery("sum by (size_bucket, free_bucket, bitlocker) (last_over_time("
                + "patchpulse_trend_devices_failed{kb=\"" + KB + "\"}[1h]))", WINDOW, NEXT_HOUR, Duration.ofHours(1)))
                .isEqualTo(expectedByCohort);

        // The fleet's failure rate per window: devices failed over devices attempted, summed over cohorts
        Map<Instant, Double> expectedRate = trends.stream().collect(Collectors.groupingBy(FailureTrend::getWindowStart,
                Collectors.collectingAndThen(Collectors.toList(), ts -> (double) ts.stream()
                        .mapToLong(FailureTrend::getDevicesFailed).sum() / ts.stream()
                        .mapToLong(FailureTrend::getDevicesAttempted).sum())));
        Map<Instant, Double> rate = windowQuery("sum(last_over_time(patchpulse_trend_devices_failed[1h]))"
                + " / sum(last_over_time(patchpulse_trend_devices_attempted[1h]))", WINDOW, NEXT_HOUR,
                Duration.ofHours(1)).get(Map.of());
        assertThat(rate).hasSameSizeAs(expectedRate);
        expectedRate.forEach((window, value) -> assertThat(rate.get(window)).as("rate at %s", window)
                .isCloseTo(value, org.assertj.core.data.Offset.offset(1e-12)));

        // Devices per error code per window
        Map<Map<String, String>, Map<Instant, Double>> expectedByCode = new HashMap<>();
        for (FailureTrend t : trends) {
            t.getDevicesFailedByError().forEach((code, devices) -> expectedByCode
                    .computeIfAbsent(Map.of("error_code", code), k -> new HashMap<>())
                    .merge(t.getWindowStart(), (double) devices, Double::sum));
        }
        assertThat(windowQuery("sum by (error_code) (last_over_time(patchpulse_trend_error_devices_failed[1h]))",
                WINDOW, NEXT_HOUR, Duration.ofHours(1))).isEqualTo(expectedByCode);
    }

    private static void assertDaily(String series, List<ReleaseProgress> days, ToLongFunction<ReleaseProgress> field) {
        Map<Instant, Double> expected = days.stream().collect(Collectors.toMap(p -> midnight(p.getDay()),
                p -> (double) field.applyAsLong(p)));
        Instant first = expected.keySet().stream().min(Instant::compareTo).orElseThrow();
        Instant last = expected.keySet().stream().max(Instant::compareTo).orElseThrow();
        Map<Map<String, String>, Map<Instant, Double>> answer = windowQuery(
                "sum by (kb) (last_over_time(" + series + "[1d]))", first, last, Duration.ofDays(1));
        assertThat(answer).as(series).isEqualTo(Map.of(Map.of("kb", KB), expected));
    }

    private static Instant midnight(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * One point per window from {@code firstStart} to {@code lastStart}: {@code promQl} evaluated at each window's
     * end (where {@code last_over_time(x[window])} sees that window's samples only), keyed back by window start.
     */
    private static Map<Map<String, String>, Map<Instant, Double>> windowQuery(String promQl, Instant firstStart,
            Instant lastStart, Duration window) {
        Map<Map<String, String>, Map<Instant, Double>> byStart = new HashMap<>();
        rangeQuery(promQl, firstStart.plus(window), lastStart.plus(window), window).forEach((labels, points) -> {
            Map<Instant, Double> shifted = new HashMap<>();
            points.forEach((end, value) -> shifted.put(end.minus(window), value));
            byStart.put(labels, shifted);
        });
        return byStart;
    }

    /** {@code /api/v1/query_range}: labels (without {@code __name__}) to time to value. */
    private static Map<Map<String, String>, Map<Instant, Double>> rangeQuery(String promQl, Instant start,
            Instant end, Duration step) {
        JsonNode answer = get("/api/v1/query_range?query=" + URLEncoder.encode(promQl, StandardCharsets.UTF_8)
                + "&start=" + start.getEpochSecond() + "&end=" + end.getEpochSecond() + "&step="
                + step.toSeconds() + "s");
        assertThat(answer.path("status").asText()).as("answer to %s: %s", promQl, answer).isEqualTo("success");
        Map<Map<String, String>, Map<Instant, Double>> result = new HashMap<>();
        for (JsonNode series : answer.path("data").path("result")) {
            Map<String, String> labels = new TreeMap<>();
            series.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            labels.remove("__name__");
            Map<Instant, Double> points = new HashMap<>();
            for (JsonNode point : series.path("values")) {
                points.put(Instant.ofEpochSecond(point.get(0).asLong()), Double.parseDouble(point.get(1).asText()));
            }
            result.put(Map.copyOf(labels), points);
        }
        return result;
    }

    /** {@code /api/v1/export}: raw samples, counted per series and timestamp. */
    private static Map<String, Integer> samplesPerSeriesAndTime(String metric) {
        String body = getText("/api/v1/export?match[]=" + URLEncoder.encode(metric, StandardCharsets.UTF_8));
        Map<String, Integer> counts = new TreeMap<>();
        for (Iterator<String> lines = body.lines().iterator(); lines.hasNext(); ) {
            JsonNode series = parse(lines.next());
            for (JsonNode timestamp : series.path("timestamps")) {
                counts.merge(series.path("metric") + "@" + timestamp.asLong(), 1, Integer::sum);
            }
        }
        assertThat(counts).as("samples of %s", metric).isNotEmpty();
        return counts;
    }

    private static void forceFlush() {
        getText("/internal/force_flush");
    }

    private static JsonNode get(String pathAndQuery) {
        return parse(getText(pathAndQuery));
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static String getText(String pathAndQuery) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(victoriaMetrics.baseUrl() + pathAndQuery)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET %s: %s", pathAndQuery, response.body()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("GET " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
