package io.patchpulse.collector.simulate;

import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Paces a replay of simulated records by their receive time: records received before {@code liveFrom} go at once,
 * records from there on at {@code speed} simulated seconds per wall-clock second, so that an alert which lasted
 * hours in the simulation stays visible for seconds to minutes in Alertmanager and the dashboard. One instance per
 * replay; not thread-safe.
 */
public final class ReplayPace {

    /** Default speed of a live part: a quarter of an hour of the simulation per second (a spike of 3 to 8 hours fires for 12 to 32 s). */
    public static final double DEFAULT_SPEED = 900;

    private final Instant liveFrom;
    private final double speed;
    private final LongSupplier nanoClock;
    private long liveStartedNanos;
    private boolean live;

    /**
     * @param liveFrom  receive time from which records are paced; null: none is (full speed throughout)
     * @param speed     simulated seconds per wall second, positive; {@code Double.POSITIVE_INFINITY} for full speed
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    ReplayPace(Instant liveFrom, double speed, LongSupplier nanoClock) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("replay speed must be positive, was " + speed);
        }
        this.liveFrom = liveFrom;
        this.speed = speed;
        this.nanoClock = nanoClock;
    }

    /** Paces from {@code liveFrom} (null: never) at {@code speed} on the system clock. */
    public static ReplayPace of(Instant liveFrom, double speed) {
        return new ReplayPace(liveFrom, speed, System::nanoTime);
    }

    /** No pacing: every record at once. */
    public static ReplayPace fullSpeed() {
        return of(null, Double.POSITIVE_INFINITY);
    }

    /** Whether any record is paced at all. */
    public boolean paces() {
        return liveFrom != null && Double.isFinite(speed);
    }

    /**
     * How long to wait before publishing a record received at {@code receivedAt}: zero before the live part and at
     * full speed; else until its receive time, scaled by the speed, has passed since the first live record.
     */
    public Duration delayBefore(Instant receivedAt) {
        if (!paces() || receivedAt.isBefore(liveFrom)) {
            return Duration.ZERO;
        }
        long now = nanoClock.getAsLong();
        if (!live) {
            live = true;
            liveStartedNanos = now;
        }
        double simulatedNanos = Duration.between(liveFrom, receivedAt).toNanos();
        long due = liveStartedNanos + (long) (simulatedNanos / speed);
        return due > now ? Duration.ofNanos(due - now) : Duration.ZERO;
    }

    /** Sleeps for {@link #delayBefore(Instant)}. */
    public void awaitTurnOf(Instant receivedAt) throws InterruptedException {
        Duration delay = delayBefore(receivedAt);
        if (!delay.isZero()) {
            Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
        }
    }

    /** Wall time the live part takes, from {@code liveFrom} to {@code end}; zero when nothing is paced. */
    public Duration liveDuration(Instant end) {
        if (!paces() || !end.isAfter(liveFrom)) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) (Duration.between(liveFrom, end).toNanos() / speed));
    }
}
