package io.patchpulse.sink.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Meters of the sink, all under {@value #PREFIX}: what was consumed, written per table, skipped, retried, how long a
 * batch write took and how far the store has got. Tags take bounded values only (table, reason, outcome).
 *
 * <p>Counts are kept here and read by the registries, so one instance can be bound to several registries and records
 * what happens before binding. {@link #close()} removes the meters again (a restarted sink binds a new instance).
 * Thread-safe.
 */
public final class SinkMetrics implements MeterBinder, AutoCloseable {

    public static final String PREFIX = "patchpulse.sink.";
    // Names end with their base unit, so Prometheus does not repeat it; each Javadoc gives the Prometheus name.

    /** Counter: {@code failure-trends} records polled ({@code patchpulse_sink_consumed_records_total}). */
    public static final String CONSUMED_RECORDS = PREFIX + "consumed.records";
    /** Counter, tag {@value #TAG_TABLE}: rows written to the store ({@code patchpulse_sink_written_rows_total}). */
    public static final String WRITTEN_ROWS = PREFIX + "written.rows";
    /**
     * Counter, tag {@value #TAG_REASON}: records not written, reason {@value #REASON_UNDECODABLE}
     * ({@code patchpulse_sink_skipped_records_total}).
     */
    public static final String SKIPPED_RECORDS = PREFIX + "skipped.records";
    /** Counter: write attempts repeated after a retriable failure ({@code patchpulse_sink_write_retries_total}). */
    public static final String WRITE_RETRIES = PREFIX + "write.retries";
    /**
     * Timer, tag {@value #TAG_OUTCOME}: one batch write into the store, retries included
     * ({@code patchpulse_sink_batch_write_seconds_count|_sum|_max}).
     */
    public static final String BATCH_WRITE = PREFIX + "batch.write";
    /**
     * Gauge: start of the newest window written, epoch seconds, {@code NaN} until the first write
     * ({@code patchpulse_sink_newest_window_start_seconds}).
     */
    public static final String NEWEST_WINDOW_START = PREFIX + "newest.window.start";

    public static final String TAG_TABLE = "table";
    public static final String TAG_REASON = "reason";
    public static final String TAG_OUTCOME = "outcome";
    public static final String REASON_UNDECODABLE = "undecodable";
    public static final String OUTCOME_SUCCESS = "success";
    public static final String OUTCOME_FAILURE = "failure";

    private static final long NO_WINDOW = Long.MIN_VALUE;

    private final LongAdder consumed = new LongAdder();
    private final LongAdder skippedUndecodable = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final Map<String, LongAdder> rowsByTable = new ConcurrentHashMap<>();
    private final AtomicLong newestWindowStartSeconds = new AtomicLong(NO_WINDOW);
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final List<Meter> meters = new ArrayList<>();
    private final List<Timer> successTimers = new ArrayList<>();
    private final List<Timer> failureTimers = new ArrayList<>();

    /** Meters for the given tables; rows of other tables get their meter on first use. */
    public SinkMetrics(List<String> tables) {
        tables.forEach(table -> rowsByTable.put(table, new LongAdder()));
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        registries.add(registry);
        meters.add(FunctionCounter.builder(CONSUMED_RECORDS, consumed, LongAdder::doubleValue)
                .description("failure-trends records polled from Kafka")
                .baseUnit("records")
                .register(registry));
        meters.add(FunctionCounter.builder(SKIPPED_RECORDS, skippedUndecodable, LongAdder::doubleValue)
                .tag(TAG_REASON, REASON_UNDECODABLE)
                .description("failure-trends records skipped because their value could not be decoded")
                .baseUnit("records")
                .register(registry));
        meters.add(FunctionCounter.builder(WRITE_RETRIES, retries, LongAdder::doubleValue)
                .description("Batch writes repeated after a retriable store error (I/O, time-out, HTTP 5xx)")
                .baseUnit("retries")
                .register(registry));
        rowsByTable.forEach((table, rows) -> meters.add(rowsCounter(registry, table, rows)));
        Timer success = batchTimer(registry, OUTCOME_SUCCESS);
        Timer failure = batchTimer(registry, OUTCOME_FAILURE);
        successTimers.add(success);
        failureTimers.add(failure);
        meters.add(success);
        meters.add(failure);
        meters.add(Gauge.builder(NEWEST_WINDOW_START, newestWindowStartSeconds, SinkMetrics::windowGaugeValue)
                .description("Start of the newest trend window written to the store, as epoch seconds")
                .baseUnit("seconds")
                .register(registry));
    }

    /** {@code count} records polled. */
    public void recordConsumed(long count) {
        consumed.add(count);
    }

    /** {@code rows} rows written to {@code table}. */
    public void recordRowsWritten(String table, long rows) {
        LongAdder adder = rowsByTable.get(table);
        if (adder == null) {
            adder = newTable(table);
        }
        adder.add(rows);
    }

    /** One record skipped because its value could not be decoded. */
    public void recordSkippedUndecodable() {
        skippedUndecodable.increment();
    }

    /** One write attempt repeated. */
    public void recordWriteRetry() {
        retries.increment();
    }

    /** One batch write finished, successfully or not, after {@code duration} (retries included). */
    public void recordBatchWrite(Duration duration, boolean success) {
        List<Timer> timers;
        synchronized (this) {
            timers = List.copyOf(success ? successTimers : failureTimers);
        }
        timers.forEach(timer -> timer.record(duration.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** A window starting at {@code windowStart} is in the store; the gauge keeps the newest. */
    public void recordWindowWritten(Instant windowStart) {
        newestWindowStartSeconds.accumulateAndGet(windowStart.getEpochSecond(), Math::max);
    }

    /** Removes this binder's meters from every registry it was bound to. */
    @Override
    public synchronized void close() {
        for (MeterRegistry registry : registries) {
            meters.forEach(registry::remove);
        }
        meters.clear();
        registries.clear();
        successTimers.clear();
        failureTimers.clear();
    }

    private synchronized LongAdder newTable(String table) {
        LongAdder adder = rowsByTable.get(table);
        if (adder == null) {
            adder = new LongAdder();
            rowsByTable.put(table, adder);
            for (MeterRegistry registry : registries) {
                meters.add(rowsCounter(registry, table, adder));
            }
        }
        return adder;
    }

    private static Meter rowsCounter(MeterRegistry registry, String table, LongAdder rows) {
        return FunctionCounter.builder(WRITTEN_ROWS, rows, LongAdder::doubleValue)
                .tag(TAG_TABLE, table)
                .description("Rows written to the store, per table (an upsert of an existing key counts too)")
                .baseUnit("rows")
                .register(registry);
    }

    private static Timer batchTimer(MeterRegistry registry, String outcome) {
        // A timer's base unit is the registry's (seconds in Prometheus); Timer.Builder has no baseUnit.
        return Timer.builder(BATCH_WRITE)
                .tag(TAG_OUTCOME, outcome)
                .description("Time to write and flush one batch into the store, retries and back-off included")
                .register(registry);
    }

    private static double windowGaugeValue(AtomicLong seconds) {
        long value = seconds.get();
        return value == NO_WINDOW ? Double.NaN : value;
    }
}
