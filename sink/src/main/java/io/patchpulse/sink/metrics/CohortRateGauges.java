package io.patchpulse.sink.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.sink.RecordWriter;
import io.patchpulse.sink.WriteResult;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live gauges of the newest window's failure rate per cohort, for Prometheus: a "writer" on the trend route whose
 * store is the meter registry. Each cohort ({@code kb}, {@code size_bucket}, {@code free_bucket}, {@code bitlocker}:
 * bounded labels, never a device) gets
 * <ul>
 *   <li>{@value #FAILURE_RATE} (Prometheus {@code patchpulse_cohort_failure_rate}): devices failed / devices
 *       attempted in the newest trend window the sink has seen; NaN when the cohort had no attempt in that window,
 *       so a quiet cohort does not keep showing an old rate;</li>
 *   <li>{@value #DEVICES_ATTEMPTED} ({@code patchpulse_cohort_devices_attempted}): the denominator, so rules can ask
 *       for enough devices before trusting a rate.</li>
 * </ul>
 * At most {@code maxCohorts} cohorts get gauges (the label space is bounded by the buckets and the KBs seen; the cap
 * guards against a flood of made-up KBs). A cohort is evicted, its gauges removed from the registry, once its newest
 * window lies more than {@code evictAfter} (default {@link #DEFAULT_EVICT_AFTER}, a day) behind the newest window
 * of all; and at the cap, a new cohort takes the place of the least recently updated one if that one is quiet (no
 * window in the newest: its gauge shows NaN anyway). Only when the least recently updated cohort is still live is a
 * new one left out and counted in {@value #UNTRACKED}, so a long-running sink keeps showing the cohorts that report
 * now while a flood cannot push live ones out. An evicted cohort that reports again gets its gauges back. Used by the
 * sink's one thread; the gauges are read by the scraping thread, hence the atomics.
 */
public final class CohortRateGauges implements RecordWriter<FailureTrend> {

    public static final String FAILURE_RATE = "patchpulse.cohort.failure.rate";
    public static final String DEVICES_ATTEMPTED = "patchpulse.cohort.devices.attempted";
    public static final String UNTRACKED = "patchpulse.cohort.untracked";
    public static final int DEFAULT_MAX_COHORTS = 2_000;
    /** A cohort whose newest window is this far behind the newest of all is dropped: a day of hourly windows. */
    public static final java.time.Duration DEFAULT_EVICT_AFTER = java.time.Duration.ofHours(24);

    /** A window starting later than this after the sink's clock cannot be the newest (a device clock ahead). */
    static final java.time.Duration MAX_AHEAD = java.time.Duration.ofHours(1);

    private final java.time.Clock clock;
    private final MeterRegistry registry;
    private final int maxCohorts;
    private final long evictAfterMillis;
    /** In access order: the first entry is the cohort updated least recently. */
    private final Map<List<String>, Tracked> cohorts = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong newestWindowMillis = new AtomicLong(Long.MIN_VALUE);
    private final Counter untracked;

    /** Gauges for at most {@code maxCohorts} cohorts, each evicted after {@link #DEFAULT_EVICT_AFTER} of quiet. */
    public CohortRateGauges(MeterRegistry registry, int maxCohorts) {
        this(registry, maxCohorts, DEFAULT_EVICT_AFTER, java.time.Clock.systemUTC());
    }

    /** As above, with the clock that bounds which windows may count as the newest (for tests). */
    CohortRateGauges(MeterRegistry registry, int maxCohorts, java.time.Clock clock) {
        this(registry, maxCohorts, DEFAULT_EVICT_AFTER, clock);
    }

    /**
     * As above, evicting a cohort whose newest window lies more than {@code evictAfter} behind the newest window of
     * all.
     */
    CohortRateGauges(MeterRegistry registry, int maxCohorts, java.time.Duration evictAfter, java.time.Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.registry = Objects.requireNonNull(registry, "registry");
        if (maxCohorts < 1) {
            throw new IllegalArgumentException("maxCohorts must be at least 1, not " + maxCohorts);
        }
        if (evictAfter.isNegative() || evictAfter.isZero()) {
            throw new IllegalArgumentException("evictAfter must be positive, not " + evictAfter);
        }
        this.maxCohorts = maxCohorts;
        this.evictAfterMillis = evictAfter.toMillis();
        this.untracked = Counter.builder(UNTRACKED)
                .description("Trend records of cohorts beyond the gauge cap whose least recently updated cohort was"
                        + " still live, not shown as gauges")
                .baseUnit("records")
                .register(registry);
    }

    @Override
    public String store() {
        return "meters";
    }

    @Override
    public WriteResult write(List<FailureTrend> trends) {
        long newestBefore = newestWindowMillis.get();
        for (FailureTrend trend : trends) {
            long window = trend.getWindowStart().toEpochMilli();
            List<String> cohort = List.of(trend.getKb(), trend.getSizeBucket(), trend.getFreeBucket(),
                    trend.getBitlocker());
            Tracked tracked = cohorts.get(cohort);
            if (tracked == null) {
                if (window < oldestKept()) {
                    continue; // a late record of a cohort long quiet: it would be evicted again at once
                }
                if (cohorts.size() >= maxCohorts && !evictLeastRecentIfQuiet()) {
                    untracked.increment();
                    continue;
                }
                tracked = register(cohort);
                cohorts.put(cohort, tracked);
            }
            tracked.latest().update(window, trend.getDevicesFailed(), trend.getDevicesAttempted());
            // One window stamped ahead of the clock must not turn every other cohort's gauge NaN until then.
            if (window <= clock.millis() + MAX_AHEAD.toMillis()) {
                newestWindowMillis.accumulateAndGet(window, Math::max);
            }
        }
        if (newestWindowMillis.get() != newestBefore) {
            evictQuiet();
        }
        return WriteResult.empty();
    }

    /** Cohorts currently shown as gauges, for tests. */
    int trackedCohorts() {
        return cohorts.size();
    }

    /** At the cap: removes the least recently updated cohort if it has no window in the newest one; true if so. */
    private boolean evictLeastRecentIfQuiet() {
        Iterator<Tracked> leastRecent = cohorts.values().iterator();
        if (!leastRecent.hasNext()) {
            return false;
        }
        Tracked candidate = leastRecent.next();
        if (candidate.latest().snapshot()[0] >= newestWindowMillis.get()) {
            return false;
        }
        leastRecent.remove();
        candidate.unregister(registry);
        return true;
    }

    /** Removes every cohort whose newest window lies more than evictAfter behind the newest window of all. */
    private void evictQuiet() {
        long oldestKept = oldestKept();
        for (Iterator<Tracked> it = cohorts.values().iterator(); it.hasNext(); ) {
            Tracked tracked = it.next();
            if (tracked.latest().snapshot()[0] < oldestKept) {
                it.remove();
                tracked.unregister(registry);
            }
        }
    }

    /** The oldest window start a cohort may have and keep its gauges. */
    private long oldestKept() {
        long newest = newestWindowMillis.get();
        return newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest - evictAfterMillis;
    }

    private Tracked register(List<String> cohort) {
        String[] tags = {"kb", cohort.get(0), "size_bucket", cohort.get(1), "free_bucket", cohort.get(2),
            "bitlocker", cohort.get(3)};
        Latest latest = new Latest();
        Meter rate = Gauge.builder(FAILURE_RATE, latest, this::rate)
                .tags(tags)
                .description("Devices failed / attempted in the newest trend window, per cohort (NaN: no attempt)")
                .register(registry);
        Meter attempted = Gauge.builder(DEVICES_ATTEMPTED, latest, this::attempted)
                .tags(tags)
                .description("Devices attempted in the newest trend window, per cohort")
                .baseUnit("devices")
                .register(registry);
        return new Tracked(latest, rate, attempted);
    }

    private double rate(Latest latest) {
        long[] now = latest.snapshot();
        if (now[0] != newestWindowMillis.get() || now[2] == 0) {
            return Double.NaN;
        }
        return (double) now[1] / now[2];
    }

    private double attempted(Latest latest) {
        long[] now = latest.snapshot();
        return now[0] == newestWindowMillis.get() ? now[2] : 0;
    }

    /** The newest window any cohort reported, for tests and logs. */
    Instant newestWindow() {
        return Instant.ofEpochMilli(newestWindowMillis.get());
    }

    @Override
    public void close() {
        cohorts.values().forEach(tracked -> tracked.unregister(registry));
        cohorts.clear();
        registry.remove(untracked);
    }

    /** A cohort's newest window and its two gauges. */
    private record Tracked(Latest latest, Meter rate, Meter attempted) {
        void unregister(MeterRegistry registry) {
            registry.remove(rate);
            registry.remove(attempted);
        }
    }

    /** A cohort's newest window: its start, devices failed and attempted, replaced together. */
    private static final class Latest {
        private long[] values = {Long.MIN_VALUE, 0, 0};

        synchronized void update(long window, long failed, long attempted) {
            if (window >= values[0]) {
                values = new long[] {window, failed, attempted};
            }
        }

        synchronized long[] snapshot() {
            return values;
        }
    }
}
