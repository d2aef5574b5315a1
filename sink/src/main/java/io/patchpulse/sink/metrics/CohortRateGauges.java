package io.patchpulse.sink.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.sink.RecordWriter;
import io.patchpulse.sink.WriteResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * guards against a flood of made-up KBs); later ones are counted in {@value #UNTRACKED}. Used by the sink's one
 * thread; the gauges are read by the scraping thread, hence the atomics.
 */
public final class CohortRateGauges implements RecordWriter<FailureTrend> {

    public static final String FAILURE_RATE = "patchpulse.cohort.failure.rate";
    public static final String DEVICES_ATTEMPTED = "patchpulse.cohort.devices.attempted";
    public static final String UNTRACKED = "patchpulse.cohort.untracked";
    public static final int DEFAULT_MAX_COHORTS = 2_000;

    /** A window starting later than this after the sink's clock cannot be the newest (a device clock ahead). */
    static final java.time.Duration MAX_AHEAD = java.time.Duration.ofHours(1);

    private final java.time.Clock clock;
    private final MeterRegistry registry;
    private final int maxCohorts;
    private final Map<List<String>, Latest> cohorts = new HashMap<>();
    private final AtomicLong newestWindowMillis = new AtomicLong(Long.MIN_VALUE);
    private final List<Meter> meters = new ArrayList<>();
    private final Counter untracked;

    public CohortRateGauges(MeterRegistry registry, int maxCohorts) {
        this(registry, maxCohorts, java.time.Clock.systemUTC());
    }

    /** As above, with the clock that bounds which windows may count as the newest (for tests). */
    CohortRateGauges(MeterRegistry registry, int maxCohorts, java.time.Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.registry = Objects.requireNonNull(registry, "registry");
        if (maxCohorts < 1) {
            throw new IllegalArgumentException("maxCohorts must be at least 1, not " + maxCohorts);
        }
        this.maxCohorts = maxCohorts;
        this.untracked = Counter.builder(UNTRACKED)
                .description("Trend records of cohorts beyond the gauge cap, not shown as gauges")
                .baseUnit("records")
                .register(registry);
        meters.add(untracked);
    }

    @Override
    public String store() {
        return "meters";
    }

    @Override
    public WriteResult write(List<FailureTrend> trends) {
        for (FailureTrend trend : trends) {
            long window = trend.getWindowStart().toEpochMilli();
            List<String> cohort = List.of(trend.getKb(), trend.getSizeBucket(), trend.getFreeBucket(),
                    trend.getBitlocker());
            Latest latest = cohorts.get(cohort);
            if (latest == null) {
                if (cohorts.size() >= maxCohorts) {
                    untracked.increment();
                    continue;
                }
                latest = new Latest();
                cohorts.put(cohort, latest);
                register(cohort, latest);
            }
            latest.update(window, trend.getDevicesFailed(), trend.getDevicesAttempted());
            // One window stamped ahead of the clock must not turn every other cohort's gauge NaN until then.
            if (window <= clock.millis() + MAX_AHEAD.toMillis()) {
                newestWindowMillis.accumulateAndGet(window, Math::max);
            }
        }
        return WriteResult.empty();
    }

    private void register(List<String> cohort, Latest latest) {
        String[] tags = {"kb", cohort.get(0), "size_bucket", cohort.get(1), "free_bucket", cohort.get(2),
            "bitlocker", cohort.get(3)};
        meters.add(Gauge.builder(FAILURE_RATE, latest, this::rate)
                .tags(tags)
                .description("Devices failed / attempted in the newest trend window, per cohort (NaN: no attempt)")
                .register(registry));
        meters.add(Gauge.builder(DEVICES_ATTEMPTED, latest, this::attempted)
                .tags(tags)
                .description("Devices attempted in the newest trend window, per cohort")
                .baseUnit("devices")
                .register(registry));
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
        meters.forEach(registry::remove);
        meters.clear();
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
