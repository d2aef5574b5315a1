package io.patchpulse.bench.endtoend;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.cli.ProgressLine;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.topics.Topics;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The run's records, built once by the fleet simulator and serialized once, with the serdes of the topic registry
 * (the bytes {@code KafkaPublisher} sends), into a file that every phase reads sequentially.
 *
 * <p>Why a file rather than the heap: a million records are a few hundred MB of bytes, and the whole stack (broker,
 * streams, sink, QuestDB) shares one 1 GiB heap; holding them there would change what is measured. Read back, the
 * file comes from the page cache; each send allocates its key and value arrays, as the collector's serializer does.
 */
public final class RecordFile {

    /** Record kinds in the file. */
    static final byte INSTALL_EVENT = 0;
    static final byte INVENTORY = 1;

    private final Path file;
    private final Summary summary;

    private RecordFile(Path file, Summary summary) {
        this.file = file;
        this.summary = summary;
    }

    /**
     * What the file holds.
     *
     * @param records        records in the file (install events and inventory snapshots)
     * @param installEvents  records for the install-events topic
     * @param inventories    records for the device-inventory topic
     * @param installResults install events with a result (FAILED or SUCCEEDED): what failure_trends counts as attempts
     * @param keyBytes       serialized key bytes
     * @param valueBytes     serialized value bytes
     * @param devices        simulated devices
     * @param seed           simulation seed
     * @param buildSeconds   time to simulate and serialize them
     */
    public record Summary(long records, long installEvents, long inventories, long installResults, long keyBytes,
            long valueBytes, int devices, long seed, double buildSeconds) {
    }

    /** One pre-serialized record. */
    record Entry(byte kind, long timestamp, byte[] key, byte[] value) {
    }

    /**
     * Simulates {@code devices} devices with {@code seed} (the default fleet of the demo) and writes the first
     * {@code events} records in receive order to {@code file}.
     *
     * @throws IllegalArgumentException when the fleet has fewer records than asked for
     */
    public static RecordFile build(Path file, long events, int devices, long seed, Topics topics,
            ProgressLine progress) {
        long started = System.nanoTime();
        var simulation = new FleetSimulator(SimulationSettings.of(devices, seed)).simulate();
        if (simulation.size() < events) {
            throw new IllegalArgumentException(String.format("%,d devices make only %,d records; ask for more "
                    + "--devices or fewer --events (%,d)", devices, simulation.size(), events));
        }
        Serializer<String> keys = topics.installEvents.keySerde().serializer();
        Serializer<InstallEvent> eventValues = topics.installEvents.valueSerde().serializer();
        Serializer<DeviceInventory> inventoryValues = topics.deviceInventory.valueSerde().serializer();
        String eventTopic = topics.installEvents.name();
        String inventoryTopic = topics.deviceInventory.name();
        long written = 0;
        long installEvents = 0;
        long results = 0;
        long keyBytes = 0;
        long valueBytes = 0;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file),
                1 << 20))) {
            Iterator<CollectedRecord> records = simulation.iterator();
            while (written < events) {
                CollectedRecord record = records.next();
                byte[] key;
                byte[] value;
                long timestamp;
                if (record instanceof CollectedRecord.Event event) {
                    InstallEvent installEvent = event.event();
                    key = keys.serialize(eventTopic, installEvent.getDeviceId());
                    value = eventValues.serialize(eventTopic, installEvent);
                    timestamp = installEvent.getOccurredAt().toEpochMilli();
                    out.writeByte(INSTALL_EVENT);
                    installEvents++;
                    Outcome outcome = installEvent.getOutcome();
                    if (outcome == Outcome.FAILED || outcome == Outcome.SUCCEEDED) {
                        results++;
                    }
                } else {
                    DeviceInventory inventory = ((CollectedRecord.Inventory) record).inventory();
                    key = keys.serialize(inventoryTopic, inventory.getDeviceId());
                    value = inventoryValues.serialize(inventoryTopic, inventory);
                    timestamp = inventory.getObservedAt().toEpochMilli();
                    out.writeByte(INVENTORY);
                }
                out.writeLong(timestamp);
                out.writeInt(key.length);
                out.write(key);
                out.writeInt(value.length);
                out.write(value);
                keyBytes += key.length;
                valueBytes += value.length;
                written++;
                progress.advance();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the records to " + file, e);
        }
        progress.done();
        return new RecordFile(file, new Summary(written, installEvents, written - installEvents, results, keyBytes,
                valueBytes, devices, seed, (System.nanoTime() - started) / 1e9));
    }

    public Summary summary() {
        return summary;
    }

    public Path path() {
        return file;
    }

    /** Reads the records in order; close it when done. */
    Reader open() {
        try {
            return new Reader(new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** A sequential reader of the file. */
    static final class Reader implements AutoCloseable {

        private final DataInputStream in;

        private Reader(DataInputStream in) {
            this.in = in;
        }

        /** The next record, or null at the end. */
        Entry next() {
            try {
                byte kind;
                try {
                    kind = in.readByte();
                } catch (EOFException end) {
                    return null;
                }
                long timestamp = in.readLong();
                byte[] key = new byte[in.readInt()];
                in.readFully(key);
                byte[] value = new byte[in.readInt()];
                in.readFully(value);
                return new Entry(kind, timestamp, key, value);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the record file", e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
