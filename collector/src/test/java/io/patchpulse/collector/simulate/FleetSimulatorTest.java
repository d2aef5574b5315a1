package io.patchpulse.collector.simulate;

import io.patchpulse.collector.CollectedRecord;
import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.serde.CanonicalJson;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.WinreStatus;
import io.patchpulse.schemas.values.BitLockerCohort;
import io.patchpulse.schemas.values.ErrorCode;
import io.patchpulse.schemas.values.FreeBucket;
import io.patchpulse.schemas.values.KbId;
import io.patchpulse.schemas.values.SizeBucket;
import io.patchpulse.schemas.values.WinreVersion;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {

    private static final int DEVICES = 1_500;
    private static final long SEED = 7;
    private static final String INSTALL_FAILURE = "0x80070643";

    private static Simulation simulation;
    private static List<CollectedRecord> records;
    /** Per device, its records in occurrence order (an inventory before an event of the same instant). */
    private static Map<String, List<CollectedRecord>> byDevice;

    @BeforeAll
    static void simulateOnce() {
        simulation = new FleetSimulator(SimulationSettings.of(DEVICES, SEED)).simulate();
        records = simulation.stream().collect(Collectors.toList());
        byDevice = byDevice(records);
    }

    @Test
    void shouldProduceIdenticalRecordsForTheSameSeed() {
        List<String> first = lines(new FleetSimulator(SimulationSettings.of(300, 42)).simulate());
        List<String> second = lines(new FleetSimulator(SimulationSettings.of(300, 42)).simulate());

        assertThat(first).hasSizeGreaterThan(1_000);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldYieldTheSameRecordsOnEveryIteration() {
        Simulation small = new FleetSimulator(SimulationSettings.of(100, 3)).simulate();

        assertThat(lines(small)).isEqualTo(lines(small));
    }

    @Test
    void shouldProduceDifferentRecordsForDifferentSeeds() {
        List<String> seven = lines(new FleetSimulator(SimulationSettings.of(300, 7)).simulate());
        List<String> eight = lines(new FleetSimulator(SimulationSettings.of(300, 8)).simulate());

        assertThat(eight).isNotEqualTo(seven);
        assertThat(new HashSet<>(eight)).doesNotContainAnyElementsOf(seven);
    }

    @Test
    void shouldKeepADevicesHistoryWhenTheFleetGrows() {
        List<String> inSmallFleet = lines(new FleetSimulator(SimulationSettings.of(20, 5)).simulate());
        List<String> inLargeFleet = lines(new FleetSimulator(SimulationSettings.of(60, 5)).simulate());

        assertThat(inLargeFleet).containsAll(inSmallFleet);
    }

    @Test
    void shouldOrderRecordsByReceiveTime() {
        assertThat(records).extracting(CollectedRecord::receivedAt).isSorted();
        assertThat(records).hasSize((int) simulation.size());
    }

    @Test
    void shouldFailWithInstallFailureExactlyWhenWinreIsEnabledAndFreeSpaceIsShort() {
        int installFailures = 0;
        for (List<CollectedRecord> history : byDevice.values()) {
            InstallEvent started = null;
            for (InstallEvent event : events(history)) {
                if (event.getOutcome() == Outcome.STARTED) {
                    started = event;
                    continue;
                }
                if (event.getOutcome() != Outcome.FAILED && event.getOutcome() != Outcome.SUCCEEDED) {
                    continue;
                }
                boolean installFailure = event.getOutcome() == Outcome.FAILED
                        && INSTALL_FAILURE.equals(event.getErrorCode());
                if (installFailure) {
                    installFailures++;
                    // The failure's own snapshot explains it ...
                    assertThat(blocked(event.getInventory())).as("snapshot of %s", event.getEventId()).isTrue();
                }
                // ... and every attempt that started blocked ends in 0x80070643, every other one does not.
                assertThat(installFailure).as("result %s", event.getEventId())
                        .isEqualTo(blocked(started.getInventory()));
            }
        }
        assertThat(installFailures).isGreaterThan(1_000);
    }

    @Test
    void shouldNeverLetAShortSpaceDeviceSucceedUnlessRemediated() {
        int neverRemediated = 0;
        for (List<CollectedRecord> history : byDevice.values()) {
            DeviceInventory initial = inventories(history).get(0);
            if (initial.getWinre().getStatus() != WinreStatus.ENABLED
                    || FreeBucket.ofBytes(initial.getRecovery().getFreeBytes()) != FreeBucket.UNDER_250_MIB
                    || remediation(history) != null) {
                continue;
            }
            neverRemediated++;
            assertThat(events(history)).extracting(InstallEvent::getOutcome).doesNotContain(Outcome.SUCCEEDED);
        }
        assertThat(neverRemediated).isGreaterThan(DEVICES / 5);
    }

    @Test
    void shouldRetryFailingDevicesOnSeveralDistinctDays() {
        List<Integer> failureDays = new ArrayList<>();
        for (List<CollectedRecord> history : byDevice.values()) {
            List<InstallEvent> failures = events(history).stream()
                    .filter(event -> INSTALL_FAILURE.equals(event.getErrorCode())).collect(Collectors.toList());
            boolean succeeded = events(history).stream().anyMatch(event -> event.getOutcome() == Outcome.SUCCEEDED);
            if (failures.isEmpty() || succeeded) {
                continue;
            }
            Set<LocalDate> days = failures.stream()
                    .map(event -> LocalDate.ofInstant(event.getOccurredAt(), ZoneOffset.UTC))
                    .collect(Collectors.toCollection(TreeSet::new));
            failureDays.add(days.size());
            // Once or twice a day: never more than three results on one day.
            Map<LocalDate, Long> perDay = failures.stream().collect(Collectors.groupingBy(
                    event -> LocalDate.ofInstant(event.getOccurredAt(), ZoneOffset.UTC), Collectors.counting()));
            assertThat(perDay.values()).allMatch(count -> count <= 3);
        }
        assertThat(failureDays).isNotEmpty().allMatch(days -> days >= 8);
        assertThat(failureDays.stream().filter(days -> days >= 12).count()).isGreaterThan(failureDays.size() / 2);
    }

    @Test
    void shouldSucceedOnTheNextAttemptAfterRemediation() {
        int resized = 0;
        int scripted = 0;
        for (List<CollectedRecord> history : byDevice.values()) {
            DeviceInventory remediated = remediation(history);
            if (remediated == null) {
                continue;
            }
            DeviceInventory initial = inventories(history).get(0);
            assertThat(blocked(initial)).isTrue();
            InstallEvent next = events(history).stream()
                    .filter(event -> event.getOccurredAt().isAfter(remediated.getObservedAt()))
                    .filter(event -> event.getOutcome() == Outcome.FAILED || event.getOutcome() == Outcome.SUCCEEDED)
                    .findFirst().orElseThrow();
            assertThat(next.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
            if (Boolean.TRUE.equals(remediated.getScriptPatched())) {
                scripted++;
                assertThat(remediated.getWinre().getVersion()).isIn("10.0.19041.3920", "10.0.22000.2710");
            } else {
                resized++;
                assertThat(remediated.getRecovery().getLayout()).isEqualTo(RecoveryLayout.AFTER_OS);
                assertThat(remediated.getRecovery().getFreeBytes()).isGreaterThanOrEqualTo(FreeBucket.REQUIRED_BYTES);
                assertThat(remediated.getRecovery().getPartitionSizeBytes())
                        .isGreaterThan(initial.getRecovery().getPartitionSizeBytes());
            }
        }
        assertThat(resized).isGreaterThan(20);
        assertThat(scripted).isGreaterThan(20);
    }

    @Test
    void shouldClearTransientFailuresOnALaterRetry() {
        int transientFailures = 0;
        for (List<CollectedRecord> history : byDevice.values()) {
            List<InstallEvent> events = events(history);
            for (int i = 0; i < events.size(); i++) {
                InstallEvent event = events.get(i);
                if (event.getOutcome() != Outcome.FAILED || INSTALL_FAILURE.equals(event.getErrorCode())) {
                    continue;
                }
                transientFailures++;
                assertThat(event.getErrorCode()).isIn("0x8024200B", "0x80070002");
                assertThat(events.subList(i + 1, events.size())).extracting(InstallEvent::getOutcome)
                        .contains(Outcome.SUCCEEDED);
            }
        }
        assertThat(transientFailures).isBetween(10, DEVICES / 10);
    }

    @Test
    void shouldSpellRawErrorCodesInAllThreeFormsAndNormalizeThem() {
        Map<String, Long> installFailureSpellings = new LinkedHashMap<>();
        for (InstallEvent event : allEvents()) {
            if (event.getOutcome() != Outcome.FAILED) {
                assertThat(event.getErrorCode()).isNull();
                assertThat(event.getRawErrorCode()).isNull();
                continue;
            }
            assertThat(ErrorCode.isCanonical(event.getErrorCode())).isTrue();
            assertThat(ErrorCode.normalize(event.getRawErrorCode())).contains(event.getErrorCode());
            if (INSTALL_FAILURE.equals(event.getErrorCode())) {
                installFailureSpellings.merge(event.getRawErrorCode(), 1L, Long::sum);
            }
        }
        assertThat(installFailureSpellings.keySet())
                .containsExactlyInAnyOrder("0x80070643", "-2147023293", "2147944003");
    }

    @Test
    void shouldReceiveEveryRecordAfterItHappenedAndBacklogsWithinFiveDays() {
        Duration longest = Duration.ZERO;
        int daysLate = 0;
        Set<String> lateDevices = new HashSet<>();
        for (CollectedRecord record : records) {
            Duration late = Duration.between(record.timestamp(), record.receivedAt());
            assertThat(late).isPositive().isLessThan(Duration.ofDays(5));
            if (late.compareTo(Duration.ofMinutes(2)) >= 0) {
                // Only devices back from an offline stretch report late.
                lateDevices.add(record.deviceId());
            }
            if (late.compareTo(Duration.ofDays(1)) > 0) {
                daysLate++;
            }
            longest = late.compareTo(longest) > 0 ? late : longest;
        }
        assertThat(daysLate).isGreaterThan(300);
        assertThat(longest).isGreaterThan(Duration.ofDays(2));
        assertThat((double) lateDevices.size() / DEVICES).isBetween(0.10, 0.20);
    }

    @Test
    void shouldEmitAnInventoryAtStartAndOnEveryStateChange() {
        for (List<CollectedRecord> history : byDevice.values()) {
            assertThat(history.get(0)).isInstanceOf(CollectedRecord.Inventory.class);
            DeviceInventory latest = null;
            for (CollectedRecord record : history) {
                if (record instanceof CollectedRecord.Inventory) {
                    DeviceInventory inventory = ((CollectedRecord.Inventory) record).inventory();
                    if (latest != null) {
                        assertThat(withoutTime(inventory)).as("an inventory is emitted only on change")
                                .isNotEqualTo(withoutTime(latest));
                    }
                    latest = inventory;
                } else {
                    InstallEvent event = ((CollectedRecord.Event) record).event();
                    assertThat(event.getInventory().getObservedAt()).isEqualTo(event.getOccurredAt());
                    assertThat(withoutTime(event.getInventory())).isEqualTo(withoutTime(latest));
                }
            }
        }
    }

    @Test
    void shouldMoveWinreToTheFixedVersionOnSuccessUnlessWinreIsDisabled() {
        int disabledSuccesses = 0;
        for (List<CollectedRecord> history : byDevice.values()) {
            DeviceInventory initial = inventories(history).get(0);
            for (InstallEvent event : events(history)) {
                if (event.getOutcome() != Outcome.SUCCEEDED) {
                    continue;
                }
                String version = event.getInventory().getWinre().getVersion();
                if (initial.getWinre().getStatus() == WinreStatus.DISABLED) {
                    disabledSuccesses++;
                    assertThat(version).isEqualTo(initial.getWinre().getVersion());
                    assertThat(event.getWinreVersion()).isNull();
                } else if (event.getKb().equals("KB5034441")) {
                    assertThat(version).isEqualTo(WinreVersion.WINDOWS_10_FIXED.toString());
                    assertThat(event.getWinreVersion()).isEqualTo(version);
                } else {
                    assertThat(version).isEqualTo("10.0.22000.2710");
                }
            }
        }
        assertThat(disabledSuccesses).isPositive();
    }

    @Test
    void shouldRunEachAttemptAsDownloadStartAndResultMinutesApart() {
        for (List<CollectedRecord> history : byDevice.values()) {
            List<InstallEvent> events = events(history);
            assertThat(events.size() % 3).isZero();
            for (int i = 0; i < events.size(); i += 3) {
                InstallEvent download = events.get(i);
                InstallEvent started = events.get(i + 1);
                InstallEvent result = events.get(i + 2);
                assertThat(download.getOutcome()).isEqualTo(Outcome.DOWNLOAD_STARTED);
                assertThat(started.getOutcome()).isEqualTo(Outcome.STARTED);
                assertThat(result.getOutcome()).isIn(Outcome.FAILED, Outcome.SUCCEEDED);
                assertThat(Duration.between(download.getOccurredAt(), started.getOccurredAt()))
                        .isBetween(Duration.ofMinutes(2), Duration.ofMinutes(8));
                assertThat(Duration.between(started.getOccurredAt(), result.getOccurredAt()))
                        .isBetween(Duration.ofMinutes(3), Duration.ofMinutes(15));
            }
            // Nothing after a success.
            long successes = events.stream().filter(event -> event.getOutcome() == Outcome.SUCCEEDED).count();
            assertThat(successes).isLessThanOrEqualTo(1);
            if (successes == 1) {
                assertThat(events.get(events.size() - 1).getOutcome()).isEqualTo(Outcome.SUCCEEDED);
            }
        }
    }

    @Test
    void shouldKeepEveryEventInsideTheSimulatedPeriod() {
        SimulationSettings settings = simulation.settings();
        assertThat(allEvents()).allSatisfy(event -> assertThat(event.getOccurredAt())
                .isAfterOrEqualTo(settings.start()).isBefore(settings.end()));
        assertThat(settings.start()).isEqualTo(Instant.parse("2024-01-09T18:00:00Z"));
    }

    @Test
    void shouldNameTheUpdateByKbAndLocalizedTitle() {
        long localizedDevices = 0;
        long windows11Devices = 0;
        for (List<CollectedRecord> history : byDevice.values()) {
            List<InstallEvent> events = events(history);
            InstallEvent first = events.get(0);
            for (InstallEvent event : events) {
                assertThat(KbId.extract(event.getUpdateTitle())).contains(event.getKb());
                assertThat(event.getUpdateTitle()).isEqualTo(first.getUpdateTitle());
            }
            String osVersion = inventories(history).get(0).getOs().getVersion();
            String product = inventories(history).get(0).getOs().getProduct();
            if (product.startsWith("Windows 11")) {
                windows11Devices++;
                assertThat(first.getKb()).isEqualTo("KB5034440");
                assertThat(osVersion).isEqualTo("21H2");
            } else {
                assertThat(first.getKb()).isEqualTo("KB5034441");
                assertThat(first.getUpdateTitle()).contains("Windows 10 Version " + osVersion);
            }
            if (!first.getUpdateTitle().startsWith("2024-01 Security Update")) {
                localizedDevices++;
            }
        }
        assertThat(allEvents()).extracting(InstallEvent::getUpdateTitle)
                .contains("2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)",
                        "2024-01 Security Update for Windows 10 Version 21H2 for x64-based Systems (KB5034441)")
                .anyMatch(title -> title.startsWith("Mise à jour de sécurité"))
                .anyMatch(title -> title.contains("Sicherheitsupdate"));
        assertThat((double) windows11Devices / DEVICES).isBetween(0.08, 0.16);
        assertThat((double) localizedDevices / DEVICES).isBetween(0.10, 0.20);
    }

    @Test
    void shouldDrawRealisticPartitionWinreAndBitLockerStates() {
        Map<SizeBucket, Integer> sizes = new EnumMap<>(SizeBucket.class);
        Map<BitLockerCohort, Integer> bitlocker = new EnumMap<>(BitLockerCohort.class);
        Map<RecoveryLayout, Integer> layouts = new EnumMap<>(RecoveryLayout.class);
        int disabled = 0;
        for (List<CollectedRecord> history : byDevice.values()) {
            DeviceInventory initial = inventories(history).get(0);
            Long size = initial.getRecovery().getPartitionSizeBytes();
            Long free = initial.getRecovery().getFreeBytes();
            sizes.merge(SizeBucket.ofBytes(size), 1, Integer::sum);
            bitlocker.merge(BitLockerCohort.of(initial.getBitlocker()), 1, Integer::sum);
            layouts.merge(initial.getRecovery().getLayout(), 1, Integer::sum);
            if (size != null) {
                assertThat(free).isPositive().isLessThan(size - 250L * 1_048_576L);
            } else {
                assertThat(free).isNull();
            }
            if (initial.getWinre().getStatus() == WinreStatus.DISABLED) {
                disabled++;
                assertThat(initial.getWinre().getLocation()).isNull();
            } else {
                assertThat(initial.getWinre().getLocation()).matches(
                        "\\\\\\\\\\?\\\\GLOBALROOT\\\\device\\\\harddisk0\\\\partition\\d\\\\Recovery\\\\WindowsRE");
            }
        }
        assertThat(sizes).containsOnlyKeys(SizeBucket.values());
        assertThat(sizes.get(SizeBucket.FROM_500_TO_750_MIB)).isGreaterThan(DEVICES * 2 / 5);
        assertThat(sizes.get(SizeBucket.UNKNOWN)).isBetween(5, DEVICES / 15);
        assertThat(bitlocker).containsOnlyKeys(BitLockerCohort.values());
        assertThat(bitlocker.get(BitLockerCohort.ON_TPM)).isGreaterThan(bitlocker.get(BitLockerCohort.OFF));
        assertThat(layouts).containsKeys(RecoveryLayout.AFTER_OS, RecoveryLayout.LAST_ON_DISK, RecoveryLayout.OTHER);
        assertThat((double) disabled / DEVICES).isBetween(0.025, 0.08);
    }

    @Test
    void shouldRemediateRoughlyTheConfiguredShareOfBlockedDevices() {
        SimulationSummary summary = simulation.summary();

        double remediated = (double) summary.devicesRemediated() / summary.devicesFailedInstall();
        assertThat(remediated).isBetween(0.25, 0.45);
        assertThat((double) summary.devicesFailedInstall() / DEVICES).isBetween(0.3, 0.6);
    }

    @Test
    void shouldUsePseudonymousDeviceIdsAndUniqueEventIds() {
        assertThat(byDevice).hasSize(DEVICES);
        assertThat(byDevice.keySet()).allMatch(id -> id.matches("dev-[0-9a-f]{16}"));
        List<String> ids = allEvents().stream().map(InstallEvent::getEventId).collect(Collectors.toList());
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        assertThat(allEvents()).allMatch(event -> event.getSource().name().equals("SIMULATOR"));
    }

    @Test
    void shouldSummarizeWhatItEmits() {
        SimulationSummary summary = simulation.summary();
        Map<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
        allEvents().forEach(event -> byOutcome.merge(event.getOutcome(), 1L, Long::sum));
        long failingDevices = byDevice.values().stream()
                .filter(history -> events(history).stream().anyMatch(e -> e.getOutcome() == Outcome.FAILED)).count();

        assertThat(summary.records()).isEqualTo(records.size()).isEqualTo(simulation.size());
        assertThat(summary.events()).isEqualTo(allEvents().size());
        for (Outcome outcome : Outcome.values()) {
            assertThat(summary.events(outcome)).isEqualTo(byOutcome.getOrDefault(outcome, 0L));
        }
        assertThat(summary.devicesFailed()).isEqualTo(failingDevices);
        assertThat(summary.devices()).isEqualTo(DEVICES);
    }

    @Test
    void shouldFollowTheConfiguredShares() {
        SimulationSettings base = SimulationSettings.of(400, 11);
        SimulationSettings quiet = new SimulationSettings(400, 11, base.start(), 7, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);

        List<CollectedRecord> quietRecords = new FleetSimulator(quiet).records().collect(Collectors.toList());

        assertThat(quietRecords).allSatisfy(record -> assertThat(Duration.between(record.timestamp(),
                record.receivedAt())).isLessThan(Duration.ofMinutes(2)));
        List<InstallEvent> events = quietRecords.stream().filter(r -> r instanceof CollectedRecord.Event)
                .map(r -> ((CollectedRecord.Event) r).event()).collect(Collectors.toList());
        assertThat(events).allSatisfy(event -> {
            assertThat(event.getKb()).isEqualTo("KB5034441");
            assertThat(event.getUpdateTitle()).startsWith("2024-01 Security Update for Windows 10 Version");
            assertThat(event.getErrorCode()).isIn(null, INSTALL_FAILURE);
            assertThat(event.getInventory().getScriptPatched()).isFalse();
            assertThat(event.getInventory().getWinre().getStatus()).isEqualTo(WinreStatus.ENABLED);
            assertThat(event.getOccurredAt()).isBefore(quiet.end());
        });
    }

    // ---- helpers

    private static List<String> lines(Simulation run) {
        List<String> lines = new ArrayList<>();
        for (CollectedRecord record : run) {
            // Inventories carry no receive time in their JSON: keep it in the line.
            lines.add(record.getClass().getSimpleName() + " " + record.receivedAt().toEpochMilli() + " "
                    + CanonicalJson.toLine(record.value()));
        }
        return lines;
    }

    private static Map<String, List<CollectedRecord>> byDevice(List<CollectedRecord> all) {
        Map<String, List<CollectedRecord>> grouped = new LinkedHashMap<>();
        for (CollectedRecord record : all) {
            grouped.computeIfAbsent(record.deviceId(), id -> new ArrayList<>()).add(record);
        }
        Comparator<CollectedRecord> occurrence = Comparator.comparing(CollectedRecord::timestamp)
                .thenComparing(record -> record instanceof CollectedRecord.Inventory ? 0 : 1);
        grouped.values().forEach(history -> history.sort(occurrence));
        return grouped;
    }

    private static List<InstallEvent> events(List<CollectedRecord> history) {
        return history.stream().filter(record -> record instanceof CollectedRecord.Event)
                .map(record -> ((CollectedRecord.Event) record).event()).collect(Collectors.toList());
    }

    private static List<DeviceInventory> inventories(List<CollectedRecord> history) {
        return history.stream().filter(record -> record instanceof CollectedRecord.Inventory)
                .map(record -> ((CollectedRecord.Inventory) record).inventory()).collect(Collectors.toList());
    }

    private static List<InstallEvent> allEvents() {
        return records.stream().filter(record -> record instanceof CollectedRecord.Event)
                .map(record -> ((CollectedRecord.Event) record).event()).collect(Collectors.toList());
    }

    /** The first inventory that shows a remediation (partition grown or script applied), or null. */
    private static DeviceInventory remediation(List<CollectedRecord> history) {
        List<DeviceInventory> inventories = inventories(history);
        Long initialSize = inventories.get(0).getRecovery().getPartitionSizeBytes();
        for (DeviceInventory inventory : inventories) {
            Long size = inventory.getRecovery().getPartitionSizeBytes();
            if (Boolean.TRUE.equals(inventory.getScriptPatched())
                    || (size != null && initialSize != null && size > initialSize)) {
                return inventory;
            }
        }
        return null;
    }

    private static boolean blocked(DeviceInventory inventory) {
        WinreVersion fixed = inventory.getOs().getProduct().startsWith("Windows 11")
                ? new WinreVersion(10, 0, 22000, 2710) : WinreVersion.WINDOWS_10_FIXED;
        return inventory.getWinre().getStatus() == WinreStatus.ENABLED
                && FreeBucket.ofBytes(inventory.getRecovery().getFreeBytes()) == FreeBucket.UNDER_250_MIB
                && !WinreVersion.parse(inventory.getWinre().getVersion()).orElseThrow().isAtLeast(fixed);
    }

    private static String withoutTime(DeviceInventory inventory) {
        DeviceInventory copy = DeviceInventory.newBuilder(inventory).setObservedAt(Instant.EPOCH).build();
        return CanonicalJson.toLine(copy);
    }
}
