package io.patchpulse.streams.query;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@link QueryableStores} over a running {@link KafkaStreams}: ownership from its metadata (every instance
 * advertises {@code application.server}), reads from one partition of the local active store at a time, so a
 * scatter-gather never counts a partition twice and can tell when one is missing.
 */
public final class KafkaStreamsStores implements QueryableStores {

    private static final Serializer<String> KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final HostInfo self;
    /** Store -> names of the topics its sub-topology reads (internal ones with and without the application id). */
    private final Map<String, Set<String>> sourcesByStore;

    /**
     * @param streams       the client, created with {@code application.server} = {@code self}
     * @param self          this instance's advertised address
     * @param topology      the topology {@code streams} runs (to know which topics feed which store)
     * @param applicationId the application id (prefix of internal topic names)
     */
    public KafkaStreamsStores(KafkaStreams streams, HostInfo self, Topology topology, String applicationId) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.self = Objects.requireNonNull(self, "self");
        this.sourcesByStore = sourcesByStore(topology.describe(), applicationId);
    }

    @Override
    public HostInfo self() {
        return self;
    }

    @Override
    public KeyOwner owner(String store, String routingKey) {
        requireStore(store);
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, routingKey, KEYS);
        } catch (StreamsException | IllegalStateException e) {
            throw new NotQueryableException("the owner of " + store + " key " + routingKey + " is not known now ("
                    + e.getMessage() + ")", e);
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)
                || metadata.activeHost() == null || metadata.activeHost().equals(HostInfo.unavailable())) {
            throw new NotQueryableException("no instance holds the partition of " + store + " key " + routingKey
                    + " right now (rebalancing)");
        }
        return new KeyOwner(metadata.activeHost(), metadata.partition());
    }

    @Override
    public Map<HostInfo, Set<Integer>> partitions(String store) {
        Set<String> sources = requireStore(store);
        Map<HostInfo, Set<Integer>> byHost = new HashMap<>();
        try {
            for (StreamsMetadata instance : streams.streamsMetadataForStore(store)) {
                Set<Integer> partitions = new TreeSet<>();
                for (TopicPartition partition : instance.topicPartitions()) {
                    if (sources.contains(partition.topic())) {
                        partitions.add(partition.partition());
                    }
                }
                byHost.put(instance.hostInfo(), partitions);
            }
        } catch (StreamsException | IllegalStateException e) {
            throw new NotQueryableException("the instances holding " + store + " are not known now ("
                    + e.getMessage() + ")", e);
        }
        if (byHost.isEmpty()) {
            throw new NotQueryableException("no instance holds " + store + " right now (starting or rebalancing)");
        }
        return byHost;
    }

    @Override
    public <V> void scan(String store, int partition, String prefix, BiConsumer<String, V> visitor) {
        ReadOnlyKeyValueStore<String, V> local;
        try {
            local = streams.store(StoreQueryParameters
                    .fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore())
                    .withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw new NotQueryableException("partition " + partition + " of " + store + " cannot be read on "
                    + self.host() + ":" + self.port() + " now (" + e.getMessage() + ")", e);
        }
        try (KeyValueIterator<String, V> entries = prefix == null ? local.all() : local.prefixScan(prefix, KEYS)) {
            while (entries.hasNext()) {
                KeyValue<String, V> entry = entries.next();
                visitor.accept(entry.key, entry.value);
            }
        } catch (InvalidStateStoreException e) {
            // The task migrated away while we read: what was read is incomplete.
            throw new NotQueryableException("partition " + partition + " of " + store + " moved while it was read ("
                    + e.getMessage() + ")", e);
        }
    }

    private Set<String> requireStore(String store) {
        Set<String> sources = sourcesByStore.get(store);
        if (sources == null) {
            throw new NotQueryableException("this instance's topology has no store " + store);
        }
        return sources;
    }

    /** For each store of a sub-topology, the topics that sub-topology reads, as named in partition assignments. */
    static Map<String, Set<String>> sourcesByStore(TopologyDescription description, String applicationId) {
        Map<String, Set<String>> byStore = new HashMap<>();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            Set<String> topics = new HashSet<>();
            Set<String> stores = new HashSet<>();
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    for (String topic : source.topicSet()) {
                        topics.add(topic);
                        // Repartition topics are described without the application id they carry on the broker.
                        topics.add(applicationId + "-" + topic);
                    }
                } else if (node instanceof TopologyDescription.Processor processor) {
                    stores.addAll(processor.stores());
                }
            }
            for (String store : stores) {
                byStore.computeIfAbsent(store, name -> new HashSet<>()).addAll(topics);
            }
        }
        byStore.replaceAll((store, topics) -> Set.copyOf(topics));
        return Map.copyOf(byStore);
    }
}
