package io.patchpulse.bench.jmh;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.serde.AvroSerde;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.schemas.serde.AvroTrust;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Avro serdes of the topics ({@link AvroSerde}, single-object encoding, the serdes the topology and the sink
 * use), one record per operation: {@code InstallEvent} (install-events; a failed attempt with its inventory
 * snapshot, from the simulator), {@code DeviceInventory} (device-inventory), {@code FailureTrend} (the
 * trend-by-cohort repartition topic and failure-trends) and {@code ReleaseProgress} (the progress-by-release
 * repartition topic and release-progress). Score = records per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SerdeBenchmarks {

    private final Topics topics = Topics.defaults();
    private AvroSerde<InstallEvent> eventSerde;
    private AvroSerde<DeviceInventory> inventorySerde;
    private AvroSerde<FailureTrend> trendSerde;
    private AvroSerde<ReleaseProgress> progressSerde;

    InstallEvent event;
    DeviceInventory inventory;
    FailureTrend trend;
    ReleaseProgress progress;
    private byte[] eventBytes;
    private byte[] inventoryBytes;
    private byte[] trendBytes;
    private byte[] progressBytes;

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() {
        AvroTrust.install(); // a fork builds Avro objects before any serde is loaded: trust our classes first
        eventSerde = (AvroSerde<InstallEvent>) topics.installEvents.valueSerde();
        inventorySerde = (AvroSerde<DeviceInventory>) topics.deviceInventory.valueSerde();
        trendSerde = (AvroSerde<FailureTrend>) topics.failureTrends.valueSerde();
        progressSerde = (AvroSerde<ReleaseProgress>) topics.releaseProgress.valueSerde();

        Iterable<CollectedRecord> simulated = new FleetSimulator(SimulationSettings.of(200, 42)).simulate();
        for (CollectedRecord record : simulated) {
            if (event == null && record instanceof CollectedRecord.Event e
                    && e.event().getOutcome() == Outcome.FAILED && e.event().getInventory() != null) {
                event = e.event();
            } else if (inventory == null && record instanceof CollectedRecord.Inventory i) {
                inventory = i.inventory();
            }
            if (event != null && inventory != null) {
                break;
            }
        }
        if (event == null || inventory == null) {
            throw new IllegalStateException("the simulation has no failed event with inventory or no inventory");
        }
        Instant hour = Instant.parse("2024-01-10T09:00:00Z");
        trend = FailureTrend.newBuilder()
                .setWindowStart(hour).setWindowEnd(hour.plusSeconds(3600))
                .setKb("KB5034441").setSizeBucket("500-750MB").setFreeBucket("<250MB").setBitlocker("on-tpm")
                .setAttempts(1842).setFailures(1310).setDevicesAttempted(977).setDevicesFailed(702)
                .setDevicesSucceeded(212)
                .setDevicesFailedByError(Map.of("0x80070643", 655L, "0x8024200B", 47L))
                .setRevision(1842)
                .build();
        progress = ReleaseProgress.newBuilder()
                .setKb("KB5034441").setDay(LocalDate.parse("2024-01-10"))
                .setDevicesTracked(10_000).setDevicesAttempted(7_400).setDevicesFailing(2_100).setDevicesFixed(640)
                .setDevicesFalseFailure(85).setFixedByCause(Map.of("PARTITION_RESIZED", 410L, "SCRIPT_APPLIED", 230L))
                .setDevicesAtFixedWinre(5_120).setShareAtFixedWinre(0.512).setExposedDevices(8_800)
                .setUpdatedAt(hour).setRevision(9_900)
                .build();
        eventBytes = eventSerde.encode(event);
        inventoryBytes = inventorySerde.encode(inventory);
        trendBytes = trendSerde.encode(trend);
        progressBytes = progressSerde.encode(progress);
    }

    @Benchmark
    public byte[] installEventSerialize() {
        return eventSerde.serialize(topics.installEvents.name(), event);
    }

    @Benchmark
    public InstallEvent installEventDeserialize() {
        return eventSerde.deserialize(topics.installEvents.name(), eventBytes);
    }

    @Benchmark
    public byte[] deviceInventorySerialize() {
        return inventorySerde.serialize(topics.deviceInventory.name(), inventory);
    }

    @Benchmark
    public DeviceInventory deviceInventoryDeserialize() {
        return inventorySerde.deserialize(topics.deviceInventory.name(), inventoryBytes);
    }

    @Benchmark
    public byte[] failureTrendSerialize() {
        return trendSerde.serialize(topics.failureTrends.name(), trend);
    }

    @Benchmark
    public FailureTrend failureTrendDeserialize() {
        return trendSerde.deserialize(topics.failureTrends.name(), trendBytes);
    }

    @Benchmark
    public byte[] releaseProgressSerialize() {
        return progressSerde.serialize(topics.releaseProgress.name(), progress);
    }

    @Benchmark
    public ReleaseProgress releaseProgressDeserialize() {
        return progressSerde.deserialize(topics.releaseProgress.name(), progressBytes);
    }
}
