package io.patchpulse.collector.simulate.spike;

import io.patchpulse.collector.CollectedRecord;
import java.util.List;

/**
 * A planned spike scenario: its records in receive order (device inventories, then install events that carry their
 * inventory snapshot), and the truth: the spikes planted in it.
 */
public record SpikeSimulation(SpikeScenario scenario, List<CollectedRecord> records, List<SpikeTruth> truth) {

    public SpikeSimulation {
        records = List.copyOf(records);
        truth = List.copyOf(truth);
    }
}
