package io.patchpulse.deploy.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** How far a consumer group is behind the end of the partitions it reads. */
public final class ConsumerLag {

    private ConsumerLag() {
    }

    /**
     * Records the group has not yet committed past, over all partitions it has offsets for; partitions of
     * {@code mustCover} topics that the group has no offset for count in full.
     */
    public static long of(Admin admin, String groupId, String... mustCover) throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            committed.keySet().forEach(partition -> request.put(partition, OffsetSpec.latest()));
            for (String topic : mustCover) {
                admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(info -> request.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest()));
            }
            // The high watermark, not the last stable offset: a committed transaction's markers reach its data
            // partitions and the offsets topic independently, so for a moment the group's offsets can already be
            // committed while the LSO of the output partitions still hides the records that transaction wrote.
            // Against the LSO that moment reads as "no lag"; against the high watermark it cannot. At rest the
            // two are equal, because consumers commit their positions, which lie past the commit markers.
            var ends = admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
            long lag = 0;
            for (var entry : ends.entrySet()) {
                OffsetAndMetadata offset = committed.get(entry.getKey());
                long position = offset == null ? 0 : offset.offset();
                lag += Math.max(0, entry.getValue().offset() - position);
            }
            return lag;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of group " + groupId + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }
}
