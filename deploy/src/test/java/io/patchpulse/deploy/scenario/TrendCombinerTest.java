package io.patchpulse.deploy.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.PresetRun;
import io.patchpulse.collector.simulate.PresetSettings;
import io.patchpulse.collector.simulate.Presets;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.streams.topology.TopologySettings;
import io.patchpulse.streams.topology.TrendTopology;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The combiner (step 3b, {@code trend.combine.every}) changes how many updates cross the shuffle, never the totals:
 * each preset goes through the topology without and with it, and every window and cohort ends at the same totals
 * (revision included: a combined delta counts the updates it holds), while fewer updates reach failure-trends.
 * apr-2025 brings false failures, whose retractions are negative deltas.
 */
class TrendCombinerTest {

    private static final Duration EVERY = Duration.ofSeconds(1);
    /** Records between two steps of the wall clock by {@link #EVERY}: a combined batch holds about 50 records. */
    private static final int BATCH = 50;

    private final Topics topics = Topics.defaults();

    @ParameterizedTest
    @ValueSource(strings = {"jan-2024", "apr-2025", "spike"})
    void shouldEndAtTheSameTotalsWithFewerUpdates(String preset) {
        PresetRun run = Presets.named(preset).run(PresetSettings.of(preset.equals("spike") ? 400 : 200, 3));

        Outcome plain = run(TopologySettings.defaults(topics), run);
        Outcome combined = run(TopologySettings.defaults(topics).withCombineEvery(EVERY), run);

        assertThat(plain.totals()).isNotEmpty();
        assertThat(combined.totals()).isEqualTo(plain.totals());
        assertThat(combined.updates()).isLessThan(plain.updates());
    }

    private record Outcome(Map<String, FailureTrend> totals, long updates) {
    }

    private Outcome run(TopologySettings settings, PresetRun run) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "combiner-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ttd-" + System.nanoTime());
        try (TopologyTestDriver driver = new TopologyTestDriver(TrendTopology.build(settings), props)) {
            TestInputTopic<String, Release> releases = driver.createInputTopic(topics.releases.name(),
                    Serdes.String().serializer(), topics.releases.valueSerde().serializer());
            TestInputTopic<String, InstallEvent> events = driver.createInputTopic(topics.installEvents.name(),
                    Serdes.String().serializer(), topics.installEvents.valueSerde().serializer());
            TestInputTopic<String, DeviceInventory> inventories = driver.createInputTopic(
                    topics.deviceInventory.name(), Serdes.String().serializer(),
                    topics.deviceInventory.valueSerde().serializer());
            TestOutputTopic<String, FailureTrend> trends = driver.createOutputTopic(topics.failureTrends.name(),
                    Serdes.String().deserializer(), topics.failureTrends.valueSerde().deserializer());
            for (Release release : BundledCatalog.releases()) {
                releases.pipeInput(release.getKb(), release);
            }
            Map<String, FailureTrend> totals = new TreeMap<>();
            long updates = 0;
            long piped = 0;
            for (CollectedRecord record : run.simulation()) {
                if (record instanceof CollectedRecord.Event event) {
                    events.pipeInput(event.event().getDeviceId(), event.event(), event.event().getOccurredAt());
                } else {
                    DeviceInventory inventory = ((CollectedRecord.Inventory) record).inventory();
                    inventories.pipeInput(inventory.getDeviceId(), inventory, inventory.getObservedAt());
                }
                if (++piped % BATCH == 0) {
                    driver.advanceWallClockTime(EVERY);
                }
                updates += drain(trends, totals);
            }
            driver.advanceWallClockTime(EVERY.multipliedBy(2));
            updates += drain(trends, totals);
            return new Outcome(totals, updates);
        }
    }

    private static long drain(TestOutputTopic<String, FailureTrend> trends, Map<String, FailureTrend> totals) {
        long updates = 0;
        while (!trends.isEmpty()) {
            var record = trends.readKeyValue();
            totals.put(record.key, record.value);
            updates++;
        }
        return updates;
    }
}
