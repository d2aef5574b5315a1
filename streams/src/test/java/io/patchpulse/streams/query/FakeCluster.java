package io.patchpulse.streams.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.HostInfo;

/**
 * A group of query instances without Kafka: partition {@code p} of every store belongs to instance
 * {@code p % instances}, a key goes to partition {@code floorMod(routingKey.hashCode(), partitions)}. Each
 * instance's {@link #stores(HostInfo)} reads only the partitions it owns, like the real thing. A store can be put
 * "rebalancing" (every call answers {@link NotQueryableException}) or given a stale view of the group.
 */
final class FakeCluster {

    private final int partitions;
    private final List<HostInfo> instances = new ArrayList<>();
    /** store -> partition -> key -> value. */
    private final Map<String, Map<Integer, TreeMap<String, Object>>> data = new ConcurrentHashMap<>();
    private final Set<String> rebalancing = ConcurrentHashMap.newKeySet();
    private final Map<HostInfo, Map<HostInfo, Set<Integer>>> staleViews = new ConcurrentHashMap<>();

    FakeCluster(int partitions) {
        this.partitions = partitions;
    }

    FakeCluster join(HostInfo instance) {
        instances.add(instance);
        return this;
    }

    int partitionOf(String routingKey) {
        return Math.floorMod(routingKey.hashCode(), partitions);
    }

    HostInfo ownerOf(int partition) {
        return instances.get(partition % instances.size());
    }

    void put(String store, String routingKey, String key, Object value) {
        data.computeIfAbsent(store, name -> new ConcurrentHashMap<>())
                .computeIfAbsent(partitionOf(routingKey), partition -> new TreeMap<>()).put(key, value);
    }

    void rebalancing(String store) {
        rebalancing.add(store);
    }

    /** {@code instance} sees the group as {@code view} (for every store). */
    void staleView(HostInfo instance, Map<HostInfo, Set<Integer>> view) {
        staleViews.put(instance, view);
    }

    Map<HostInfo, Set<Integer>> view() {
        Map<HostInfo, Set<Integer>> view = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            view.computeIfAbsent(ownerOf(partition), host -> new TreeSet<>()).add(partition);
        }
        return view;
    }

    QueryableStores stores(HostInfo self) {
        return new QueryableStores() {
            @Override
            public HostInfo self() {
                return self;
            }

            @Override
            public KeyOwner owner(String store, String routingKey) {
                refuseWhileRebalancing(store);
                int partition = partitionOf(routingKey);
                return new KeyOwner(ownerOf(partition), partition);
            }

            @Override
            public Map<HostInfo, Set<Integer>> partitions(String store) {
                refuseWhileRebalancing(store);
                return staleViews.getOrDefault(self, view());
            }

            @Override
            @SuppressWarnings("unchecked")
            public <V> void scan(String store, int partition, String prefix, BiConsumer<String, V> visitor) {
                refuseWhileRebalancing(store);
                if (!ownerOf(partition).equals(self)) {
                    throw new IllegalStateException(self + " was asked for partition " + partition
                            + " it does not own: routing is broken");
                }
                data.getOrDefault(store, Map.of()).getOrDefault(partition, new TreeMap<>()).forEach((key, value) -> {
                    if (prefix == null || key.startsWith(prefix)) {
                        visitor.accept(key, (V) value);
                    }
                });
            }
        };
    }

    private void refuseWhileRebalancing(String store) {
        if (rebalancing.contains(store)) {
            throw new NotQueryableException(store + " is rebalancing");
        }
    }
}
