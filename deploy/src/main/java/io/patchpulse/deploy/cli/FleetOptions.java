package io.patchpulse.deploy.cli;

import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.Preset;
import io.patchpulse.collector.simulate.PresetRun;
import io.patchpulse.collector.simulate.PresetSettings;
import io.patchpulse.collector.simulate.PresetTruth;
import io.patchpulse.collector.simulate.Presets;
import io.patchpulse.collector.simulate.ReplayPace;
import io.patchpulse.collector.simulate.SimulatedRecords;
import io.patchpulse.collector.simulate.SimulationSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Option;

/** The simulated fleet and where to record what Kafka acknowledged: shared by {@code demo} and {@code simulate}. */
public final class FleetOptions {

    @Option(names = "--devices", defaultValue = "2000", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--seed", defaultValue = "7", description = "Simulation seed; the same seed gives the same fleet "
            + "and the same events (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--days", description = "Simulated days from the start of the rollout (default: 14 from "
            + "Patch Tuesday 2024-01-09, or the preset's own: 42 for jan-2024, 14 for apr-2025, 4 for spike).")
    Integer days;

    @Option(names = "--preset", paramLabel = "NAME", description = "A scenario with known truth instead of the "
            + "default fleet: jan-2024 (KB5034441 over six weeks, re-offer on 2024-02-13, resizes, KB5034957 scripts) "
            + "apr-2025 (KB5057589/KB5057588 false failures while a restart is pending) or spike (a quiet fleet, then "
            + "one cohort fails for hours on 2024-02-13: an alert that fires and resolves).")
    String preset;

    @Option(names = "--speed", paramLabel = "X", description = "Replay at X simulated seconds per second from where "
            + "the run becomes worth watching (spike: an hour before the spike; everything before goes at once), or "
            + "the whole run for the other presets and the default fleet. Default: 900 (a quarter of an hour a second) for "
            + "spike, full speed otherwise; 0 for full speed.")
    Double speed;

    @Option(names = "--truth-out", paramLabel = "FILE", description = "With --preset: write the preset's truth (per "
            + "device and release: state, remediation cause, exposure; per release: the sums) to FILE as JSON.")
    Path truthOut;

    @Option(names = "--events-out", paramLabel = "FILE", description = "Also write every record Kafka acknowledged "
            + "to FILE, one canonical JSON line each, for an independent recount.")
    Path eventsOut;

    /** The simulator's settings without a preset. */
    SimulationSettings settings() {
        return SimulationSettings.of(devices, seed).withDays(days == null ? SimulationSettings.DEFAULT_DAYS : days);
    }

    /**
     * Plans the fleet: the preset's run when {@code --preset} is given, else the default model (without truth).
     *
     * @throws IllegalArgumentException for an unknown preset (naming the known ones), or --truth-out without a preset
     */
    Planned plan() {
        if (preset == null) {
            if (truthOut != null) {
                throw new IllegalArgumentException("--truth-out needs --preset (" + Presets.names()
                        + "): only presets know their truth");
            }
            SimulatedRecords simulation = new FleetSimulator(settings()).simulate();
            return new Planned(simulation, null, pace(simulation, null));
        }
        Preset chosen = Presets.named(preset);
        PresetRun run = chosen.run(PresetSettings.of(devices, seed).withDays(days));
        return new Planned(run.simulation(), run.truth(), pace(run.simulation(), run.liveFrom()));
    }

    /**
     * The replay pace: a live part ({@code liveFrom} not null) at --speed, 900 by default; without one, the whole
     * run from its start when --speed is given, else full speed.
     */
    private ReplayPace pace(SimulatedRecords simulation, Instant liveFrom) {
        if (speed != null && !(speed >= 0 && speed < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--speed must be 0 (full speed) or positive, was " + speed);
        }
        if (speed != null && speed == 0) {
            return ReplayPace.fullSpeed();
        }
        if (liveFrom != null) {
            return ReplayPace.of(liveFrom, speed == null ? ReplayPace.DEFAULT_SPEED : speed);
        }
        return speed == null ? ReplayPace.fullSpeed() : ReplayPace.of(simulation.start(), speed);
    }

    /** Writes the truth to {@code --truth-out} when asked; returns the file, or null when not asked. */
    Path writeTruth(Planned planned) {
        if (truthOut == null || planned.truth() == null) {
            return null;
        }
        try {
            planned.truth().write(truthOut);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the truth to " + truthOut + ": " + e.getMessage(), e);
        }
        return truthOut;
    }

    /**
     * A planned fleet.
     *
     * @param simulation the records to publish
     * @param truth      the preset's truth, null without a preset
     * @param pace       how fast to publish them
     */
    record Planned(SimulatedRecords simulation, PresetTruth truth, ReplayPace pace) {
    }
}
