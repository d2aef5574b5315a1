package io.patchpulse.collector.simulate.spike;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.SimulatedRecords;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

/**
 * A planned spike scenario: its records in receive order (device inventories, then install events that carry their
 * inventory snapshot), and the truth: the spikes planted in it.
 */
public record SpikeSimulation(SpikeScenario scenario, List<CollectedRecord> records, List<SpikeTruth> truth)
        implements SimulatedRecords {

    public SpikeSimulation {
        records = List.copyOf(records);
        truth = List.copyOf(truth);
    }

    @Override
    public Iterator<CollectedRecord> iterator() {
        return records.iterator();
    }

    @Override
    public long size() {
        return records.size();
    }

    @Override
    public int devices() {
        return scenario.devices();
    }

    @Override
    public long seed() {
        return scenario.seed();
    }

    @Override
    public Instant start() {
        return scenario.start();
    }

    @Override
    public Instant end() {
        return scenario.end();
    }

    /** Start of the first planted spike. */
    public Instant firstSpikeStart() {
        return truth.stream().map(SpikeTruth::startsAt).min(Instant::compareTo).orElseThrow();
    }
}
