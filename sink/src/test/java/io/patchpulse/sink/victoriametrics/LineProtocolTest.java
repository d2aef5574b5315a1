package io.patchpulse.sink.victoriametrics;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.TrendFixtures.smallPartitionTrend;
import static io.patchpulse.sink.TrendFixtures.trend;
import static io.patchpulse.sink.victoriametrics.ProgressFixtures.progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.ReleaseProgress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The line-protocol text the VictoriaMetrics writers send: names, escaping, timestamps, last value per key. */
class LineProtocolTest {

    /** 2024-01-09T14:00:00Z in nanoseconds: 19731 days * 86400 s + 14 h * 3600 s, times 10^9. */
    /** 2024-01-09T14:00:00Z ({@code WINDOW}) in epoch seconds: day 19731, 14 hours. */
    private static final long WINDOW_SECONDS = 19731L * 86_400 + 14 * 3_600;

    @Test
    void shouldEscapeCommasSpacesEqualsSignsAndBackslashesInTagValues() {
        String text = new LineProtocol()
                .measurement("m")
                .tag("cohort", "on, tpm=x y")
                .tag("path", "C:\\Recovery")
                .tag("empty", "")
                .tag("broken", "two\nlines")
                .field("value", 1L)
                .at(Instant.EPOCH)
                .text();

        assertThat(text).isEqualTo(
                "m,cohort=on\\,\\ tpm\\=x\\ y,path=C:\\\\Recovery,empty=unknown,broken=two\\ lines value=1i 0\n");
    }

    @Test
    void shouldEscapeMeasurementsWithoutTouchingEqualsSigns() {
        String text = new LineProtocol().measurement("a b,c=d").field("f", 2L).at(Instant.ofEpochSecond(1)).text();

        assertThat(text).isEqualTo("a\\ b\\,c=d f=2i 1000000000\n");
    }

    @Test
    void shouldWriteDoublesInPlainNotationAndLeaveOutNullAndNaN() {
        String text = new LineProtocol().measurement("m")
                .field("small", 0.0001)
                .field("missing", (Double) null)
                .field("nan", Double.NaN)
                .field("whole", 1.0)
                .at(Instant.ofEpochMilli(1))
                .text();

        assertThat(text).isEqualTo("m small=0.0001,whole=1 1000000\n");
    }

