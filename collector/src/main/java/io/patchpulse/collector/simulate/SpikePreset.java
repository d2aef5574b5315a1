package io.patchpulse.collector.simulate;

import io.patchpulse.collector.simulate.spike.SpikeScenario;
import io.patchpulse.collector.simulate.spike.SpikeSimulation;
import java.time.Duration;
import java.util.List;

/**
 * {@code spike}: {@link SpikeScenario} as a preset. A fleet at a quiet baseline, then one cohort (in some seeds two)
 * starts failing on the evening of 2024-02-13 for 3 to 8 hours. Its truth is the planted spikes; that scenario plans
 * no device states, so the truth's device status and releases are empty. Its live part starts an hour before the
 * first spike, so a demo can load the quiet days at full speed and show the alert firing and resolving.
 *
 * <p>{@code --days D} gives D - 2 quiet days before the spike day (D at least 3; default 4: two quiet days). The run
 * ends 36 hours into the spike day, room for every spike to resolve.
 */
final class SpikePreset implements Preset {

    static final String NAME = "spike";
    static final int DEFAULT_DAYS = 4;
    /** How long before the first spike the live part starts: a window or so of baseline to watch first. */
    static final Duration LIVE_LEAD = Duration.ofHours(1);
    private static final int SPIKE_DAY_AND_AFTER = 2;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a quiet fleet, then one cohort's installs start failing on 2024-02-13 for hours (an alert that fires "
                + "and resolves)";
    }

    @Override
    public int defaultDays() {
        return DEFAULT_DAYS;
    }

    @Override
    public PresetRun run(PresetSettings preset) {
        int days = preset.daysOr(DEFAULT_DAYS);
        if (days <= SPIKE_DAY_AND_AFTER) {
            throw new IllegalArgumentException("the spike preset needs --days of at least " + (SPIKE_DAY_AND_AFTER + 1)
                    + " (at least one quiet day for a baseline, then the spike day), was " + days);
        }
        SpikeScenario defaults = SpikeScenario.defaults(preset.seed());
        SpikeScenario scenario = new SpikeScenario(preset.seed(), preset.devices(), defaults.start(),
                days - SPIKE_DAY_AND_AFTER, defaults.meanAttemptInterval(), defaults.transientFailureRate(),
                defaults.offlineShare(), minSpikeDevices(preset.devices(), defaults.minSpikeDevices()));
        SpikeSimulation simulation;
        try {
            simulation = scenario.plan();
        } catch (IllegalStateException tooSmall) {
            throw new IllegalArgumentException(tooSmall.getMessage() + "; run the spike preset with more --devices"
                    + " (the default is enough)", tooSmall);
        }
        PresetTruth truth = new PresetTruth(NAME, preset.seed(), preset.devices(), days, scenario.start().toString(),
                Truths.iso(preset.falseFailureWithin()), List.of(), List.of(), simulation.truth());
        return new PresetRun(simulation, truth, simulation.firstSpikeStart().minus(LIVE_LEAD));
    }

    /**
     * The smallest cohort a spike is planted in: the scenario's 60 for fleets of 1,500 or more, a 25th of the fleet
     * below that, never under 15 (the alert rules need ten or so failing devices to call it a spike).
     */
    static int minSpikeDevices(int devices, int scenarioDefault) {
        return Math.min(scenarioDefault, Math.max(15, devices / 25));
    }
}
