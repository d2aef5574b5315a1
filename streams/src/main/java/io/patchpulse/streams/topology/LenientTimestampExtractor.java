package io.patchpulse.streams.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The record's timestamp; when that is unusable (negative), the partition's time, and when the partition has none
 * yet, 0. Kafka's own {@code UsePartitionTimeOnInvalidTimestamp} throws in that last case, which would stop the app
 * on a bad first record. Record time only orders the input here: lateness is decided on {@code occurredAt}.
 */
public final class LenientTimestampExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.timestamp() >= 0) {
            return record.timestamp();
        }
        return Math.max(0, partitionTime);
    }
}
