package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.ReleaseProgress;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sums the status deltas of one release (input keyed by KB, after the shuffle) into its running totals (store
 * {@link Names#STORE_RELEASE_TOTALS}, key KB) and writes where the release stands to its newest day's row (store
 * {@link Names#STORE_RELEASE_PROGRESS}, key {@code kb|YYYY-MM-DD}), which is also forwarded to release-progress.
 * The day row's {@code revision} counts its updates (1 on the first, +1 on each): it is kept in that changelogged
 * store, so it survives restarts and strictly grows per {@code kb|day} key; the running totals' own revision is
 * not used.
 */
final class ReleaseProgressAggregator implements FixedKeyProcessor<String, ReleaseProgress, ReleaseProgress> {

    private FixedKeyProcessorContext<String, ReleaseProgress> context;
    private KeyValueStore<String, ReleaseProgress> totals;
    private KeyValueStore<String, ReleaseProgress> days;
    private KeyValueStore<String, Release> releases;

    @Override
    public void init(FixedKeyProcessorContext<String, ReleaseProgress> context) {
        this.context = context;
        this.totals = context.getStateStore(Names.STORE_RELEASE_TOTALS);
        this.days = context.getStateStore(Names.STORE_RELEASE_PROGRESS);
        this.releases = context.getStateStore(Names.STORE_RELEASES);
    }

    @Override
    public void process(FixedKeyRecord<String, ReleaseProgress> record) {
        String kb = record.key();
        ReleaseProgress delta = record.value();
        if (kb == null || delta == null) {
            return;
        }
        ReleaseProgress sum = ProgressMath.add(totals.get(kb), delta, releases.get(kb));
        ReleaseProgress before = days.get(dayKey(sum));
        ReleaseProgress now = ReleaseProgress.newBuilder(sum)
                .setRevision(before == null ? 1 : before.getRevision() + 1)
                .build();
        totals.put(kb, now);
        days.put(dayKey(now), now);
        context.forward(record.withValue(now));
    }

    /** {@code kb|YYYY-MM-DD}: sorts by day within a KB. */
    static String dayKey(ReleaseProgress progress) {
        return progress.getKb() + "|" + progress.getDay();
    }
}
