package io.patchpulse.deploy.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.DeviceTruth;
import io.patchpulse.collector.simulate.PresetRun;
import io.patchpulse.collector.simulate.PresetSettings;
import io.patchpulse.collector.simulate.Presets;
import io.patchpulse.collector.simulate.ReleaseTruth;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.streams.topology.Names;
import io.patchpulse.streams.topology.TopologySettings;
import io.patchpulse.streams.topology.TrendTopology;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4's "done when": on each preset, the topology's device states, remediation causes, release progress and
 * exposed counts equal the truth the simulator decided while planning (never derived from the topology's output).
 * The records go through the whole topology in receive order, the shipped release catalog first.
 */
class PresetTruthTest {

    private final Topics topics = Topics.defaults();

    @ParameterizedTest
    @ValueSource(strings = {"jan-2024", "apr-2025"})
    void shouldEndWhereThePresetsTruthSays(String preset) {
        PresetRun run = Presets.named(preset).run(PresetSettings.of(2_000, 7));

        try (TopologyTestDriver driver = driver()) {
            pipe(driver, run.simulation());
            // Fixes seen only in the WinRE version are settled (their remediation emitted) after a short wait.
            driver.advanceWallClockTime(java.time.Duration.ofMinutes(1));
            KeyValueStore<String, DeviceStatus> statuses = driver.getKeyValueStore(Names.STORE_DEVICE_STATUS);
            KeyValueStore<String, ReleaseProgress> totals = driver.getKeyValueStore(Names.STORE_RELEASE_TOTALS);
            TestOutputTopic<String, Remediation> remediations = driver.createOutputTopic(topics.remediations.name(),
                    Serdes.String().deserializer(), topics.remediations.valueSerde().deserializer());

            // Device by device
            List<DeviceTruth> devices = run.truth().deviceStatus();
            assertThat(devices).isNotEmpty();
            for (DeviceTruth truth : devices) {
                DeviceStatus status = statuses.get(truth.deviceId() + "|" + truth.kb());
                assertThat(status).as("status of %s on %s", truth.deviceId(), truth.kb()).isNotNull();
                assertThat(status.getState()).as("state of %s on %s", truth.deviceId(), truth.kb())
                        .isEqualTo(truth.state());
                assertThat(status.getFixCause()).as("cause for %s on %s", truth.deviceId(), truth.kb())
                        .isEqualTo(truth.cause());
                assertThat(status.getExposed()).as("exposed %s on %s", truth.deviceId(), truth.kb())
                        .isEqualTo(truth.exposed());
                assertThat(status.getWinreAtFixedVersion()).as("at fixed WinRE %s on %s", truth.deviceId(),
                        truth.kb()).isEqualTo(truth.atFixedWinre());
                assertThat(status.getAttempts()).isEqualTo(truth.attempts());
                assertThat(status.getFailures()).isEqualTo(truth.failures());
            }
            assertThat(count(statuses)).as("no device tracked that the truth does not know").isEqualTo(devices.size());

            // One remediation per device that went from failing to fixed, with the truth's cause
            Map<String, RemediationCause> remediated = new TreeMap<>();
            for (KeyValue<String, Remediation> record : remediations.readKeyValuesToList()) {
                Remediation remediation = record.value;
                assertThat(remediated.put(remediation.getDeviceId() + "|" + remediation.getKb(),
                        remediation.getCause())).as("a second remediation of %s", record.key).isNull();
            }
            Map<String, RemediationCause> expected = new TreeMap<>();
            devices.stream().filter(truth -> truth.cause() != null)
                    .forEach(truth -> expected.put(truth.deviceId() + "|" + truth.kb(), truth.cause()));
            assertThat(remediated).isEqualTo(expected);

            // Release by release
            for (ReleaseTruth truth : run.truth().releases()) {
                ReleaseProgress progress = totals.get(truth.kb());
                if (truth.devicesTracked() == 0) {
                    assertThat(progress == null || progress.getDevicesTracked() == 0).isTrue();
                    continue;
                }
                assertThat(progress).as("progress of %s", truth.kb()).isNotNull();
                assertThat(progress.getDevicesTracked()).as("tracked %s", truth.kb()).isEqualTo(truth.devicesTracked());
                assertThat(progress.getDevicesAttempted()).isEqualTo(truth.devicesAttempted());
                assertThat(progress.getDevicesFailing()).as("failing %s", truth.kb()).isEqualTo(truth.devicesFailing());
                assertThat(progress.getDevicesFixed()).as("fixed %s", truth.kb()).isEqualTo(truth.devicesFixed());
                assertThat(progress.getDevicesFalseFailure()).isEqualTo(truth.devicesFalseFailure());
                assertThat(progress.getDevicesAtFixedWinre()).isEqualTo(truth.devicesAtFixedWinre());
                assertThat(progress.getExposedDevices()).as("exposed %s", truth.kb()).isEqualTo(truth.exposedDevices());
                Map<String, Long> causes = new TreeMap<>();
                truth.fixedByCause().forEach((cause, n) -> {
                    if (n > 0) {
                        causes.put(cause.name(), n);
                    }
                });
                assertThat(new TreeMap<>(progress.getFixedByCause())).as("causes %s", truth.kb()).isEqualTo(causes);
            }
        }
    }

    private TopologyTestDriver driver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "preset-truth-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ttd-" + System.nanoTime());
        return new TopologyTestDriver(TrendTopology.build(TopologySettings.defaults(topics)), props);
    }

    private void pipe(TopologyTestDriver driver, Iterable<CollectedRecord> records) {
        TestInputTopic<String, Release> releases = driver.createInputTopic(topics.releases.name(),
                Serdes.String().serializer(), topics.releases.valueSerde().serializer());
        TestInputTopic<String, InstallEvent> events = driver.createInputTopic(topics.installEvents.name(),
                Serdes.String().serializer(), topics.installEvents.valueSerde().serializer());
        TestInputTopic<String, DeviceInventory> inventories = driver.createInputTopic(topics.deviceInventory.name(),
                Serdes.String().serializer(), topics.deviceInventory.valueSerde().serializer());
        for (Release release : BundledCatalog.releases()) {
            releases.pipeInput(release.getKb(), release);
        }
        for (CollectedRecord record : records) {
            if (record instanceof CollectedRecord.Event event) {
                events.pipeInput(event.event().getDeviceId(), event.event(), event.event().getOccurredAt());
            } else {
                DeviceInventory inventory = ((CollectedRecord.Inventory) record).inventory();
                inventories.pipeInput(inventory.getDeviceId(), inventory, inventory.getObservedAt());
            }
        }
    }

    private static long count(KeyValueStore<String, ?> store) {
        long n = 0;
        try (KeyValueIterator<String, ?> all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

}
