package io.patchpulse.collector.simulate;

import java.time.Instant;

/**
 * One planned run of a preset.
 *
 * @param simulation the records, in receive order
 * @param truth      what really happened, from the same plan
 * @param liveFrom   where in receive time the run becomes worth watching live (the {@code spike} preset: an hour
 *                   before its first spike), so a replay can go fast up to there and at a watchable pace after
 *                   ({@link ReplayPace}); null when the whole run is history to load as fast as possible
 */
public record PresetRun(SimulatedRecords simulation, PresetTruth truth, Instant liveFrom) {

    /** A run without a live part. */
    public PresetRun(SimulatedRecords simulation, PresetTruth truth) {
        this(simulation, truth, null);
    }
}
