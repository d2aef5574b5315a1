package io.patchpulse.collector.simulate;

import io.patchpulse.collector.CollectedRecord;
import java.time.Instant;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The records a simulator planned, in receive order ({@link CollectedRecord#receivedAt()}), with what the demo and
 * {@code patchpulse simulate} print about them. Each {@link #iterator()} starts over and yields the same records.
 * Implemented by the fleet model ({@link Simulation}) and the spike scenario
 * ({@link io.patchpulse.collector.simulate.spike.SpikeSimulation}).
 */
public interface SimulatedRecords extends Iterable<CollectedRecord> {

    /** Number of records, known before any is built. */
    long size();

    /** Simulated devices. */
    int devices();

    /** Seed of every random choice. */
    long seed();

    /** Start of the simulated period (some records may come before it). */
    Instant start();

    /** End of the simulated period. */
    Instant end();

    /** The records in receive order, as a sequential, sized stream. */
    default Stream<CollectedRecord> stream() {
        Spliterator<CollectedRecord> spliterator = Spliterators.spliterator(iterator(), size(),
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE);
        return StreamSupport.stream(spliterator, false);
    }
}
