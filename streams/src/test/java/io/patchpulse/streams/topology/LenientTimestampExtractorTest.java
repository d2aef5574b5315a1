package io.patchpulse.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Records without a usable timestamp (pre-0.10 formats carry -1) must not stop the app, even as a first record. */
class LenientTimestampExtractorTest {

    private final LenientTimestampExtractor extractor = new LenientTimestampExtractor();

    private static ConsumerRecord<Object, Object> withTimestamp(long timestamp) {
        return new ConsumerRecord<>("t", 0, 0L, timestamp, TimestampType.CREATE_TIME, 0, 0, "k", "v",
                new RecordHeaders(), Optional.empty());
    }

    @Test
    void shouldUseTheRecordTimestampWhenItIsUsable() {
        assertThat(extractor.extract(withTimestamp(1_704_823_200_000L), 5L)).isEqualTo(1_704_823_200_000L);
    }

    @Test
    void shouldFallBackToPartitionTimeThenToZeroInsteadOfThrowing() {
        assertThat(extractor.extract(withTimestamp(-1L), 1_000L)).isEqualTo(1_000L);
        assertThat(extractor.extract(withTimestamp(-1L), -1L)).isZero();
    }
}
