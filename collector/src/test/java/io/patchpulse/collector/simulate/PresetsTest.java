package io.patchpulse.collector.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.catalog.ReleaseCatalog;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.serde.CanonicalJson;
import io.patchpulse.schemas.values.WinreVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.patchpulse.collector.simulate.spike.SpikeScenario;
import io.patchpulse.collector.simulate.spike.SpikeSimulation;
import io.patchpulse.collector.simulate.spike.SpikeTruth;

class PresetsTest {

    private static final int DEVICES = 2_000;
    private static final long SEED = 7;
    private static final Duration THREE_DAYS = Duration.ofDays(3);
    private static final long REQUIRED = 250L * 1_048_576L;
    private static final Instant REOFFER = Instant.parse("2024-02-13T18:00:00Z");
    private static final Instant APRIL_PATCH_TUESDAY = Instant.parse("2025-04-08T00:00:00Z");

    private static PresetRun jan;
    private static PresetRun apr;
    private static List<CollectedRecord> janRecords;
    private static List<CollectedRecord> aprRecords;
    private static Map<String, TruthRecount.Device> janDevices;
    private static Map<String, TruthRecount.Device> aprDevices;

    @BeforeAll
    static void runBothPresets() {
        jan = Presets.named("jan-2024").run(PresetSettings.of(DEVICES, SEED));
        apr = Presets.named("apr-2025").run(PresetSettings.of(DEVICES, SEED));
        janRecords = jan.simulation().stream().toList();
        aprRecords = apr.simulation().stream().toList();
        janDevices = TruthRecount.devices(janRecords);
        aprDevices = TruthRecount.devices(aprRecords);
    }

    @Test
    void shouldGiveIdenticalRecordsAndTruthForTheSameSeed() {
        for (Preset preset : Presets.all()) {
            PresetRun first = preset.run(PresetSettings.of(600, 42));
            PresetRun second = preset.run(PresetSettings.of(600, 42));
            assertThat(lines(second.simulation())).as(preset.name()).isEqualTo(lines(first.simulation()));
            assertThat(second.truth()).as(preset.name()).isEqualTo(first.truth());
            PresetRun other = preset.run(PresetSettings.of(600, 43));
            assertThat(lines(other.simulation())).as(preset.name()).isNotEqualTo(lines(first.simulation()));
        }
    }

    @Test
    void shouldPlantTheSpikePresetsSpikesAsItsTruthAndGoLiveAnHourBeforeTheFirst(@TempDir Path dir)
            throws Exception {
        PresetRun run = Presets.named("spike").run(PresetSettings.of(1_500, 5));
        SpikeSimulation planned = SpikeScenario.defaults(5).plan();

        assertThat(run.truth().spikes()).isNotEmpty().isEqualTo(planned.truth());
        assertThat(run.truth().deviceStatus()).isEmpty();
        assertThat(lines(run.simulation())).isEqualTo(lines(planned));
        Instant firstSpike = planned.truth().stream().map(SpikeTruth::startsAt).min(Instant::compareTo).orElseThrow();
        assertThat(run.liveFrom()).isEqualTo(firstSpike.minus(Duration.ofHours(1)));
        // and the truth survives its JSON file, spikes and all
        Path file = dir.resolve("spike-truth.json");
        run.truth().write(file);
        assertThat(PresetTruth.read(file)).isEqualTo(run.truth());
    }

