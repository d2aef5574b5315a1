package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.Release;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global release-catalog store ({@link Names#STORE_RELEASES}) equal to the compacted releases topic: every
 * instance holds the whole catalog, so a release an analyst publishes applies at once, without a redeploy. A
 * tombstone removes a release.
 */
final class ReleaseCatalogLoader implements Processor<String, Release, Void, Void> {

    private KeyValueStore<String, Release> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(Names.STORE_RELEASES);
    }

    @Override
    public void process(Record<String, Release> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }
}
