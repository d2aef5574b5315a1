package io.patchpulse.streams.query;

import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What the query API needs from Kafka Streams: who owns a key, which instance holds which partitions of a store,
 * and the entries of a partition this instance holds. {@link KafkaStreamsStores} is the real one; tests plug in
 * their own to check routing without a broker.
 *
 * <p>Every method throws {@link NotQueryableException} when the answer is not known right now (the group is
 * rebalancing, a store is restoring): the API turns it into 503 with Retry-After.
 */
public interface QueryableStores {

    /** The address other instances reach this one at ({@code application.server}). */
    HostInfo self();

    /**
     * The instance that actively holds the partition {@code routingKey} hashes to (default partitioner, string
     * key), and that partition.
     */
    KeyOwner owner(String store, String routingKey);

    /** Per instance, the partitions of {@code store} it holds actively, as this instance sees the group now. */
    Map<HostInfo, Set<Integer>> partitions(String store);

    /**
     * Visits the entries of partition {@code partition} of {@code store}, held actively by this instance, whose key
     * starts with {@code prefix} (every entry when {@code null}); no order is promised.
     */
    <V> void scan(String store, int partition, String prefix, BiConsumer<String, V> visitor);

    /**
     * Where a key lives.
     *
     * @param active    the instance that holds its partition actively
     * @param partition the partition
     */
    record KeyOwner(HostInfo active, int partition) {
    }
}