    @Test
    void shouldRefuseASpikeRunWithoutAQuietDayOrWithAFleetTooSmallForASpike() {
        assertThatThrownBy(() -> Presets.named("spike").run(PresetSettings.of(1_500, 5).withDays(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--days of at least 3");
        assertThatThrownBy(() -> Presets.named("spike").run(PresetSettings.of(20, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more --devices");
    }

    @Test
    void shouldTellInTheJanuaryTruthWhatARecountOfItsRecordsFinds() {
        assertTruthMatchesRecount(jan.truth(), janDevices);
    }

    @Test
    void shouldTellInTheAprilTruthWhatARecountOfItsRecordsFinds() {
        assertTruthMatchesRecount(apr.truth(), aprDevices);
    }

    @Test
    void shouldRecountTheAprilTruthWithAnotherFalseFailureTime() {
        Duration twoDays = Duration.ofDays(2);
        PresetRun run = Presets.named("apr-2025").run(PresetSettings.of(500, 3).withFalseFailureWithin(twoDays));
        Map<String, TruthRecount.Device> devices = TruthRecount.devices(run.simulation());
        List<DeviceTruth> recount = TruthRecount.deviceStatus(devices, CatalogRelease.CATALOG, twoDays);

        assertThat(run.truth().falseFailureWithin()).isEqualTo("P2D");
        assertThat(run.truth().deviceStatus()).isEqualTo(recount);
    }

    @Test
    void shouldProduceEveryJanuaryCauseOnTwoThousandDevices() {
        assertThat(causes(jan.truth())).contains(RemediationCause.SCRIPT_APPLIED, RemediationCause.PARTITION_RESIZED,
                RemediationCause.RETRY);
        assertThat(causes(apr.truth())).contains(RemediationCause.FALSE_FAILURE, RemediationCause.NEWER_RELEASE,
                RemediationCause.RETRY);
        assertThat(jan.truth().release("KB5034441").orElseThrow().devicesFailing()).as("still failing").isPositive();
    }

    @Test
    void shouldStopRetryingAfterAWhileAndAttemptAgainAfterTheReoffer() {
        int quietThenReoffered = 0;
        int fixedByTheReoffer = 0;
        for (TruthRecount.Device device : janDevices.values()) {
            List<Instant> results = results(device.events);
            boolean fixedBefore = device.events.stream().anyMatch(e -> e.getOutcome() == Outcome.SUCCEEDED
                    && e.getOccurredAt().isBefore(REOFFER));
            if (results.isEmpty() || fixedBefore) {
                continue;
            }
            List<Instant> after = results.stream().filter(at -> at.isAfter(REOFFER)).toList();
            assertThat(after).as("%s was not fixed before the re-offer: it attempts again", device.deviceId)
                    .isNotEmpty();
            assertThat(Duration.between(REOFFER, after.get(0))).isLessThanOrEqualTo(Duration.ofHours(73));
            Instant lastBefore = results.stream().filter(at -> at.isBefore(REOFFER)).reduce((a, b) -> b)
                    .orElseThrow();
            if (Duration.between(lastBefore, REOFFER).compareTo(Duration.ofDays(7)) > 0) {
                quietThenReoffered++;
            }
            boolean success = device.events.stream().anyMatch(e -> e.getOutcome() == Outcome.SUCCEEDED);
            boolean failedBefore = device.events.stream().anyMatch(e -> e.getOutcome() == Outcome.FAILED);
            fixedByTheReoffer += success && failedBefore ? 1 : 0;
        }
        assertThat(quietThenReoffered).as("devices that went quiet for a week, then tried again").isGreaterThan(100);
        assertThat(fixedByTheReoffer).as("devices remediated meanwhile, fixed by the re-offer").isPositive();
    }

    @Test
    void shouldPatchByScriptBeforeTheNextAttemptAndResizeOnlyAfterOsLayouts() {
        for (DeviceTruth truth : jan.truth().deviceStatus()) {
            TruthRecount.Device device = janDevices.get(truth.deviceId());
            if (truth.cause() == RemediationCause.SCRIPT_APPLIED) {
                InstallEvent success = device.on(truth.kb(), Outcome.SUCCEEDED).get(0);
                DeviceInventory patched = device.inventories.stream()
                        .filter(i -> Boolean.TRUE.equals(i.getScriptPatched())).findFirst().orElseThrow();
                assertThat(patched.getObservedAt()).isBefore(success.getOccurredAt());
                assertThat(success.getInventory().getScriptPatched()).isTrue();
                if (truth.kb().equals("KB5034441")) {
                    assertThat(WinreVersion.parse(patched.getWinre().getVersion()).orElseThrow()
                            .isAtLeast(WinreVersion.WINDOWS_10_FIXED)).isTrue();
                }
            } else if (truth.cause() == RemediationCause.PARTITION_RESIZED) {
                assertThat(device.latest().getRecovery().getLayout().name()).isEqualTo("AFTER_OS");
            }
        }
    }

    @Test
    void shouldReportFalseFailuresOnlyWhereEveryFailureHadARestartPendingAndSuccessCameWithinThreeDays() {
        List<DeviceTruth> falseFailures = apr.truth().deviceStatus().stream()
                .filter(d -> d.state() == DeviceUpdateState.FALSE_FAILURE).toList();
        assertThat(falseFailures).hasSizeGreaterThan(DEVICES / 10);
        for (DeviceTruth truth : falseFailures) {
            TruthRecount.Device device = aprDevices.get(truth.deviceId());
            List<InstallEvent> failures = device.on(truth.kb(), Outcome.FAILED);
            assertThat(failures).isNotEmpty().allMatch(f -> f.getRebootPending()
                    && "0x80070643".equals(f.getErrorCode()));
            InstallEvent success = device.on(truth.kb(), Outcome.SUCCEEDED).get(0);
            assertThat(success.getOccurredAt()).isAfter(failures.get(0).getOccurredAt())
                    .isBefore(failures.get(0).getOccurredAt().plus(THREE_DAYS));
            assertThat(truth.cause()).isEqualTo(RemediationCause.FALSE_FAILURE);
        }
    }

    @Test
    void shouldCountRestartsAfterTheFalseFailureTimeAsPlainRetries() {
        int late = 0;
        for (DeviceTruth truth : apr.truth().deviceStatus()) {
            TruthRecount.Device device = aprDevices.get(truth.deviceId());
            List<InstallEvent> failures = device.on(truth.kb(), Outcome.FAILED);
            List<InstallEvent> successes = device.on(truth.kb(), Outcome.SUCCEEDED);
            if (failures.isEmpty() || successes.isEmpty()
                    || !failures.stream().allMatch(InstallEvent::getRebootPending)) {
                continue;
            }
            Duration toSuccess = Duration.between(failures.get(0).getOccurredAt(), successes.get(0).getOccurredAt());
            if (toSuccess.compareTo(THREE_DAYS) > 0) {
                late++;
                assertThat(truth.state()).isEqualTo(DeviceUpdateState.FIXED);
                assertThat(truth.cause()).isEqualTo(RemediationCause.RETRY);
            }
        }
        assertThat(late).isPositive();
    }

    @Test
    void shouldKeepRealSpaceFailuresFailingSomeWithWinreAgentEvidence() {
        int withEvidence = 0;
        List<DeviceTruth> failing = apr.truth().deviceStatus().stream()
                .filter(d -> d.state() == DeviceUpdateState.FAILING).toList();
        assertThat(failing).isNotEmpty();
        for (DeviceTruth truth : failing) {
            TruthRecount.Device device = aprDevices.get(truth.deviceId());
            List<InstallEvent> failures = device.on(truth.kb(), Outcome.FAILED);
            assertThat(failures).allMatch(f -> !f.getRebootPending()
                    && f.getInventory().getRecovery().getFreeBytes() < REQUIRED);
            List<InstallEvent> agent = device.on(truth.kb(), Outcome.WINRE_SERVICING_FAILED);
            if (!agent.isEmpty()) {
                withEvidence++;
                for (InstallEvent servicing : agent) {
                    assertThat(servicing.getWinreErrorPhase()).isEqualTo(2);
                    assertThat(failures).anyMatch(f -> Duration.between(servicing.getOccurredAt(), f.getOccurredAt())
                            .abs().compareTo(Duration.ofMinutes(5)) <= 0);
                }
            }
        }
        assertThat(withEvidence).isPositive().isLessThan(failing.size());
    }

    @Test
    void shouldFixKb5034441ThroughKb5057589WithoutEverSucceedingOnIt() {
        List<DeviceTruth> newer = apr.truth().deviceStatus().stream()
                .filter(d -> d.cause() == RemediationCause.NEWER_RELEASE).toList();
        assertThat(newer).isNotEmpty().allMatch(d -> d.kb().equals("KB5034441"));
        for (DeviceTruth truth : newer) {
            TruthRecount.Device device = aprDevices.get(truth.deviceId());
            assertThat(device.on("KB5034441", Outcome.FAILED)).hasSizeGreaterThanOrEqualTo(2)
                    .allMatch(f -> f.getOccurredAt().isBefore(APRIL_PATCH_TUESDAY));
            assertThat(device.on("KB5034441", Outcome.SUCCEEDED)).isEmpty();
            InstallEvent serviced = device.on("KB5057589", Outcome.WINRE_SERVICING_SUCCEEDED).get(0);
            assertThat(WinreVersion.parse(serviced.getWinreVersion()).orElseThrow()
                    .isAtLeast(WinreVersion.WINDOWS_10_FIXED)).isTrue();
            assertThat(device.latest().getWinre().getVersion()).isEqualTo(serviced.getWinreVersion());
        }
    }

    @Test
    void shouldGiveEveryEventAnInventoryWithBuildBitLockerPartitionWinreAndScriptFlag() {
        for (List<CollectedRecord> records : List.of(janRecords, aprRecords)) {
            long withPartition = 0;
            long events = 0;
            for (CollectedRecord record : records) {
                if (record instanceof CollectedRecord.Event event) {
                    events++;
                    DeviceInventory inventory = event.event().getInventory();
                    assertThat(inventory).isNotNull();
                    assertThat(inventory.getOs().getBuild()).isNotNull();
                    assertThat(inventory.getBitlocker()).isNotNull();
                    assertThat(inventory.getWinre().getVersion()).isNotNull();
                    assertThat(inventory.getScriptPatched()).isNotNull();
                    assertThat(inventory.getRecovery()).isNotNull();
                    withPartition += inventory.getRecovery().getFreeBytes() != null ? 1 : 0;
                }
            }
            // 3 % of inventories cannot read the recovery partition, by design of the model.
            assertThat(withPartition).isGreaterThan(events * 9 / 10);
        }
    }

    @Test
    void shouldUseUniqueEventIds() {
        for (List<CollectedRecord> records : List.of(janRecords, aprRecords)) {
            Set<String> ids = new HashSet<>();
            long events = 0;
            for (CollectedRecord record : records) {
                if (record instanceof CollectedRecord.Event event) {
                    events++;
                    ids.add(event.event().getEventId());
                }
            }
            assertThat(ids).hasSize((int) events);
        }
    }

    @Test
    void shouldYieldRecordsInReceiveOrder() {
        for (List<CollectedRecord> records : List.of(janRecords, aprRecords)) {
            List<Instant> received = records.stream().map(CollectedRecord::receivedAt).toList();
            assertThat(received).isSorted();
        }
    }

    @Test
    void shouldWriteTheTruthAsOneJsonDocumentAndReadItBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out/truth.json");
        apr.truth().write(file);

        String json = Files.readString(file);
        assertThat(json).contains("\"preset\" : \"apr-2025\"", "\"falseFailureWithin\" : \"P3D\"",
                "\"deviceStatus\"", "\"releases\"", "\"spikes\" : [ ]");
        assertThat(PresetTruth.read(file)).isEqualTo(apr.truth());
    }

    @Test
    void shouldNameTheKnownPresetsWhenOneIsUnknown() {
        assertThatThrownBy(() -> Presets.named("feb-2024")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("feb-2024").hasMessageContaining("jan-2024").hasMessageContaining("apr-2025");
        assertThat(Presets.all()).extracting(Preset::name).doesNotHaveDuplicates();
    }

    @Test
    void shouldMirrorTheReleaseCatalog() throws Exception {
        List<Release> catalog = ReleaseCatalog.read(Path.of("..", "deploy", "catalog", "releases.yaml"));
        List<CatalogRelease> expected = catalog.stream().map(release -> new CatalogRelease(release.getKb(),
                release.getOsBuilds(), release.getFixedWinreVersion())).toList();
        assertThat(CatalogRelease.CATALOG).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void assertTruthMatchesRecount(PresetTruth truth, Map<String, TruthRecount.Device> devices) {
        List<DeviceTruth> recount = TruthRecount.deviceStatus(devices, CatalogRelease.CATALOG, THREE_DAYS);
        assertThat(truth.devices()).isEqualTo(DEVICES);
        assertThat(devices).hasSize(DEVICES);
        // Compared one by one first, so that a failure names the device.
        Map<String, DeviceTruth> byKey = recount.stream()
                .collect(Collectors.toMap(d -> d.deviceId() + "|" + d.kb(), d -> d));
        for (DeviceTruth expected : truth.deviceStatus()) {
            assertThat(byKey.get(expected.deviceId() + "|" + expected.kb())).as("recount of the records vs the truth")
                    .isEqualTo(expected);
        }
        assertThat(truth.deviceStatus()).isEqualTo(recount);
        assertThat(truth.releases()).isEqualTo(TruthRecount.releases(recount, CatalogRelease.CATALOG));
    }

    private static Set<RemediationCause> causes(PresetTruth truth) {
        return truth.deviceStatus().stream().map(DeviceTruth::cause).filter(c -> c != null)
                .collect(Collectors.toSet());
    }

    private static List<Instant> results(List<InstallEvent> events) {
        return events.stream().filter(e -> e.getOutcome() == Outcome.FAILED || e.getOutcome() == Outcome.SUCCEEDED)
                .map(InstallEvent::getOccurredAt).sorted().toList();
    }

    private static List<String> lines(SimulatedRecords run) {
        List<String> lines = new ArrayList<>();
        for (CollectedRecord record : run) {
            lines.add(record.getClass().getSimpleName() + " " + record.receivedAt().toEpochMilli() + " "
                    + CanonicalJson.toLine(record.value()));
        }
        return lines;
    }
}
