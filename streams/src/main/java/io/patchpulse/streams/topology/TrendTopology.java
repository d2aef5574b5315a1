package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.serde.AvroSerde;
import io.patchpulse.schemas.topics.Topics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.utils.Bytes;

/**
 * Builds the trend topology from its settings, and from nothing else. Steps (see streams/README.md):
 *
 * <pre>
 *  install-events ─▶ 1 validate ─┬─ rejected ─────────────────────────────────────────────▶ install-events-dlq
 *                                └─ accepted ─▶ 2 enrich (device-inventory table) ─▶ 3 count devices ─┬─ late ─▶ dlq
 *                                                                                                     └─ deltas
 *  deltas ─▶ 3b combine per task (optional) ─▶ 4 shuffle by cohort (trend-by-cohort) ─▶ 5 sum (trend-totals) ─┬─▶ failure-trends
 *                                                                           └─▶ 6 spike alerts ─▶ alerts
 *  3 admitted events + device-inventory changes ─▶ 7 track devices (device-status store; releases global store)
 *      ─┬─▶ device-status, remediations
 *       └─ status deltas ─▶ 8 shuffle by KB (progress-by-release) ─▶ sum (release-totals) ─▶ release-progress
 * </pre>
 */
public final class TrendTopology {

    private TrendTopology() {
    }

