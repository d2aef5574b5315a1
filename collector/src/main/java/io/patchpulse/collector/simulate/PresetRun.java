package io.patchpulse.collector.simulate;

/**
 * One planned run of a preset.
 *
 * @param simulation the records, in receive order
 * @param truth      what really happened, from the same plan
 */
public record PresetRun(Simulation simulation, PresetTruth truth) {
}
