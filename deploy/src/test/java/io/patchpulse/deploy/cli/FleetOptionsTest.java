package io.patchpulse.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.DeviceTruth;
import io.patchpulse.collector.simulate.PresetTruth;
import io.patchpulse.collector.simulate.Simulation;
import io.patchpulse.collector.simulate.SimulationSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class FleetOptionsTest {

    @TempDir
    Path dir;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        FleetOptions fleet;
    }

    private static FleetOptions parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.fleet;
    }

    @Test
    void shouldPlanThePresetAndWriteItsTruthWhereAsked() throws Exception {
        Path file = dir.resolve("truth/apr.json");
        FleetOptions fleet = parse("--preset", "apr-2025", "--devices", "60", "--seed", "3", "--truth-out",
                file.toString());

        FleetOptions.Planned planned = fleet.plan();
        assertThat(fleet.writeTruth(planned)).isEqualTo(file);

        PresetTruth truth = PresetTruth.read(file);
        assertThat(truth).isEqualTo(planned.truth());
        assertThat(truth.preset()).isEqualTo("apr-2025");
        assertThat(truth.seed()).isEqualTo(3);
        assertThat(truth.days()).as("the preset's own period").isEqualTo(14);
        Set<String> devicesInRecords = planned.simulation().stream().map(FleetOptionsTest::deviceId)
                .collect(Collectors.toSet());
        assertThat(devicesInRecords).hasSize(60);
        assertThat(truth.deviceStatus().stream().map(DeviceTruth::deviceId).collect(Collectors.toSet()))
                .isEqualTo(devicesInRecords);
        assertThat(planned.simulation().start()).isEqualTo(Instant.parse("2025-04-08T17:00:00Z"));
        assertThat(planned.pace().paces()).as("history goes at full speed").isFalse();
    }

    @Test
    void shouldKeepTheDefaultFleetWithoutAPreset() {
        FleetOptions fleet = parse("--devices", "20");

        FleetOptions.Planned planned = fleet.plan();

        assertThat(planned.truth()).isNull();
        assertThat(planned.simulation()).isInstanceOfSatisfying(Simulation.class,
                simulation -> assertThat(simulation.settings()).isEqualTo(SimulationSettings.of(20, 7)));
        assertThat(fleet.writeTruth(planned)).isNull();
    }

    @Test
    void shouldLetDaysOverrideThePresetsPeriod() {
        FleetOptions.Planned planned = parse("--preset", "jan-2024", "--devices", "10", "--days", "36").plan();

        assertThat(Duration.between(planned.simulation().start(), planned.simulation().end()))
                .isEqualTo(Duration.ofDays(36));
        assertThat(planned.truth().days()).isEqualTo(36);
    }

    @Test
    void shouldReplayTheSpikePresetsLivePartAtAQuarterOfAnHourASecondUnlessToldOtherwise() {
        FleetOptions.Planned spike = parse("--preset", "spike", "--devices", "600").plan();
        FleetOptions.Planned fast = parse("--preset", "spike", "--devices", "600", "--speed", "0").plan();
        FleetOptions.Planned faster = parse("--preset", "spike", "--devices", "600", "--speed", "1800").plan();

        Instant end = spike.simulation().end();
        Instant liveFrom = spike.truth().spikes().stream().map(s -> s.startsAt()).min(Instant::compareTo)
                .orElseThrow().minus(Duration.ofHours(1));
        Duration live = Duration.between(liveFrom, end);
        assertThat(spike.pace().liveDuration(end)).isEqualTo(live.dividedBy(900));
        assertThat(faster.pace().liveDuration(end)).isEqualTo(live.dividedBy(1_800));
        assertThat(fast.pace().paces()).isFalse();
        assertThatThrownBy(() -> parse("--speed", "-1").plan()).hasMessageContaining("--speed");
    }

    @Test
    void shouldRefuseTruthOutWithoutAPreset() {
        FleetOptions fleet = parse("--truth-out", dir.resolve("t.json").toString());

        assertThatThrownBy(fleet::plan).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--preset").hasMessageContaining("jan-2024");
    }

    @Test
    void shouldNameTheKnownPresetsWhenSimulateGetsAnUnknownOne() {
        StringWriter err = new StringWriter();
        Path truth = dir.resolve("never.json");
        int status = PatchPulseCli.commandLine().setErr(new PrintWriter(err))
                .execute("simulate", "--preset", "feb-2024", "--bootstrap-servers", "127.0.0.1:1", "--truth-out",
                        truth.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("patchpulse simulate: unknown preset 'feb-2024'")
                .contains("jan-2024, apr-2025, spike");
        assertThat(Files.exists(truth)).isFalse();
    }

    private static String deviceId(CollectedRecord record) {
        return record instanceof CollectedRecord.Event event ? event.event().getDeviceId()
                : ((CollectedRecord.Inventory) record).inventory().getDeviceId();
    }
}