    @Test
    void shouldRefuseALineWithoutFields() {
        LineProtocol lines = new LineProtocol().measurement("m").tag("a", "b");

        assertThatThrownBy(() -> lines.at(Instant.EPOCH)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldWriteATrendAsCohortTotalsAndOneLinePerErrorCodeAtTheWindowStartPlusItsRevisionInMs() {
        FailureTrend trend = FailureTrend.newBuilder(trend(WINDOW, "KB5034441", ">=1GB", "<250MB", "on-tpm", 10, 6,
                8, 5, 4, Map.of("0x80070643", 4L, "0x800F0828", 1L, "disk full", 1L, "E_FAIL?", 2L)))
                .setRevision(42).build();
        String at = WINDOW_SECONDS + "042000000"; // revision 42 adds 42 ms

        LineProtocol lines = new LineProtocol();
        new TrendSeries().encode(trend, lines);

        String cohort = "size_bucket=>\\=1GB,free_bucket=<250MB,bitlocker=on-tpm";
        assertThat(lines.text()).isEqualTo(String.join("\n",
                "patchpulse_trend,kb=KB5034441," + cohort + " attempts=10i,failures=6i,devices_attempted=8i,"
                        + "devices_failed=5i,devices_succeeded=4i " + at,
                "patchpulse_trend_error,kb=KB5034441,error_code=0x80070643," + cohort + " devices_failed=4i " + at,
                "patchpulse_trend_error,kb=KB5034441,error_code=0x800F0828," + cohort + " devices_failed=1i " + at,
                "patchpulse_trend_error,kb=KB5034441,error_code=other," + cohort + " devices_failed=3i " + at, ""));
        assertThat(lines.linesByMeasurement())
                .containsExactlyInAnyOrderEntriesOf(Map.of("patchpulse_trend", 1L, "patchpulse_trend_error", 3L));
    }

    @Test
    void shouldStampEveryRevisionInsideItsWindowAfterItsStart() {
        Instant start = Instant.parse("2024-01-09T14:00:00Z");
        Duration hour = Duration.ofHours(1);
        assertThat(SeriesEncoder.revisionStamp(start, hour, 0)).as("before the field existed: as revision 1")
                .isEqualTo("2024-01-09T14:00:00.001Z");
        assertThat(SeriesEncoder.revisionStamp(start, hour, 1)).isEqualTo("2024-01-09T14:00:00.001Z");
        assertThat(SeriesEncoder.revisionStamp(start, hour, 59_999)).isEqualTo("2024-01-09T14:00:59.999Z");
        assertThat(SeriesEncoder.revisionStamp(start, hour, 60_000)).as("the next dedup minute, same window")
                .isEqualTo("2024-01-09T14:01:00Z");
        assertThat(SeriesEncoder.revisionStamp(start, hour, 10_000_000)).as("capped: the window's last millisecond")
                .isEqualTo("2024-01-09T14:59:59.999Z");
        assertThat(SeriesEncoder.revisionStamp(start, Duration.ofMinutes(1), 70_000))
                .isEqualTo("2024-01-09T14:00:59.999Z");
    }

    @Test
    void shouldWriteOnlyTheLastTrendOfAKeyInABatch() {
        FailureTrend early = smallPartitionTrend(WINDOW, 1, 1, 1, 1, 0, Map.of());
        FailureTrend nextHour = smallPartitionTrend(WINDOW.plus(Duration.ofHours(1)), 2, 0, 2, 0, 2, Map.of());
        FailureTrend grown = smallPartitionTrend(WINDOW, 7, 3, 6, 3, 3, Map.of());

        String text = VictoriaMetricsWriter.trends("http://127.0.0.1:1")
                .encode(List.of(early, nextHour, grown)).text();

        assertThat(text.lines()).hasSize(2);
        assertThat(text.lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
                .contains("attempts=7i,failures=3i").endsWith(" " + WINDOW_SECONDS + "001000000")); // revision 0 (unknown): 1 ms
    }

    @Test
    void shouldWriteReleaseProgressAtTheStartOfItsUtcDayPlusItsRevisionInMs() {
        var day = ReleaseProgress.newBuilder(progress("KB5034441", LocalDate.of(2024, 1, 10), 100, 40, 12, 9, 2,
                Map.of("PARTITION_RESIZED", 6L, "FALSE_FAILURE", 2L, "RETRY", 1L), 30, 0.3, 55)).setRevision(3)
                .build();
        var unknownShare = progress("KB5034441", LocalDate.of(2024, 1, 11), 0, 0, 0, 0, 0, Map.of(), 0, null, 0);

        String text = VictoriaMetricsWriter.releaseProgress("http://127.0.0.1:1")
                .encode(List.of(day, unknownShare)).text();

        // Days 19732 and 19733 since the epoch; revision 3 adds 3 ms, revision 0 (unknown) 1 ms
        String jan10 = (19732L * 86_400) + "003000000";
        String jan11 = (19733L * 86_400) + "001000000";
        assertThat(text).isEqualTo(String.join("\n",
                "patchpulse_release_progress,kb=KB5034441 devices_tracked=100i,devices_attempted=40i,"
                        + "devices_failing=12i,devices_fixed=9i,devices_false_failure=2i,devices_at_fixed_winre=30i,"
                        + "share_at_fixed_winre=0.3,exposed_devices=55i " + jan10,
                "patchpulse_release_fixed_by_cause,kb=KB5034441,cause=FALSE_FAILURE devices=2i " + jan10,
                "patchpulse_release_fixed_by_cause,kb=KB5034441,cause=PARTITION_RESIZED devices=6i " + jan10,
                "patchpulse_release_fixed_by_cause,kb=KB5034441,cause=RETRY devices=1i " + jan10,
                "patchpulse_release_progress,kb=KB5034441 devices_tracked=0i,devices_attempted=0i,"
                        + "devices_failing=0i,devices_fixed=0i,devices_false_failure=0i,devices_at_fixed_winre=0i,"
                        + "exposed_devices=0i " + jan11, ""));
    }
}
