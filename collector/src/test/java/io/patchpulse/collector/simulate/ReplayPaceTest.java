package io.patchpulse.collector.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplayPaceTest {

    private static final Instant LIVE = Instant.parse("2024-02-13T17:00:00Z");

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @Test
    void shouldLetEverythingBeforeTheLivePartGoAtOnce() {
        ReplayPace pace = new ReplayPace(LIVE, 1_800, clock::get);

        assertThat(pace.delayBefore(LIVE.minus(Duration.ofDays(2)))).isZero();
        assertThat(pace.delayBefore(LIVE.minusMillis(1))).isZero();
    }

    @Test
    void shouldSpaceLiveRecordsByTheirReceiveTimeDividedByTheSpeed() {
        ReplayPace pace = new ReplayPace(LIVE, 1_800, clock::get);

        assertThat(pace.delayBefore(LIVE)).isZero();
        // at 1,800: half an hour later in the simulation is one second later on the wall
        assertThat(pace.delayBefore(LIVE.plus(Duration.ofMinutes(30)))).isEqualTo(Duration.ofSeconds(1));
        clock.addAndGet(Duration.ofMillis(400).toNanos());
        assertThat(pace.delayBefore(LIVE.plus(Duration.ofMinutes(30)))).isEqualTo(Duration.ofMillis(600));
        // a replay that fell behind does not wait
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(pace.delayBefore(LIVE.plus(Duration.ofHours(1)))).isZero();
    }

    @Test
    void shouldTellHowLongTheLivePartTakes() {
        assertThat(ReplayPace.of(LIVE, 1_800).liveDuration(LIVE.plus(Duration.ofHours(20))))
                .isEqualTo(Duration.ofSeconds(40));
        assertThat(ReplayPace.fullSpeed().liveDuration(LIVE.plus(Duration.ofHours(20)))).isZero();
        assertThat(ReplayPace.fullSpeed().delayBefore(LIVE.plus(Duration.ofHours(20)))).isZero();
        assertThat(ReplayPace.of(null, 1_800).paces()).isFalse();
    }

    @Test
    void shouldRefuseASpeedThatIsNotPositive() {
        assertThatThrownBy(() -> ReplayPace.of(LIVE, 0)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> ReplayPace.of(LIVE, Double.NaN)).hasMessageContaining("must be positive");
    }
}
