package io.patchpulse.deploy.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.spike.SpikeScenario;
import io.patchpulse.collector.simulate.spike.SpikeSimulation;
import io.patchpulse.collector.simulate.spike.SpikeTruth;
import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.streams.topology.TopologySettings;
import io.patchpulse.streams.topology.TrendTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detection quality of the spike alerts on the {@code spike} scenario: 20 seeds through the real topology
 * ({@link TrendTopology#build}) with default settings. An alert is a true positive when it is for a spike's cohort and
 * starts at or after the spike's start, else a false positive; a spike is found when some alert matches it. Quality
 * only: the minutes from spike start to alert are event time and are logged, not asserted.
 */
class SpikeDetectionQualityTest {

    private static final Logger LOG = LoggerFactory.getLogger(SpikeDetectionQualityTest.class);
    private static final int SEEDS = 20;
    /** Seeds run side by side, each in its own driver: the machines have two cores. */
    private static final int THREADS = 2;

    private final Topics topics = Topics.defaults();

    @Test
    void shouldFindThePlantedSpikesWithPrecisionAndRecallOfAtLeast95Percent() throws Exception {
        long alerts = 0;
        long truePositives = 0;
        long spikes = 0;
        long found = 0;
        long resolved = 0;
        long errorMatches = 0;
        List<Double> minutesToAlert = new ArrayList<>();

        List<Future<Outcome>> runs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (long seed = 1; seed <= SEEDS; seed++) {
                long s = seed;
                runs.add(pool.submit(() -> {
                    SpikeSimulation simulation = SpikeScenario.defaults(s).plan();
                    return new Outcome(simulation, run(simulation, s));
                }));
            }
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < runs.size(); i++) {
            long seed = i + 1;
            Outcome outcome = runs.get(i).get();
            SpikeSimulation simulation = outcome.simulation();
            List<SpikeAlert> emitted = outcome.alerts();
            List<SpikeAlert> firing = emitted.stream().filter(a -> a.getState() == AlertState.FIRING).toList();
            resolved += emitted.stream().filter(a -> a.getState() == AlertState.RESOLVED).count();
            alerts += firing.size();
            java.util.Set<SpikeTruth> alerted = new java.util.HashSet<>();
            for (SpikeAlert alert : firing) {
                // A true positive is the first alert of a planted spike, fired while the spike lasts; a second alert
                // for the same spike (a re-fire of one episode), or one after it ended, counts against precision.
                Optional<SpikeTruth> spikeOf = simulation.truth().stream().filter(spike -> matches(alert, spike))
                        .findFirst();
                boolean matches = spikeOf.isPresent() && alerted.add(spikeOf.get());
                truePositives += matches ? 1 : 0;
                if (!matches) {
                    LOG.info("seed {}: false positive {} ({} of {} failing, baseline {})", seed, alert.getAlertId(),
                            alert.getCurrentDevicesFailed(), alert.getCurrentDevicesAttempted(),
                            alert.getBaselineDevicesFailed());
                }
            }
            List<String> perSpike = new ArrayList<>();
            for (SpikeTruth spike : simulation.truth()) {
                spikes++;
                Optional<SpikeAlert> first = firing.stream().filter(alert -> matches(alert, spike))
                        .min((a, b) -> a.getStartsAt().compareTo(b.getStartsAt()));
                if (first.isPresent()) {
                    found++;
                    errorMatches += first.get().getErrorCode().equals(spike.errorCode()) ? 1 : 0;
                    double minutes = Duration.between(spike.startsAt(), first.get().getStartsAt()).toSeconds() / 60.0;
                    minutesToAlert.add(minutes);
                    Optional<SpikeAlert> end = emitted.stream().filter(a -> a.getState() == AlertState.RESOLVED
                            && a.getAlertId().equals(first.get().getAlertId())).findFirst();
                    perSpike.add(String.format(Locale.ROOT, "%s (%d devices) fired +%.1f min, %s", spike.cohortKey(),
                            spike.devices(), minutes, end.map(a -> String.format(Locale.ROOT,
                                    "resolved with endsAt %+.0f min from the spike's end",
                                    Duration.between(spike.endsAt(), a.getEndsAt()).toSeconds() / 60.0))
                                    .orElse("not resolved")));
                } else {
                    perSpike.add(spike.cohortKey() + " (" + spike.devices() + " devices) MISSED");
                }
            }
            LOG.info("seed {}: {} records, {} FIRING alerts; spikes: {}", seed, simulation.records().size(),
                    firing.size(), String.join("; ", perSpike));
            for (SpikeAlert alert : emitted) {
                LOG.debug("seed {}: {} {} window {} startsAt {} endsAt {} current {}/{} baseline {}", seed,
                        alert.getState(), alert.getAlertId(), alert.getWindowStart(), alert.getStartsAt(),
                        alert.getEndsAt(), alert.getCurrentDevicesFailed(), alert.getCurrentDevicesAttempted(),
                        alert.getBaselineDevicesFailed());
            }
            simulation.truth().forEach(spike -> LOG.debug("seed {}: truth {}", seed, spike.toJson()));
        }

        double precision = alerts == 0 ? 0.0 : (double) truePositives / alerts;
        double recall = (double) found / spikes;
        List<Double> sorted = minutesToAlert.stream().sorted().toList();
        LOG.info(String.format(Locale.ROOT, "spike detection over %d seeds: %d spikes, %d found, %d FIRING alerts, %d"
                        + " true positives, %d resolved; precision %.3f, recall %.3f; error code right in %d of %d;"
                        + " minutes from spike start to alert (event time): min %.1f, median %.1f, max %.1f",
                SEEDS, spikes, found, alerts, truePositives, resolved, precision, recall, errorMatches, found,
                sorted.isEmpty() ? Double.NaN : sorted.get(0), median(sorted),
                sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1)));

        assertThat(precision).as("precision").isGreaterThanOrEqualTo(0.95);
        assertThat(recall).as("recall").isGreaterThanOrEqualTo(0.95);
    }

    /** One seed's simulation and the alerts the topology emitted for it, FIRING and RESOLVED, in order. */
    private record Outcome(SpikeSimulation simulation, List<SpikeAlert> alerts) {
    }

    private static boolean matches(SpikeAlert alert, SpikeTruth spike) {
        String cohort = alert.getKb() + "|" + alert.getSizeBucket() + "|" + alert.getFreeBucket() + "|"
                + alert.getBitlocker();
        return cohort.equals(spike.cohortKey()) && !alert.getStartsAt().isBefore(spike.startsAt())
                && alert.getStartsAt().isBefore(spike.endsAt());
    }

    private static double median(List<Double> sorted) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** Every record in receive order, stamped with its event time as the collector's publisher does. */
    private List<SpikeAlert> run(SpikeSimulation simulation, long seed) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "spike-quality-" + seed);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/spike-quality-"
                + seed + "-" + System.nanoTime());
        try (TopologyTestDriver driver = new TopologyTestDriver(TrendTopology.build(TopologySettings.defaults(topics)),
                props)) {
            TestInputTopic<String, InstallEvent> events = driver.createInputTopic(topics.installEvents.name(),
                    Serdes.String().serializer(), topics.installEvents.valueSerde().serializer());
            TestInputTopic<String, DeviceInventory> inventories = driver.createInputTopic(
                    topics.deviceInventory.name(), Serdes.String().serializer(),
                    topics.deviceInventory.valueSerde().serializer());
            TestOutputTopic<String, SpikeAlert> alerts = driver.createOutputTopic(topics.alerts.name(),
                    Serdes.String().deserializer(), topics.alerts.valueSerde().deserializer());
            for (CollectedRecord record : simulation.records()) {
                if (record instanceof CollectedRecord.Event event) {
                    events.pipeInput(new TestRecord<>(record.deviceId(), event.event(), record.timestamp()));
                } else if (record instanceof CollectedRecord.Inventory inventory) {
                    inventories.pipeInput(new TestRecord<>(record.deviceId(), inventory.inventory(),
                            record.timestamp()));
                }
            }
            return alerts.readValuesToList();
        }
    }
}