    /** The topology for {@code settings}. */
    public static Topology build(TopologySettings settings) {
        Topics topics = settings.topics();
        Properties naming = new Properties();
        // Every changelog and repartition topic must carry a name we chose: building fails otherwise.
        naming.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        naming.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-naming-check");
        naming.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        naming.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(naming)));

        AvroSerde<InstallEvent> eventSerde = (AvroSerde<InstallEvent>) topics.installEvents.valueSerde();
        AvroSerde<FailureTrend> trendSerde = (AvroSerde<FailureTrend>) topics.failureTrends.valueSerde();

        // 1 validate: decode and check; every record comes out accepted or rejected, nothing throws.
        KStream<String, byte[]> raw = builder.stream(topics.installEvents.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(Names.SOURCE_EVENTS)
                        // A record timestamp Kafka cannot use (negative) must not stop the app.
                        .withTimestampExtractor(new LenientTimestampExtractor()));
        Map<String, KStream<String, Checked>> routes = raw
                .processValues(() -> new ValidateProcessor(eventSerde), Named.as(Names.VALIDATE))
                .split(Named.as(Names.SPLIT))
                .branch((key, checked) -> checked.isRejected(), Branched.as(Names.BRANCH_REJECTED))
                .defaultBranch(Branched.as(Names.BRANCH_ACCEPTED));
        toDeadLetters(routes.get(Names.SPLIT + Names.BRANCH_REJECTED), topics, Names.DLQ_VALUES, Names.DLQ_SINK);

        // 2 enrich: the inventory snapshot the event carries, else the device's inventory from device-inventory,
        // merged from partial reports (InventoryMerge). Both topics are keyed by device id with the same partition
        // count, so neither the grouping nor the join needs a shuffle.
        KTable<String, DeviceInventory> inventory = builder.stream(topics.deviceInventory.name(),
                        Consumed.with(topics.deviceInventory.keySerde(), topics.deviceInventory.valueSerde())
                                .withName(Names.SOURCE_INVENTORY)
                                .withTimestampExtractor(new LenientTimestampExtractor()))
                .groupByKey(Grouped.with(Names.GROUP_INVENTORY, topics.deviceInventory.keySerde(),
                        topics.deviceInventory.valueSerde()))
                .aggregate(() -> null, (deviceId, update, current) -> InventoryMerge.merge(current, update),
                        Named.as(Names.MERGE_INVENTORY),
                        Materialized.<String, DeviceInventory, KeyValueStore<Bytes, byte[]>>as(Names.STORE_INVENTORY)
                                .withKeySerde(topics.deviceInventory.keySerde())
                                .withValueSerde(topics.deviceInventory.valueSerde())
                                // Each new state goes on at once, so the device tracker sees it in processing order.
                                .withCachingDisabled());
        KStream<String, Checked> enriched = routes.get(Names.SPLIT + Names.BRANCH_ACCEPTED)
                .leftJoin(inventory, Checked::enrichedWith,
                        Joined.<String, Checked, DeviceInventory>as(Names.ENRICH)
                                .withKeySerde(Serdes.String())
                                .withOtherValueSerde(topics.deviceInventory.valueSerde()));

        // 3 count devices: lateness, replays, distinct devices per window and cohort, as deltas.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_EVENT_CLOCK),
                Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_SEEN_EVENTS),
                Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_DEVICE_FLAGS),
                Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_PENDING_FAILURES),
                Serdes.String(), Serdes.String()));
        Map<String, KStream<String, Counted>> counted = enriched
                .processValues(() -> new TrendCountProcessor(settings), Named.as(Names.COUNT_DEVICES),
                        Names.STORE_EVENT_CLOCK, Names.STORE_SEEN_EVENTS, Names.STORE_DEVICE_FLAGS,
                        Names.STORE_PENDING_FAILURES)
                .split(Named.as(Names.SPLIT_COUNTED))
                .branch((key, result) -> result.isRejected(), Branched.as(Names.BRANCH_REJECTED))
                .branch((key, result) -> result.isAdmitted(), Branched.as(Names.ADMITTED))
                .defaultBranch(Branched.as(Names.DELTAS));
        toDeadLetters(counted.get(Names.SPLIT_COUNTED + Names.BRANCH_REJECTED)
                        .mapValues(Counted::rejected, Named.as(Names.DLQ_VALUES + "-late-unwrap")),
                topics, Names.DLQ_VALUES + "-late", Names.DLQ_SINK + "-late");

        // 4 shuffle by cohort (the window stays in the key but not in the partition: every window of a cohort
        // lands in one task, so step 6 sees its whole history), 5 sum the deltas into totals, emitted on commit
        // (the cache folds bursts).
        KStream<String, Counted> deltas = counted.get(Names.SPLIT_COUNTED + Names.DELTAS);
        KStream<String, FailureTrend> byCohort;
        if (settings.combineEvery().isZero()) {
            byCohort = deltas.map((deviceId, result) -> KeyValue.pair(result.trendKey(), result.delta()),
                    Named.as(Names.KEY_BY_COHORT));
        } else {
            // 3b combine: one delta per window and cohort per interval goes through the shuffle (TrendCombiner).
            builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(Names.STORE_TREND_COMBINER), Serdes.String(), trendSerde)
                    .withCachingEnabled());
            byCohort = deltas.process(() -> new TrendCombiner(settings.combineEvery()), Named.as(Names.COMBINE_TRENDS),
                    Names.STORE_TREND_COMBINER);
        }
        KStream<String, FailureTrend> totals = byCohort
                .repartition(Repartitioned.<String, FailureTrend>as(Names.REPARTITION_BY_COHORT)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(trendSerde)
                        .withStreamPartitioner(CohortPartitioner.forTrendKeys()))
                .groupByKey(Grouped.with(Serdes.String(), trendSerde))
                .reduce(TrendMath::add, Named.as(Names.SUM_TRENDS),
                        Materialized.<String, FailureTrend, KeyValueStore<Bytes, byte[]>>as(Names.STORE_TRENDS)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(trendSerde))
                .toStream(Named.as(Names.TRENDS_OUT));
        totals.to(topics.failureTrends.name(), Produced.with(topics.failureTrends.keySerde(),
                topics.failureTrends.valueSerde()).withName(Names.TRENDS_SINK));

        // 6 spike alerts per cohort, decided on each update of a window's totals.
        SpikeDetector.attach(builder, settings, totals);

        trackDevices(builder, settings, counted.get(Names.SPLIT_COUNTED + Names.ADMITTED), inventory);

        return builder.build(naming);
    }

    /**
     * 7 track devices (same task as the device's events) into device-status and remediations, 8 shuffle the status
     * deltas by release and sum them into release-progress. The release catalog is a global store.
     */
    private static void trackDevices(StreamsBuilder builder, TopologySettings settings,
            KStream<String, Counted> admitted, KTable<String, DeviceInventory> inventory) {
        Topics topics = settings.topics();
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_RELEASES),
                                Serdes.String(), topics.releases.valueSerde()).withLoggingDisabled(),
                topics.releases.name(),
                Consumed.with(topics.releases.keySerde(), topics.releases.valueSerde()).withName(Names.SOURCE_RELEASES),
                ReleaseCatalogLoader::new);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_DEVICE_STATUS),
                Serdes.String(), topics.deviceStatus.valueSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(Names.STORE_PROVISIONAL_FIXES), Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_RELEASE_TOTALS),
                Serdes.String(), topics.releaseProgress.valueSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(Names.STORE_RELEASE_PROGRESS), Serdes.String(),
                topics.releaseProgress.valueSerde()));

        KStream<String, DeviceObservation> events = admitted.mapValues(
                counted -> new DeviceObservation.Event(counted.admitted().event(), counted.admitted().inventory()),
                Named.as(Names.OBSERVE_EVENTS));
        KStream<String, DeviceObservation> states = inventory.toStream(Named.as(Names.INVENTORY_CHANGES))
                .filter((deviceId, state) -> state != null, Named.as(Names.INVENTORY_CHANGES + "-present"))
                .mapValues(DeviceObservation.Inventory::new, Named.as(Names.OBSERVE_INVENTORY));
        Map<String, KStream<String, Tracked>> tracked = events
                .merge(states, Named.as(Names.MERGE_OBSERVATIONS))
                .process(() -> new DeviceTracker(settings.rules()), Named.as(Names.TRACK_DEVICES),
                        Names.STORE_DEVICE_STATUS, Names.STORE_PROVISIONAL_FIXES)
                .split(Named.as(Names.SPLIT_TRACKED))
                .branch((deviceId, out) -> out.status() != null, Branched.as(Names.BRANCH_STATUS))
                .branch((deviceId, out) -> out.remediation() != null, Branched.as(Names.BRANCH_REMEDIATION))
                .defaultBranch(Branched.as(Names.BRANCH_PROGRESS));

        tracked.get(Names.SPLIT_TRACKED + Names.BRANCH_STATUS)
                .map((deviceId, out) -> KeyValue.pair(deviceId + "|" + out.status().getKb(), out.status()),
                        Named.as(Names.STATUS_SINK + "-key"))
                .to(topics.deviceStatus.name(), Produced.with(topics.deviceStatus.keySerde(),
                        topics.deviceStatus.valueSerde()).withName(Names.STATUS_SINK));
        tracked.get(Names.SPLIT_TRACKED + Names.BRANCH_REMEDIATION)
                .mapValues(Tracked::remediation, Named.as(Names.REMEDIATIONS_SINK + "-value"))
                .to(topics.remediations.name(), Produced.with(topics.remediations.keySerde(),
                        topics.remediations.valueSerde()).withName(Names.REMEDIATIONS_SINK));

        tracked.get(Names.SPLIT_TRACKED + Names.BRANCH_PROGRESS)
                .map((deviceId, out) -> KeyValue.pair(out.progressDelta().getKb(), out.progressDelta()),
                        Named.as(Names.KEY_BY_RELEASE))
                .repartition(Repartitioned.with(Serdes.String(), topics.releaseProgress.valueSerde())
                        .withName(Names.REPARTITION_BY_RELEASE))
                .processValues(ReleaseProgressAggregator::new, Named.as(Names.SUM_PROGRESS),
                        Names.STORE_RELEASE_TOTALS, Names.STORE_RELEASE_PROGRESS)
                .map((kb, progress) -> KeyValue.pair(ReleaseProgressAggregator.dayKey(progress), progress),
                        Named.as(Names.PROGRESS_SINK + "-key"))
                .to(topics.releaseProgress.name(), Produced.with(topics.releaseProgress.keySerde(),
                        topics.releaseProgress.valueSerde()).withName(Names.PROGRESS_SINK));
    }

    /** Writes rejected records to the dead-letter topic as they were received: same key, original bytes. */
    private static void toDeadLetters(KStream<String, Checked> rejected, Topics topics, String valuesName,
            String sinkName) {
        rejected.mapValues(Checked::original, Named.as(valuesName))
                .to(topics.installEventsDlq.name(), Produced.with(Serdes.String(), Serdes.ByteArray())
                        .withName(sinkName));
    }
}
