package io.patchpulse.bench.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void shouldTakeNearestRankPercentilesThatAreMeasuredValues() {
        long[] nanos = new long[200];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (200 - i) * 1_000_000L; // 1..200 ms, reversed
        }

        LatencyStats stats = LatencyStats.ofNanos(nanos);

        assertThat(stats.count()).isEqualTo(200);
        assertThat(stats.minMs()).isEqualTo(1.0);
        assertThat(stats.p50Ms()).isEqualTo(100.0);
        assertThat(stats.p99Ms()).isEqualTo(198.0);
        assertThat(stats.maxMs()).isEqualTo(200.0);
        assertThat(stats.meanMs()).isEqualTo(100.5);
    }

    @Test
    void shouldGiveTheMaximumAsP99BelowAHundredSamples() {
        LatencyStats stats = LatencyStats.ofNanos(new long[] {5_000_000L, 1_000_000L, 3_000_000L});

        assertThat(stats.p50Ms()).isEqualTo(3.0);
        assertThat(stats.p99Ms()).isEqualTo(5.0);
        assertThat(stats.maxMs()).isEqualTo(5.0);
    }

    @Test
    void shouldRefuseMoreProbesThanHalfTheEvents() {
        assertThatThrownBy(() -> LatencyProbe.Settings.of(10, Duration.ofSeconds(1), 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probes");
    }

    @Test
    void shouldPlanASpikeAboveTheFloorsAndTheFactor() {
        var rules = io.patchpulse.streams.topology.AlertRules.defaults();

        AlertDelayProbe.Settings settings = AlertDelayProbe.Settings.of(3, rules);

        assertThat(settings.spikeDevices()).isGreaterThanOrEqualTo((int) rules.minDevicesFailed())
                .isGreaterThanOrEqualTo((int) Math.ceil(rules.factor() * settings.baselineFailing()));
    }
}
