package io.patchpulse.sink.metrics;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.TrendFixtures.trend;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.schemas.avro.FailureTrend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CohortRateGaugesTest {

    private static final Instant NEXT = WINDOW.plus(Duration.ofHours(1));

    /** A clock well after every test window, so none counts as stamped ahead of it. */
    private static final java.time.Clock FAR_FUTURE =
            java.time.Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void shouldShowEachCohortsRateInTheNewestWindowAndNaNForACohortQuietInIt() {
        CohortRateGauges gauges = new CohortRateGauges(registry, 10);

        gauges.write(List.of(
                small(WINDOW, 10, 2),
                onTpmLarge(WINDOW, 8, 0),
                small(NEXT, 20, 15),
                // a late update of the older window changes nothing shown: the newest window rules
                small(WINDOW, 12, 3)));

        assertThat(rate("<500MB", "<250MB")).isEqualTo(15.0 / 20);
        assertThat(attempted("<500MB", "<250MB")).isEqualTo(20);
        assertThat(rate(">=1GB", ">=250MB")).isNaN();
        assertThat(attempted(">=1GB", ">=250MB")).isZero();

        gauges.write(List.of(onTpmLarge(NEXT, 5, 1), small(NEXT, 21, 15)));

        assertThat(rate("<500MB", "<250MB")).isEqualTo(15.0 / 21);
        assertThat(rate(">=1GB", ">=250MB")).isEqualTo(1.0 / 5);
    }

    @Test
    void shouldNotLetAWindowStampedAheadOfTheClockBecomeTheNewest() {
        java.time.Clock clock = java.time.Clock.fixed(NEXT.plus(Duration.ofMinutes(30)), java.time.ZoneOffset.UTC);
        CohortRateGauges gauges = new CohortRateGauges(registry, 10, clock);

        gauges.write(List.of(small(NEXT, 20, 15), onTpmLarge(NEXT, 5, 1),
                // a device clock a day ahead
                onTpmLarge(NEXT.plus(Duration.ofDays(1)), 3, 3)));

        assertThat(rate("<500MB", "<250MB")).isEqualTo(15.0 / 20);
        assertThat(gauges.newestWindow()).isEqualTo(NEXT);
    }

    @Test
    void shouldCapTheNumberOfCohortsAndCountWhatItLeavesOut() {
        CohortRateGauges gauges = new CohortRateGauges(registry, 1);

        gauges.write(List.of(small(WINDOW, 10, 2), onTpmLarge(WINDOW, 8, 0), onTpmLarge(WINDOW, 9, 1)));

        assertThat(registry.find(CohortRateGauges.FAILURE_RATE).gauges()).hasSize(1);
        assertThat(registry.get(CohortRateGauges.UNTRACKED).counter().count()).isEqualTo(2);
    }

    @Test
    void shouldEvictACohortQuietForLongerThanTheEvictionAgeAndGiveItsGaugesBackWhenItReportsAgain() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CohortRateGauges gauges = new CohortRateGauges(prometheus, 10, Duration.ofHours(3), FAR_FUTURE);
        gauges.write(List.of(small(WINDOW, 10, 2), onTpmLarge(WINDOW, 8, 1)));

        // Three hours on, the large cohort is exactly 3 h behind: kept (NaN, quiet in the newest window).
        gauges.write(List.of(small(WINDOW.plus(Duration.ofHours(3)), 10, 3)));
        assertThat(prometheus.scrape()).contains("size_bucket=\">=1GB\"");

        // Four hours on, it is 4 h behind: its two series leave the scrape, the live cohort's stay.
        gauges.write(List.of(small(WINDOW.plus(Duration.ofHours(4)), 10, 4)));
        assertThat(prometheus.scrape()).doesNotContain("size_bucket=\">=1GB\"")
                .contains("patchpulse_cohort_failure_rate{bitlocker=\"on-tpm\",free_bucket=\"<250MB\","
                        + "kb=\"KB5034441\",size_bucket=\"<500MB\"} 0.4");
        assertThat(gauges.trackedCohorts()).isEqualTo(1);

        gauges.write(List.of(onTpmLarge(WINDOW.plus(Duration.ofHours(4)), 5, 1)));
        assertThat(prometheus.scrape()).contains(
                "patchpulse_cohort_failure_rate{bitlocker=\"on-tpm\",free_bucket=\">=250MB\","
                        + "kb=\"KB5034441\",size_bucket=\">=1GB\"} 0.2");
        assertThat(prometheus.get(CohortRateGauges.UNTRACKED).counter().count()).isZero();
    }

    @Test
    void shouldGiveANewCohortTheSlotOfTheLeastRecentlyUpdatedQuietCohortAtTheCapButNeverOfALiveOne() {
        CohortRateGauges gauges = new CohortRateGauges(registry, 2);
        gauges.write(List.of(small(WINDOW, 10, 2), onTpmLarge(WINDOW, 8, 1), small(NEXT, 10, 5)));

        // At the cap, a new KB comes: the large cohort is quiet in NEXT and updated least recently, so it goes.
        gauges.write(List.of(otherKb(NEXT, 4, 1)));

        assertThat(registry.find(CohortRateGauges.FAILURE_RATE).tag("kb", "KB5057589").gauge().value())
                .isEqualTo(1.0 / 4);
        assertThat(registry.find(CohortRateGauges.FAILURE_RATE).tag("size_bucket", ">=1GB").gauges()).isEmpty();
        assertThat(registry.find(CohortRateGauges.DEVICES_ATTEMPTED).tag("size_bucket", ">=1GB").gauges()).isEmpty();
        assertThat(registry.get(CohortRateGauges.UNTRACKED).counter().count()).isZero();

        // Both remaining cohorts are live in NEXT: the large cohort, back, is left out and counted.
        gauges.write(List.of(onTpmLarge(NEXT, 8, 1)));

        assertThat(registry.find(CohortRateGauges.FAILURE_RATE).gauges()).hasSize(2);
        assertThat(registry.find(CohortRateGauges.FAILURE_RATE).tag("size_bucket", ">=1GB").gauges()).isEmpty();
        assertThat(registry.get(CohortRateGauges.UNTRACKED).counter().count()).isEqualTo(1);
        assertThat(rate("<500MB", "<250MB")).isEqualTo(5.0 / 10);
    }

    @Test
    void shouldRenderUnderThePrometheusNamesTheRulesUse() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new CohortRateGauges(prometheus, 10).write(List.of(small(WINDOW, 4, 1)));

        assertThat(prometheus.scrape()).contains(
                "patchpulse_cohort_failure_rate{bitlocker=\"on-tpm\",free_bucket=\"<250MB\",kb=\"KB5034441\","
                        + "size_bucket=\"<500MB\"} 0.25",
                "patchpulse_cohort_devices_attempted_devices{bitlocker=\"on-tpm\",free_bucket=\"<250MB\","
                        + "kb=\"KB5034441\",size_bucket=\"<500MB\"} 4.0",
                "patchpulse_cohort_untracked_records_total 0.0");
    }

    @Test
    void shouldRemoveItsGaugesWhenClosed() {
        CohortRateGauges gauges = new CohortRateGauges(registry, 10);
        gauges.write(List.of(small(WINDOW, 4, 1)));

        gauges.close();

        assertThat(registry.find(CohortRateGauges.FAILURE_RATE).gauges()).isEmpty();
    }

    private double rate(String size, String free) {
        return registry.get(CohortRateGauges.FAILURE_RATE).tags("size_bucket", size, "free_bucket", free).gauge()
                .value();
    }

    private double attempted(String size, String free) {
        return registry.get(CohortRateGauges.DEVICES_ATTEMPTED).tags("size_bucket", size, "free_bucket", free)
                .gauge().value();
    }

    private static FailureTrend small(Instant window, long attempted, long failed) {
        return trend(window, "KB5034441", "<500MB", "<250MB", "on-tpm", attempted, failed, attempted, failed,
                attempted - failed, Map.of());
    }

    private static FailureTrend otherKb(Instant window, long attempted, long failed) {
        return trend(window, "KB5057589", "<500MB", "<250MB", "on-tpm", attempted, failed, attempted, failed,
                attempted - failed, Map.of());
    }

    private static FailureTrend onTpmLarge(Instant window, long attempted, long failed) {
        return trend(window, "KB5034441", ">=1GB", ">=250MB", "on-tpm", attempted, failed, attempted, failed,
                attempted - failed, Map.of());
    }
}
