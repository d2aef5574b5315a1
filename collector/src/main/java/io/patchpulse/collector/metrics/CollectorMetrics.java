package io.patchpulse.collector.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Meters of the collector, all under {@value #PREFIX}: items read per format and outcome, records spooled, the
 * spool's depth, records delivered to Kafka, failed delivery attempts, and how long ago Kafka last took a batch. Tags
 * take bounded values only (format, outcome); never a device or a token. Thread-safe.
 */
public final class CollectorMetrics implements MeterBinder, AutoCloseable {

    public static final String PREFIX = "patchpulse.collector.";
    /** Counter, tags format + outcome (accepted, rejected, skipped) ({@code patchpulse_collector_items_total}). */
    public static final String ITEMS = PREFIX + "items";
    /** Counter, tag format: normalized records spooled ({@code patchpulse_collector_spooled_records_total}). */
    public static final String SPOOLED_RECORDS = PREFIX + "spooled.records";
    /** Gauge: records waiting in the spool ({@code patchpulse_collector_spool_depth_records}). */
    public static final String SPOOL_DEPTH = PREFIX + "spool.depth";
    /** Counter: records Kafka acknowledged ({@code patchpulse_collector_delivered_records_total}). */
    public static final String DELIVERED_RECORDS = PREFIX + "delivered.records";
    /** Counter: batches Kafka did not take, kept for a retry ({@code patchpulse_collector_delivery_failures_total}). */
    public static final String DELIVERY_FAILURES = PREFIX + "delivery.failures";
    /**
     * Gauge: seconds since Kafka last took a batch, {@code NaN} before the first
     * ({@code patchpulse_collector_last_delivery_age_seconds}).
     */
    public static final String LAST_DELIVERY_AGE = PREFIX + "last.delivery.age";

    public static final String TAG_FORMAT = "format";
    public static final String TAG_OUTCOME = "outcome";

    private final Map<InputFormat, LongAdder[]> items = new EnumMap<>(InputFormat.class);
    private final Map<InputFormat, LongAdder> records = new EnumMap<>(InputFormat.class);
    private final LongSupplier spoolDepth;
    private final LongSupplier delivered;
    private final LongSupplier deliveryFailures;
    private final Supplier<Instant> lastDelivery;
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final List<Meter> meters = new ArrayList<>();

    /** Meters reading the spool and the drainer through these functions. */
    public CollectorMetrics(LongSupplier spoolDepth, LongSupplier delivered, LongSupplier deliveryFailures,
                            Supplier<Instant> lastDelivery) {
        this.spoolDepth = spoolDepth;
        this.delivered = delivered;
        this.deliveryFailures = deliveryFailures;
        this.lastDelivery = lastDelivery;
        for (InputFormat format : InputFormat.values()) {
            items.put(format, new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
            records.put(format, new LongAdder());
        }
    }

    /** What one input of {@code format} gave, once it is in the spool. */
    public void recordIngested(InputFormat format, ParseResult result) {
        LongAdder[] counts = items.get(format);
        counts[0].add(result.accepted());
        counts[1].add(result.rejected());
        counts[2].add(result.skipped());
        records.get(format).add(result.records().size());
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        registries.add(registry);
        String[] outcomes = {"accepted", "rejected", "skipped"};
        for (InputFormat format : InputFormat.values()) {
            for (int i = 0; i < outcomes.length; i++) {
                meters.add(FunctionCounter.builder(ITEMS, items.get(format)[i], LongAdder::doubleValue)
                        .tags(TAG_FORMAT, format.id(), TAG_OUTCOME, outcomes[i])
                        .description("Input items (lines, events, rows) read, by format and outcome")
                        .baseUnit("items")
                        .register(registry));
            }
            meters.add(FunctionCounter.builder(SPOOLED_RECORDS, records.get(format), LongAdder::doubleValue)
                    .tag(TAG_FORMAT, format.id())
                    .description("Normalized records put into the spool, by input format")
                    .baseUnit("records")
                    .register(registry));
        }
        meters.add(Gauge.builder(SPOOL_DEPTH, spoolDepth, LongSupplier::getAsLong)
                .description("Records in the spool that Kafka has not acknowledged yet")
                .baseUnit("records")
                .register(registry));
        meters.add(FunctionCounter.builder(DELIVERED_RECORDS, delivered, s -> s.getAsLong())
                .description("Records Kafka acknowledged and the spool released")
                .baseUnit("records")
                .register(registry));
        meters.add(FunctionCounter.builder(DELIVERY_FAILURES, deliveryFailures, s -> s.getAsLong())
                .description("Batches Kafka did not take (kept in the spool for a retry)")
                .baseUnit("failures")
                .register(registry));
        meters.add(Gauge.builder(LAST_DELIVERY_AGE, lastDelivery, CollectorMetrics::ageSeconds)
                .description("Seconds since Kafka last took a batch from the spool")
                .baseUnit("seconds")
                .register(registry));
    }

    private static double ageSeconds(Supplier<Instant> last) {
        Instant at = last.get();
        return at == null ? Double.NaN : (System.currentTimeMillis() - at.toEpochMilli()) / 1000.0;
    }

    /** Removes the meters from every registry they were bound to. */
    @Override
    public synchronized void close() {
        for (MeterRegistry registry : registries) {
            meters.forEach(registry::remove);
        }
        meters.clear();
        registries.clear();
    }
}
