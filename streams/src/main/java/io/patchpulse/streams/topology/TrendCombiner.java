package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.FailureTrend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Step 3b, a combiner: sums the trend deltas of this task per window and cohort for a short while
 * ({@link TopologySettings#combineEvery()}, wall clock) and sends each sum on as one delta, so the shuffle by cohort
 * carries one record per window and cohort per interval instead of one per event. The deltas are plain sums
 * ({@link TrendMath#add}; a device is counted once by step 3 before this), so the totals of step 5 do not change;
 * only the number of intermediate updates does, and each total is visible up to one interval later.
 *
 * <p>The pending sums live in a changelogged store ({@link Names#STORE_TREND_COMBINER}), written in the same
 * transaction as the input offsets. So under exactly-once a crash rolls back the forwards, the deletes and the
 * offsets together, and the restore brings the pending sums back. StreamsKillFaultIT (deploy) runs with it on: it kills
 * one of two instances with SIGKILL mid-run and compares every trend total with an independent recount. A task that
 * moves to another instance takes its pending sums along. Each sum keeps the newest record time of its deltas, so an alert's {@code startsAt} can be up to one
 * interval's worth of event time later than without the combiner.
 */
final class TrendCombiner implements Processor<String, Counted, String, FailureTrend> {

    private final Duration every;
    private ProcessorContext<String, FailureTrend> context;
    private TimestampedKeyValueStore<String, FailureTrend> pending;

    TrendCombiner(Duration every) {
        this.every = every;
    }

    @Override
    public void init(ProcessorContext<String, FailureTrend> context) {
        this.context = context;
        this.pending = context.getStateStore(Names.STORE_TREND_COMBINER);
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> flush());
    }

    @Override
    public void process(Record<String, Counted> record) {
        String key = record.value().trendKey();
        FailureTrend delta = record.value().delta();
        ValueAndTimestamp<FailureTrend> sum = pending.get(key);
        if (sum == null) {
            pending.put(key, ValueAndTimestamp.make(delta, record.timestamp()));
        } else {
            pending.put(key, ValueAndTimestamp.make(TrendMath.add(sum.value(), delta),
                    Math.max(sum.timestamp(), record.timestamp())));
        }
    }

    /** Sends every pending sum on, in key order, and forgets it. */
    private void flush() {
        List<KeyValue<String, ValueAndTimestamp<FailureTrend>>> sums = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<FailureTrend>> all = pending.all()) {
            all.forEachRemaining(sums::add);
        }
        for (KeyValue<String, ValueAndTimestamp<FailureTrend>> sum : sums) {
            context.forward(new Record<>(sum.key, sum.value.value(), sum.value.timestamp()));
            pending.delete(sum.key);
        }
    }
}
