package io.patchpulse.collector.simulate;

import io.patchpulse.collector.CollectedRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seeded, fully deterministic model of the January 2024 KB5034441 (Windows 10 21H2/22H2) and KB5034440
 * (Windows 11 21H2) rollout: devices with realistic recovery partitions, WinRE and BitLocker states retry the update
 * daily, fail with 0x80070643 when WinRE lacks 250 MiB of free space, sometimes get remediated, and report late after
 * offline stretches. The rules are listed on {@code DevicePlanner}.
 *
 * <p>Equal settings give byte-identical output: no wall clock, no hash-order iteration, no random UUIDs. Each device
 * has its own random stream derived from the seed and its index.
 *
 * <pre>{@code
 * Simulation run = new FleetSimulator(SimulationSettings.of(2_000, 7)).simulate();
 * long total = run.size();
 * run.stream().forEach(publisher::publish);
 * }</pre>
 */
public final class FleetSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(FleetSimulator.class);

    private final SimulationSettings settings;

    /** A simulator for {@code settings}. */
    public FleetSimulator(SimulationSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        this.settings = settings;
    }

    /** The settings. */
    public SimulationSettings settings() {
        return settings;
    }

    /** Plans every device (compact: no Avro objects yet) and returns the simulation to read. */
    public Simulation simulate() {
        DevicePlanner planner = new DevicePlanner(settings);
        List<DeviceTimeline> timelines = new ArrayList<>(settings.devices());
        for (int device = 0; device < settings.devices(); device++) {
            timelines.add(planner.plan(device));
        }
        Simulation simulation = new Simulation(settings, timelines);
        LOG.debug("planned {} devices, {} records (seed {})", settings.devices(), simulation.size(), settings.seed());
        return simulation;
    }

    /** Shorthand for {@code simulate().stream()}. */
    public Stream<CollectedRecord> records() {
        return simulate().stream();
    }
}
