package io.patchpulse.bench.jmh;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.streams.topology.TopologySettings;
import io.patchpulse.streams.topology.TrendTopology;
import io.patchpulse.schemas.serde.AvroTrust;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole trend topology ({@link TrendTopology#build}, default settings, as the streams tests build it) under
 * {@link TopologyTestDriver}. Each invocation pipes the next batch of {@value #BATCH} install events of a seeded
 * fleet simulation (with the device-inventory records the simulation interleaves between them), pre-serialized to
 * Avro, so score = install events per second.
 *
 * <p>This measures the processing code only: deserialization, validation, the inventory join, device counting,
 * both repartitions (the driver feeds them back in-process), the sums, spike detection, device tracking, the RocksDB
 * stores and the serialization of every output. There is no Kafka I/O, no exactly-once transaction (the driver
 * runs at-least-once semantics) and the driver commits after every record, so record caches never fold updates.
 * It is an upper bound of one stream thread's processing rate, not a pipeline figure.
 *
 * <p>The stream never repeats (a replayed event would take the cheap duplicate path): when the simulation is used
 * up, a new driver with empty stores starts over, outside the measured time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TopologyBenchmark {

    /** Install events per invocation. */
    public static final int BATCH = 1000;
    /** Simulated fleet: enough records for a few dozen batches before the stores start over. */
    static final int DEVICES = 3000;

    private final Topics topics = Topics.defaults();
    /** Devices simulated (tests use fewer). */
    int devices = DEVICES;
    private List<List<TestRecord<String, byte[]>>> eventBatches;
    private List<List<TestRecord<String, byte[]>>> inventoryBatches;
    private List<List<Boolean>> isEventOrder;
    private List<Release> releases;

    private TopologyTestDriver driver;
    private Path stateDir;
    private TestInputTopic<String, byte[]> eventsIn;
    private TestInputTopic<String, byte[]> inventoryIn;
    private int next;
    private long outputs;

    @Setup(Level.Trial)
    public void prepare() {
        AvroTrust.install(); // a fork builds Avro objects before any serde is loaded: trust our classes first
        releases = BundledCatalog.releases();
        eventBatches = new ArrayList<>();
        inventoryBatches = new ArrayList<>();
        isEventOrder = new ArrayList<>();
        List<TestRecord<String, byte[]>> events = new ArrayList<>(BATCH);
        List<TestRecord<String, byte[]>> inventories = new ArrayList<>();
        List<Boolean> order = new ArrayList<>();
        for (CollectedRecord record : new FleetSimulator(SimulationSettings.of(devices, 42)).simulate()) {
            if (record instanceof CollectedRecord.Event event) {
                events.add(new TestRecord<>(record.deviceId(), topics.installEvents.valueSerde().serializer()
                        .serialize(topics.installEvents.name(), event.event()), null, record.timestamp()));
                order.add(true);
            } else {
                CollectedRecord.Inventory inventory = (CollectedRecord.Inventory) record;
                inventories.add(new TestRecord<>(record.deviceId(), topics.deviceInventory.valueSerde().serializer()
                        .serialize(topics.deviceInventory.name(), inventory.inventory()), null, record.timestamp()));
                order.add(false);
            }
            if (events.size() == BATCH) {
                eventBatches.add(events);
                inventoryBatches.add(inventories);
                isEventOrder.add(order);
                events = new ArrayList<>(BATCH);
                inventories = new ArrayList<>();
                order = new ArrayList<>();
            }
        }
        if (eventBatches.isEmpty()) {
            throw new IllegalStateException("the simulation of " + devices + " devices has fewer than " + BATCH
                    + " install events");
        }
        startDriver();
    }

    /** A fresh driver when every batch has been piped (not measured). */
    @Setup(Level.Invocation)
    public void nextBatch() {
        if (next == eventBatches.size()) {
            stopDriver();
            startDriver();
        }
    }

    /** Drops what the driver captured (it keeps every output record until read; not measured). */
    @TearDown(Level.Invocation)
    public void drainOutputs() {
        for (String topic : driver.producedTopicNames()) {
            outputs += driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .readRecordsToList().size();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        stopDriver();
    }

    /**
     * Pipes the next batch in the simulation's receive order.
     *
     * @return the number of install events piped
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int pipeBatch() {
        List<TestRecord<String, byte[]>> events = eventBatches.get(next);
        List<TestRecord<String, byte[]>> inventories = inventoryBatches.get(next);
        List<Boolean> order = isEventOrder.get(next);
        next++;
        int e = 0;
        int i = 0;
        for (Boolean isEvent : order) {
            if (isEvent) {
                eventsIn.pipeInput(events.get(e++));
            } else {
                inventoryIn.pipeInput(inventories.get(i++));
            }
        }
        return e;
    }

    /** Output records read from the driver so far (trends, statuses, progress, repartition records ...). */
    long outputs() {
        return outputs;
    }

    /** Batches the simulation yields before the driver starts over. */
    int batches() {
        return eventBatches.size();
    }

    private void startDriver() {
        try {
            stateDir = Files.createTempDirectory("patchpulse-jmh-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "patchpulse-jmh-topology");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // The driver has no transactions; say so rather than let a default suggest otherwise.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        driver = new TopologyTestDriver(TrendTopology.build(TopologySettings.defaults(topics)), props);
        eventsIn = driver.createInputTopic(topics.installEvents.name(), new StringSerializer(),
                new ByteArraySerializer());
        inventoryIn = driver.createInputTopic(topics.deviceInventory.name(), new StringSerializer(),
                new ByteArraySerializer());
        TestInputTopic<String, Release> releasesIn = driver.createInputTopic(topics.releases.name(),
                new StringSerializer(), topics.releases.valueSerde().serializer());
        releases.forEach(release -> releasesIn.pipeInput(release.getKb(), release,
                SimulationSettings.DEFAULT_START.minusSeconds(86_400)));
        next = 0;
    }

    private void stopDriver() {
        if (driver != null) {
            driver.close();
            driver = null;
        }
        if (stateDir != null) {
            try (Stream<Path> paths = Files.walk(stateDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            stateDir = null;
        }
    }
}
