package io.patchpulse.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.streams.topology.Names;
import io.patchpulse.streams.topology.TopologySettings;
import io.patchpulse.streams.topology.TrendTopology;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;

/** Which topics feed which store: how a fleet-wide query knows the partitions it must read. */
class KafkaStreamsStoresTest {

    @Test
    void shouldFindTheTopicsOfAStoresSubTopologyIncludingRepartitionTopicsWithTheApplicationId() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .groupBy((key, value) -> value, Grouped.with("by-value", Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(
                        "counts"));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("other"),
                Serdes.String(), Serdes.String()));
        builder.stream("in2", Consumed.with(Serdes.String(), Serdes.String()))
                .process(() -> new Processor<String, String, Void, Void>() {
                    @Override
                    public void process(Record<String, String> record) {
                    }
                }, "other");
        Topology topology = builder.build();

        Map<String, Set<String>> sources = KafkaStreamsStores.sourcesByStore(topology.describe(), "app");

        assertThat(sources.get("counts")).contains("app-by-value-repartition").doesNotContain("in", "in2");
        assertThat(sources.get("other")).contains("in2").doesNotContain("in");
    }

    @Test
    void shouldKnowTheSourcesOfTheTrendTopologysStores() {
        Topics topics = Topics.defaults();
        Topology topology = TrendTopology.build(TopologySettings.defaults(topics));

        Map<String, Set<String>> sources = KafkaStreamsStores.sourcesByStore(topology.describe(), "patchpulse-streams");

        assertThat(sources.get(Names.STORE_DEVICE_FLAGS)).contains(topics.installEvents.name());
        assertThat(sources.get(Names.STORE_TRENDS)).contains(Names.repartitionTopics("patchpulse-streams").get(0));
    }
}
