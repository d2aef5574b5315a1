package io.patchpulse.deploy.cli;

import io.patchpulse.collector.simulate.SimulationSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The simulated fleet and where to record what Kafka acknowledged: shared by {@code demo} and {@code simulate}. */
public final class FleetOptions {

    @Option(names = "--devices", defaultValue = "2000", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--seed", defaultValue = "7", description = "Simulation seed; the same seed gives the same fleet "
            + "and the same events (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--days", defaultValue = "14", description = "Simulated days from Patch Tuesday 2024-01-09 "
            + "(default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--events-out", paramLabel = "FILE", description = "Also write every record Kafka acknowledged "
            + "to FILE, one canonical JSON line each, for an independent recount.")
    Path eventsOut;

    /** The simulator's settings. */
    SimulationSettings settings() {
        return SimulationSettings.of(devices, seed).withDays(days);
    }
}
