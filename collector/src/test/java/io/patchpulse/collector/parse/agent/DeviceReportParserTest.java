package io.patchpulse.collector.parse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.parse.Samples;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.avro.WinreStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceReportParserTest {

    static final Instant RECEIVED = Instant.parse("2024-02-14T10:00:00Z");
    static final DeviceIds IDS = DeviceIds.hmac(new byte[32]);
    static final String LOCATION_P4 = "\\\\?\\GLOBALROOT\\device\\harddisk0\\partition4\\Recovery\\WindowsRE";
    private static final String KB41 =
            "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)";
    private static final String KB63 =
            "2024-02 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5034763)";
    private static final String GUID41 = "3c5ea8a2-2f3b-4b1e-9c7d-5e0a61f4b2d9";

    private final DeviceReportParser parser = new DeviceReportParser();

    static byte[] sample(String name) {
        return Samples.bytes("device-report/" + name);
    }

    private ParseResult parse(byte[] bytes) throws IOException {
        return parser.parse(new ByteArrayInputStream(bytes), new ParseContext(IDS, RECEIVED, "test"));
    }

    private ParseResult parse(String text) throws IOException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A compact report with the given extra members ({@code "k": v, ...}). */
    private static String report(String members) {
        return "{\"schema\": \"patchpulse.device-report/1\", \"host\": \"LT-ACME-0142\", "
                + "\"collectedAt\": \"2024-02-14T09:12:31.5512345+01:00\"" + (members.isEmpty() ? "" : ", " + members)
                + "}";
    }

    private static InstallEvent.Builder event(String host, Outcome outcome, String occurredAt) {
        return InstallEvent.newBuilder()
                .setDeviceId(IDS.of(host))
                .setOccurredAt(Instant.parse(occurredAt))
                .setReceivedAt(RECEIVED)
                .setSource(EventSource.AGENT)
                .setOutcome(outcome);
    }

    /** The events of {@code result} with their ids checked for shape and then set on the expected ones. */
    private static List<InstallEvent> events(ParseResult result) {
        return result.collected().stream()
                .filter(CollectedRecord.Event.class::isInstance)
                .map(r -> ((CollectedRecord.Event) r).event())
                .toList();
    }

    private static DeviceInventory inventory(ParseResult result) {
        return result.collected().stream()
                .filter(CollectedRecord.Inventory.class::isInstance)
                .map(r -> ((CollectedRecord.Inventory) r).inventory())
                .findFirst().orElseThrow();
    }

    private static void assertEvents(List<InstallEvent> actual, InstallEvent.Builder... expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual.get(i).getEventId()).matches("w-[0-9a-f]{32}");
            assertThat(actual.get(i)).isEqualTo(expected[i].setEventId(actual.get(i).getEventId()).build());
        }
        assertThat(actual.stream().map(InstallEvent::getEventId).distinct()).hasSize(expected.length);
    }

    @Test
    void shouldReadTheEnglishLaptopWithWinreAfterTheOsAndTpmOnlyBitLocker() throws IOException {
        ParseResult result = parse(sample("en-win10-22h2-tpm-after-os.json"));

        assertThat(result.problems()).isEmpty();
        assertThat(result.accepted()).isEqualTo(1);
        assertThat(result.records()).extracting(ParseResult.Line::line).containsOnly(1L);
        assertThat(result.records().get(0).record()).isEqualTo(new CollectedRecord.Inventory(DeviceInventory.newBuilder()
                .setDeviceId(IDS.of("LT-ACME-0142"))
                .setObservedAt(Instant.parse("2024-02-14T08:12:31.551Z"))
                .setOs(OsInfo.newBuilder().setProduct("Windows 10 Pro").setVersion("22H2").setBuild(19045)
                        .setUbr(4046).build())
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(572L * 1024 * 1024)
                        .setFreeBytes(93_519_872L).setLayout(RecoveryLayout.AFTER_OS)
                        .setPartitionStyle(PartitionStyle.GPT).build())
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.ENABLED).setVersion("10.0.19041.3636")
                        .setLocation(LOCATION_P4).build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED).setEncryptionMethod("XtsAes128")
                        .setProtectorClass(ProtectorClass.TPM_ONLY).build())
                .setScriptPatched(null)
                .build(), RECEIVED));
        // Get-WinEvent writes newest first; the order is kept. The device is the report's host, not MachineName.
        assertEvents(events(result),
                event("LT-ACME-0142", Outcome.SUCCEEDED, "2024-02-14T08:41:07.312Z").setKb("KB5034763")
                        .setUpdateTitle(KB63).setUpdateGuid("a1f0c6d4-7e52-4f0b-8d2e-93b1c7e4f605"),
                event("LT-ACME-0142", Outcome.FAILED, "2024-01-10T10:23:44.918Z").setKb("KB5034441")
                        .setUpdateTitle(KB41).setUpdateGuid(GUID41)
                        .setErrorCode("0x80070643").setRawErrorCode("-2147023293"),
                event("LT-ACME-0142", Outcome.WINRE_SERVICING_FAILED, "2024-01-10T10:23:41.027Z")
                        .setErrorCode("0x800F0828").setRawErrorCode("-2146498520").setWinreErrorPhase(2),
                event("LT-ACME-0142", Outcome.STARTED, "2024-01-10T10:18:02.555Z").setKb("KB5034441")
                        .setUpdateTitle(KB41).setUpdateGuid(GUID41));
    }

    @Test
    void shouldReadTheGermanLaptopWithManageBdeTextAndPickTheWinrePartitionNotTheOemOne() throws IOException {
        ParseResult result = parse(sample("de-win10-managebde-oem-recovery.json"));

        assertThat(result.problems()).isEmpty();
        assertThat(inventory(result)).isEqualTo(DeviceInventory.newBuilder()
                .setDeviceId(IDS.of("NB-MUC-0077"))
                .setObservedAt(Instant.parse("2024-02-14T09:03:11.402Z")) // Get-Date's {"value": "\/Date(...)\/"}
                .setOs(OsInfo.newBuilder().setProduct("Windows 10 Enterprise").setVersion("22H2").setBuild(19045)
                        .setUbr(4046).build())
                // Partition 4 (1000 MiB, after the OS), not the 13 GiB factory-image partition 5 also typed Recovery.
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(1000L * 1024 * 1024)
                        .setFreeBytes(468_713_472L).setLayout(RecoveryLayout.AFTER_OS)
                        .setPartitionStyle(PartitionStyle.GPT).build())
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.ENABLED).setVersion("10.0.19041.3920")
                        .setLocation(LOCATION_P4).build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED).setEncryptionMethod("XtsAes128")
                        .setProtectorClass(ProtectorClass.TPM_PREBOOT).build())
                .build());
        // "events" is one object, not an array: PowerShell 5.1 with a single Get-WinEvent result.
        assertEvents(events(result),
                event("NB-MUC-0077", Outcome.WINRE_SERVICING_SUCCEEDED, "2024-01-12T14:02:19.733Z")
                        .setWinreVersion("10.0.19041.3920"));
    }

    @Test
    void shouldReadTheWinreDisabledDeviceAsHavingNoWinrePartition() throws IOException {
        ParseResult result = parse(sample("fr-win10-winre-disabled-mbr.json"));

        assertThat(result.problems()).isEmpty();
        assertThat(inventory(result)).isEqualTo(DeviceInventory.newBuilder()
                .setDeviceId(IDS.of("PC-LYON-0311"))
                .setObservedAt(Instant.parse("2024-02-14T08:20:44.093Z"))
                .setOs(OsInfo.newBuilder().setProduct("Windows 10 Professionnel").setVersion("22H2").setBuild(19045)
                        .setUbr(4046).build())
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(null).setFreeBytes(null)
                        .setLayout(RecoveryLayout.NONE).setPartitionStyle(PartitionStyle.MBR).build())
                // winreVersion 0.0.0.0 is what a disabled WinRE reports: unknown, not a version.
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.DISABLED).setVersion(null).setLocation(null)
                        .build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.OFF)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_DECRYPTED).setEncryptionMethod("None")
                        .setProtectorClass(ProtectorClass.NONE).build())
                .setScriptPatched(false)
                .build());
        assertEvents(events(result),
                event("PC-LYON-0311", Outcome.SUCCEEDED, "2024-02-13T19:44:05.120Z").setKb("KB5034441")
                        .setUpdateTitle("Mise à jour de sécurité 2024-01 pour Windows 10 Version 22H2 pour les "
                                + "systèmes x64 (KB5034441)").setUpdateGuid(GUID41));
    }

    @Test
    void shouldReadTheNdjsonBatchAndRejectOnlyItsBadLines() throws IOException {
        ParseResult result = parse(sample("batch-compact.ndjson"));

        assertThat(result.problems()).containsExactly(
                new Problem(3, "$.schema", "expected 'patchpulse.device-report/1', got 'patchpulse.device-report/2'"),
                new Problem(4, "$.partitions[2].Size", "expected a whole number, got 'n/a'"),
                new Problem(5, "$.collectedAt", "is required"));
        assertThat(result.accepted()).isEqualTo(3);
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 2L, 2L, 6L);

        DeviceInventory windows11 = (DeviceInventory) result.records().get(0).record().value();
        assertThat(windows11).isEqualTo(DeviceInventory.newBuilder()
                .setDeviceId(IDS.of("WS-BER-1188"))
                .setObservedAt(Instant.parse("2024-02-14T08:00:05.123Z"))
                .setOs(OsInfo.newBuilder().setProduct("Windows 11 Enterprise").setVersion("23H2").setBuild(22631)
                        .setUbr(3155).build())
                // D: (partition 5) sits between C: and WinRE (partition 4): last on disk, not after the OS.
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(750L * 1024 * 1024)
                        .setFreeBytes(117_440_512L).setLayout(RecoveryLayout.LAST_ON_DISK)
                        .setPartitionStyle(PartitionStyle.GPT).build())
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.ENABLED).setVersion("10.0.22621.2792")
                        .setLocation(LOCATION_P4).build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED).setEncryptionMethod("XtsAes256")
                        .setProtectorClass(ProtectorClass.TPM_ONLY).build())
                .build());

        DeviceInventory failedReagentc = (DeviceInventory) result.records().get(1).record().value();
        assertThat(failedReagentc).isEqualTo(DeviceInventory.newBuilder()
                .setDeviceId(IDS.of("LT-HAM-0420"))
                .setObservedAt(Instant.parse("2024-02-14T08:01:17.990Z"))
                .setOs(OsInfo.newBuilder().setProduct("Windows 10 Enterprise").setVersion("21H2").setBuild(19044)
                        .setUbr(4046).build())
                // reagentc failed: the single Recovery-type partition is taken instead.
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(529L * 1024 * 1024)
                        .setFreeBytes(80_740_352L).setLayout(RecoveryLayout.AFTER_OS)
                        .setPartitionStyle(PartitionStyle.GPT).build())
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.UNKNOWN).setVersion("10.0.19041.3636")
                        .setLocation(null).build())
                .setBitlocker(null)
                .build());
        assertEvents(List.of((InstallEvent) result.records().get(2).record().value()),
                event("LT-HAM-0420", Outcome.FAILED, "2024-02-13T17:05:33.460Z").setKb("KB5034441")
                        .setUpdateTitle("2024-01 Security Update for Windows 10 Version 21H2 for x64-based Systems "
                                + "(KB5034441)").setUpdateGuid(GUID41)
                        .setErrorCode("0x80070643").setRawErrorCode("2147944003"));

        assertThat(result.records().get(3).record().value()).isEqualTo(DeviceInventory.newBuilder()
                .setDeviceId(IDS.of("VM-TEST-0007"))
                .setObservedAt(Instant.parse("2024-02-14T07:59:58Z"))
                .setOs(OsInfo.newBuilder().setProduct("Windows Server 2022 Standard").setVersion("21H2")
                        .setBuild(20348).setUbr(2227).build())
                .build());
    }

    @Test
    void shouldGiveTheSameEventIdsWhenTheSameReportIsReadAgain() throws IOException {
        List<String> first = events(parse(sample("en-win10-22h2-tpm-after-os.json"))).stream()
                .map(InstallEvent::getEventId).toList();
        List<String> again = events(parser.parse(new ByteArrayInputStream(sample("en-win10-22h2-tpm-after-os.json")),
                new ParseContext(IDS, RECEIVED.plusSeconds(3600), "again"))).stream()
                .map(InstallEvent::getEventId).toList();

        assertThat(again).isEqualTo(first);
    }

    @Test
    void shouldReadTheSampleWrittenAsUtf16ByWindowsPowerShellOutFile() throws IOException {
        String text = new String(sample("en-win10-22h2-tpm-after-os.json"), StandardCharsets.UTF_8);
        byte[] utf16 = ("\uFEFF" + text).getBytes(StandardCharsets.UTF_16LE);

        assertThat(parse(utf16).collected()).isEqualTo(parse(sample("en-win10-22h2-tpm-after-os.json")).collected());
    }

    @Test
    void shouldUseTheReportFormatAndAgentSource() {
        assertThat(parser.format()).isEqualTo(InputFormat.DEVICE_REPORT);
        assertThat(parser.format().source()).isEqualTo(EventSource.AGENT);
    }

    @Test
    void shouldYieldAnInventoryWithNothingButTheRequiredParts() throws IOException {
        ParseResult result = parse(report(""));

        assertThat(result.problems()).isEmpty();
        assertThat(result.collected()).containsExactly(new CollectedRecord.Inventory(DeviceInventory.newBuilder()
                .setDeviceId(IDS.of("LT-ACME-0142"))
                .setObservedAt(Instant.parse("2024-02-14T08:12:31.551Z"))
                .build(), RECEIVED));
    }

    @Test
    void shouldRejectReportsWithoutTheRequiredParts() throws IOException {
        assertThat(parse("{\"host\": \"a\", \"collectedAt\": \"2024-02-14T08:00:00Z\"}").problems())
                .containsExactly(new Problem(1, "$.schema", "is required"));
        assertThat(parse("{\"schema\": \"patchpulse.device-report/1\", \"collectedAt\": \"2024-02-14T08:00:00Z\"}")
                .problems()).containsExactly(new Problem(1, "$.host", "is required"));
        assertThat(parse("{\"schema\": \"patchpulse.device-report/1\", \"host\": \" \", \"collectedAt\": 1}")
                .problems()).containsExactly(new Problem(1, "$.host", "is required"));
        assertThat(parse("{\"schema\": \"patchpulse.device-report/1\", \"host\": \"a\"}").problems())
                .containsExactly(new Problem(1, "$.collectedAt", "is required"));
        assertThat(parse("[1, \"x\"]").problems()).containsExactly(
                new Problem(1, "$", "expected an object, got 1"), new Problem(1, "$", "expected an object, got 'x'"));
    }

    @Test
    void shouldRejectCollectionTimesThatAreClockErrors() throws IOException {
        ParseResult result = parse(report("").replace("2024-02-14T09:12:31.5512345+01:00", "\\/Date(0)\\/") + "\n"
                + report("").replace("2024-02-14T09:12:31.5512345+01:00", "2024-02-16T10:00:00Z") + "\n"
                + report("").replace("2024-02-14T09:12:31.5512345+01:00", "14.02.2024 09:12:31"));

        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, "$.collectedAt"),
                org.assertj.core.groups.Tuple.tuple(2L, "$.collectedAt"),
                org.assertj.core.groups.Tuple.tuple(3L, "$.collectedAt"));
        assertThat(result.problems().get(0).message()).contains("device clock error");
        assertThat(result.problems().get(1).message()).contains("in the future");
    }

    @Test
    void shouldNameTheJsonPathOfABadPart() throws IOException {
        assertThat(parse(report("\"bitlocker\": {\"VolumeStatus\": [1]}")).problems()).containsExactly(
                new Problem(1, "$.bitlocker.VolumeStatus", "expected an enum value (integer or name), got an array"));
        assertThat(parse(report("\"partitions\": {\"DiskNumber\": 0, \"Size\": -5}")).problems()).containsExactly(
                new Problem(1, "$.partitions.Size", "must not be negative, got -5"));
        assertThat(parse(report("\"os\": {\"version\": \"Windows 10\"}")).problems()).containsExactly(
                new Problem(1, "$.os.version", "expected a version such as 10.0.19045, got 'Windows 10'"));
        assertThat(parse(report("\"os\": {\"ubr\": \"4046a\"}")).problems()).containsExactly(
                new Problem(1, "$.os.ubr", "expected a whole number, got '4046a'"));
        assertThat(parse(report("\"winreVersion\": \"unknown\"")).problems()).containsExactly(
                new Problem(1, "$.winreVersion", "expected a WinRE version such as 10.0.19041.3920, got 'unknown'"));
        assertThat(parse(report("\"winrePatchScript\": \"yes\"")).problems()).extracting(Problem::field)
                .containsExactly("$.winrePatchScript");
        assertThat(parse(report("\"rebootPending\": {}")).problems()).extracting(Problem::field)
                .containsExactly("$.rebootPending");
        assertThat(parse(report("\"reagentc\": [\"ok\", {}]")).problems()).extracting(Problem::field)
                .containsExactly("$.reagentc[1]");
        assertThat(parse(report("\"recoveryVolume\": {\"Size\": 100, \"SizeRemaining\": 200}")).problems())
                .containsExactly(new Problem(1, "$.recoveryVolume.SizeRemaining",
                        "free space 200 exceeds the volume size 100"));
    }

    @Test
    void shouldRejectFreeSpaceLargerThanTheWinrePartition() throws IOException {
        String partitions = "\"reagentc\": \"    Windows RE status: Enabled\\n    Windows RE location: "
                + "\\\\\\\\?\\\\GLOBALROOT\\\\device\\\\harddisk0\\\\partition4\\\\Recovery\\\\WindowsRE\\n"
                + "    BCD identifier: 5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2\\n\", "
                + "\"partitions\": [{\"DiskNumber\": 0, \"PartitionNumber\": 4, \"Type\": \"Recovery\", \"Size\": 1000}], "
                + "\"recoveryVolume\": {\"Size\": 5000, \"SizeRemaining\": 4000}";

        assertThat(parse(report(partitions)).problems()).extracting(Problem::field)
                .containsExactly("$.recoveryVolume.SizeRemaining");
    }

    @Test
    void shouldReadThePatchScriptFlagInEverySpelling() throws IOException {
        assertThat(inventory(parse(report("\"winrePatchScript\": 1"))).getScriptPatched()).isTrue();
        assertThat(inventory(parse(report("\"winrePatchScript\": \"1\""))).getScriptPatched()).isTrue();
        assertThat(inventory(parse(report("\"winrePatchScript\": true"))).getScriptPatched()).isTrue();
        assertThat(inventory(parse(report("\"winrePatchScript\": 0"))).getScriptPatched()).isFalse();
        assertThat(inventory(parse(report("\"winrePatchScript\": \"false\""))).getScriptPatched()).isFalse();
        assertThat(inventory(parse(report("\"winrePatchScript\": null"))).getScriptPatched()).isNull();
        assertThat(inventory(parse(report("\"winrePatchScript\": \"\""))).getScriptPatched()).isNull();
    }

    @Test
    void shouldPreferGetBitLockerVolumeOverManageBdeText() throws IOException {
        DeviceInventory inventory = inventory(parse(report("\"bitlocker\": {\"VolumeStatus\": 0, "
                + "\"ProtectionStatus\": 0, \"KeyProtector\": []}, \"manageBde\": \"    Protection Status: Protection On\"")));

        assertThat(inventory.getBitlocker().getProtection()).isEqualTo(BitLockerProtection.OFF);
    }

    @Test
    void shouldKeepAnUnreadableManageBdeAsUnknownBitLocker() throws IOException {
        DeviceInventory inventory = inventory(parse(report(
                "\"manageBde\": \"ERROR: An attempt to access a required resource was denied.\"")));

        assertThat(inventory.getBitlocker()).isEqualTo(BitLockerInfo.newBuilder().build());
    }

    @Test
    void shouldReadEventsXmlAsTheAgentsOwnEvents() throws IOException {
        String xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                + "<Provider Name='Microsoft-Windows-WindowsUpdateClient' Guid='{945a8954-c147-4acd-923f-40c45405a658}'/>"
                + "<EventID>20</EventID><TimeCreated SystemTime='2024-01-10T02:12:44.5510000Z'/>"
                + "<EventRecordID>81234</EventRecordID><Computer>OTHER-NAME.corp.example.com</Computer></System>"
                + "<EventData><Data Name='errorCode'>0x80070643</Data><Data Name='updateTitle'>2024-01 Security Update"
                + " for Windows 10 Version 22H2 for x64-based Systems (KB5034441)</Data></EventData></Event>";

        ParseResult result = parse(report("\"eventsXml\": \"" + xml.replace("'", "\\\"") + "\""));

        assertThat(result.problems()).isEmpty();
        List<InstallEvent> events = result.collected().stream()
                .filter(r -> r instanceof CollectedRecord.Event)
                .map(r -> ((CollectedRecord.Event) r).event()).toList();
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.getKb()).isEqualTo("KB5034441");
            assertThat(event.getErrorCode()).isEqualTo("0x80070643");
            assertThat(event.getSource()).isEqualTo(EventSource.AGENT);
            // the device is the report's host, not the event's Computer
            assertThat(event.getDeviceId()).isEqualTo(inventory(result).getDeviceId());
        });
        assertThat(parse(report("\"eventsXml\": \"\"")).problems()).isEmpty();
        assertThat(parse(report("\"eventsXml\": null")).problems()).isEmpty();
    }

    @Test
    void shouldRejectAReportWhoseEventsXmlIsBroken() throws IOException {
        ParseResult result = parse(report("\"eventsXml\": \"<Event><System><EventID>20</System></Event>\""));

        assertThat(result.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("$.eventsXml");
            assertThat(problem.message()).startsWith("line 1 of the XML");
        });
        assertThat(result.collected()).isEmpty();
    }
}
