package io.patchpulse.collector.parse.osquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.patchpulse.collector.parse.Samples;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.EventIds;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.ProtectorClass;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OsqueryParserTest {

    private static final DeviceIds IDS = DeviceIds.hmac(new byte[32]);
    private static final Instant RECEIVED = Instant.parse("2024-03-01T12:00:00Z");
    private static final ParseContext CONTEXT = new ParseContext(IDS, RECEIVED, "test");

    private static final String KB41_EN =
            "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)";
    private static final String KB41_DE =
            "2024-01 Sicherheitsupdate für Windows 10 Version 22H2 für x64-basierte Systeme (KB5034441)";
    private static final String GUID_KB41 = "8ac1c1d4-7f6e-4b9e-9c43-2a3f0f3b5d11";

    private final OsqueryParser parser = new OsqueryParser();

    // ---- event format -------------------------------------------------------------------------------------------

    @Test
    void shouldReadAFailedInstallWithTheSignedHresultInBothSpellings() {
        ParseResult result = parseSample("event-format.results.log");

        String device = IDS.of("DESKTOP-7K2Q9LM");
        assertThat(eventOnLine(result, 1)).isEqualTo(InstallEvent.newBuilder()
                .setEventId(EventIds.of("q-", device, GUID_KB41, 1L, 1704823451L, "Failed", -2147023293L))
                .setDeviceId(device)
                .setOccurredAt(Instant.parse("2024-01-09T18:04:11Z"))
                .setReceivedAt(RECEIVED)
                .setSource(EventSource.OSQUERY)
                .setOutcome(Outcome.FAILED)
                .setKb("KB5034441")
                .setUpdateGuid(GUID_KB41)
                .setUpdateTitle(KB41_EN)
                .setErrorCode("0x80070643")
                .setRawErrorCode("-2147023293")
                .build());
    }

    @Test
    void shouldReadASuccessWithHresultZeroWithoutAnErrorCode() {
        InstallEvent defender = eventOnLine(parseSample("event-format.results.log"), 2);

        assertThat(defender.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(defender.getKb()).isEqualTo("KB2267602");
        assertThat(defender.getOccurredAt()).isEqualTo(Instant.parse("2024-01-10T07:15:03Z"));
        assertThat(defender.getErrorCode()).isNull();
        assertThat(defender.getRawErrorCode()).isNull();
    }

    @Test
    void shouldSkipRemovedRowsUninstallationsOtherDrivesAndOtherTables() {
        ParseResult result = parseSample("event-format.results.log");

        assertThat(result.problems()).isEmpty();
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 2L, 5L, 8L, 9L, 10L);
        assertThat(result.accepted()).isEqualTo(6);
        assertThat(result.skipped()).isEqualTo(4); // removed (3), Uninstallation (4), D: (6), os_version (7)
    }

    @Test
    void shouldTurnTheByteEscapesOfOsqueryBefore522BackIntoTheGermanTitle() {
        InstallEvent german = eventOnLine(parseSample("event-format.results.log"), 10);

        assertThat(german.getDeviceId()).isEqualTo(IDS.of("LAPTOP-MUC-0412"));
        assertThat(german.getUpdateTitle()).isEqualTo(KB41_DE);
        assertThat(german.getKb()).isEqualTo("KB5034441");
        assertThat(german.getErrorCode()).isEqualTo("0x80070643");
    }

    @Test
    void shouldReadTheSystemDriveOfBitlockerInfoAsAPartialInventory() {
        CollectedRecord record = recordOnLine(parseSample("event-format.results.log"), 5);

        assertThat(record).isEqualTo(new CollectedRecord.Inventory(DeviceInventory.newBuilder()
                .setDeviceId(IDS.of("DESKTOP-7K2Q9LM"))
                .setObservedAt(Instant.parse("2024-01-10T09:00:00Z"))
                .setBitlocker(BitLockerInfo.newBuilder()
                        .setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED)
                        .setEncryptionMethod("XtsAes128")
                        .setProtectorClass(ProtectorClass.UNKNOWN)
                        .build())
                .build(), RECEIVED));
    }

    @Test
    void shouldMapAWindowsEventlogRowOfTheEventFormatThroughTheSharedMapper() {
        InstallEvent started = eventOnLine(parseSample("event-format.results.log"), 9);

        String device = IDS.of("DESKTOP-7K2Q9LM");
        Instant created = Instant.parse("2024-01-09T18:01:02.734Z"); // timestamp-millis
        assertThat(started).isEqualTo(InstallEvent.newBuilder()
                .setEventId(EventIds.of("w-", device, WindowsEventMapper.Provider.WINDOWS_UPDATE_CLIENT, 43,
                        created.toEpochMilli(), "8ac1c1d4-7f6e-4b9e-9c43-2a3f0f3b5d11", null))
                .setDeviceId(device)
                .setOccurredAt(created)
                .setReceivedAt(RECEIVED)
                .setSource(EventSource.OSQUERY)
                .setOutcome(Outcome.STARTED)
                .setKb("KB5034441")
                .setUpdateGuid(GUID_KB41)
                .setUpdateTitle(KB41_EN)
                .build());
    }

    // ---- snapshot format ----------------------------------------------------------------------------------------

    @Test
    void shouldGiveEveryResentHistoryRowTheSameEventIdSoItIsCountedOnce() {
        ParseResult result = parseSample("snapshot.results.log");

        Set<String> firstRun = eventIdsOnLine(result, 1);
        Set<String> nextDay = eventIdsOnLine(result, 2);
        Set<String> monthLater = eventIdsOnLine(result, 5);
        assertThat(firstRun).hasSize(3);
        assertThat(nextDay).isEqualTo(firstRun);
        assertThat(monthLater).hasSize(4).containsAll(firstRun);
    }

    @Test
    void shouldReadSnapshotRowsOfAUuidHostWithNumericsOnAndUtf8Titles() {
        ParseResult result = parseSample("snapshot.results.log");

        assertThat(result.problems()).isEmpty();
        InstallEvent failed = eventsOnLine(result, 1).get(0);
        // hostIdentifier is the hardware UUID; the hostname decoration names the device as other sources do
        String device = IDS.of("PC-HAM-0331");
        assertThat(failed).isEqualTo(InstallEvent.newBuilder()
                .setEventId(EventIds.of("q-", device, GUID_KB41, 1L, 1704823451L, "Failed", -2147023293L))
                .setDeviceId(device)
                .setOccurredAt(Instant.parse("2024-01-09T18:04:11Z"))
                .setReceivedAt(RECEIVED)
                .setSource(EventSource.OSQUERY)
                .setOutcome(Outcome.FAILED)
                .setKb("KB5034441")
                .setUpdateGuid(GUID_KB41)
                .setUpdateTitle(KB41_DE)
                .setErrorCode("0x80070643")
                .setRawErrorCode("-2147023293")
                .build());
    }

    @Test
    void shouldGiveTheSameRowTheSameIdWhetherNumericsIsOnOrOff() {
        String asStrings = historyLine("\"date\":\"1704823451\",\"hresult\":\"-2147023293\",\"result_code\":\"Failed\","
                + "\"update_revision\":\"1\"");
        String asNumbers = historyLine("\"date\":1704823451,\"hresult\":-2147023293,\"result_code\":\"Failed\","
                + "\"update_revision\":1");
        String asWuaNumber = historyLine("\"date\":1704823451,\"hresult\":-2147023293,\"result_code\":4,"
                + "\"update_revision\":1");

        List<InstallEvent> events = events(parse(asStrings + "\n" + asNumbers + "\n" + asWuaNumber));

        assertThat(events).hasSize(3).extracting(InstallEvent::getEventId).containsOnly(events.get(0).getEventId());
        assertThat(events).extracting(InstallEvent::getOutcome).containsOnly(Outcome.FAILED);
    }

    @Test
    void shouldGiveAnEventlogRowResentByTheNextSnapshotTheSameId() {
        String data = "{\\\"EventData\\\":{\\\"errorCode\\\":\\\"0x80070643\\\"}}";
        String today = eventlogLine("Microsoft-Windows-WindowsUpdateClient", 20, data);
        String tomorrow = today.replace("\"unixTime\":1704877200", "\"unixTime\":1704963600");

        List<InstallEvent> events = events(parse(today + "\n" + tomorrow));

        assertThat(events).hasSize(2).extracting(InstallEvent::getEventId).containsOnly(events.get(0).getEventId());
    }

    @Test
    void shouldReadOnlyTheSystemDriveOfABitlockerSnapshot() {
        ParseResult result = parseSample("snapshot.results.log");

        assertThat(result.records().stream().filter(l -> l.line() == 3)).singleElement()
                .satisfies(line -> assertThat(((CollectedRecord.Inventory) line.record()).inventory().getBitlocker())
                        .isEqualTo(BitLockerInfo.newBuilder()
                                .setProtection(BitLockerProtection.OFF)
                                .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED)
                                .setEncryptionMethod("XtsAes256")
                                .setProtectorClass(ProtectorClass.UNKNOWN)
                                .build()));
    }

    @Test
    void shouldReadTheWinreServicingFailureFromAnEventlogSnapshot() {
        List<InstallEvent> events = eventsOnLine(parseSample("snapshot.results.log"), 4);

        assertThat(events).extracting(InstallEvent::getOutcome, InstallEvent::getErrorCode,
                        InstallEvent::getRawErrorCode, InstallEvent::getWinreErrorPhase, InstallEvent::getKb,
                        InstallEvent::getUpdateTitle)
                .containsExactly(
                        tuple(Outcome.FAILED, "0x80070643", "0x80070643", null, "KB5034441", KB41_DE),
                        tuple(Outcome.WINRE_SERVICING_FAILED, "0x800F0828", "-2146498520", 2, null, null));
        assertThat(events.get(1).getOccurredAt()).isEqualTo(Instant.parse("2024-01-09T18:03:58.109Z"));
    }

    // ---- batched format -----------------------------------------------------------------------------------------

    @Test
    void shouldReadEachAddedRowOfABatchAndSkipTheRemovedOnes() {
        ParseResult result = parseSample("batched.results.log");

        assertThat(result.problems()).isEmpty();
        assertThat(result.accepted()).isEqualTo(7);
        assertThat(result.skipped()).isEqualTo(3); // Service Control Manager 7036, two removed rows
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 1L, 1L, 2L, 2L, 3L, 4L);
        assertThat(eventsOnLine(result, 1)).extracting(InstallEvent::getOutcome).containsExactly(
                Outcome.FAILED, Outcome.WINRE_SERVICING_FAILED, Outcome.WINRE_SERVICING_STARTED);
        assertThat(eventsOnLine(result, 2)).extracting(InstallEvent::getOutcome, InstallEvent::getWinreVersion)
                .containsExactly(tuple(Outcome.WINRE_SERVICING_SUCCEEDED, "10.0.19041.3920"),
                        tuple(Outcome.SUCCEEDED, null));
    }

    @Test
    void shouldDecodeByteEscapesInsideTheDataJsonOfAnEventlogRow() {
        InstallEvent failed = eventsOnLine(parseSample("batched.results.log"), 1).get(0);

        assertThat(failed.getUpdateTitle()).isEqualTo(KB41_DE);
        assertThat(failed.getKb()).isEqualTo("KB5034441");
        assertThat(failed.getErrorCode()).isEqualTo("0x80070643");
        assertThat(failed.getDeviceId()).isEqualTo(IDS.of("WKS-BER-1187"));
    }

    @Test
    void shouldReadABitlockerChangeOfABatchAsConverting() {
        CollectedRecord record = recordOnLine(parseSample("batched.results.log"), 4);

        assertThat(((CollectedRecord.Inventory) record).inventory().getBitlocker().getVolumeStatus())
                .isEqualTo(BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS);
    }

    @Test
    void shouldReadOsquery2WithStringUnixTimeAndTheEventedWindowsEventsTable() {
        ParseResult result = parseSample("legacy-2x.results.log");

        assertThat(result.problems()).isEmpty();
        assertThat(events(result)).extracting(InstallEvent::getOutcome, InstallEvent::getKb, InstallEvent::getErrorCode,
                        InstallEvent::getUpdateGuid)
                .containsExactly(tuple(Outcome.FAILED, "KB5034441", "0x80070643", GUID_KB41),
                        tuple(Outcome.SUCCEEDED, "KB5034441", null, GUID_KB41));
    }

    // ---- problems -----------------------------------------------------------------------------------------------

    @Test
    void shouldRejectEachBadRowNamingItsLineAndJsonPathAndKeepTheGoodOnes() {
        ParseResult result = parseSample("problems.results.log");

        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(2L, null),
                tuple(3L, "$.columns.hresult"),
                tuple(4L, "$.snapshot[1].date"),
                tuple(5L, "$.hostIdentifier"),
                tuple(6L, "$.unixTime"),
                tuple(7L, "$.columns.data"),
                tuple(8L, "$.action"),
                tuple(9L, "$.columns.date"),
                tuple(10L, "$.columns.result_code"),
                tuple(11L, "$"));
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.message()).isNotBlank());
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 4L, 4L);
        assertThat(result.problems().get(1).message()).isEqualTo("expected a whole number, got 'n/a'");
        assertThat(result.problems().get(7).message()).contains("1970-01-01T00:00:00Z is before 2000-01-01");
    }

    @Test
    void shouldRejectAHistoryRowWithoutOperationRatherThanTakeAnUninstallForAnInstall() {
        ParseResult result = parse(historyLine(
                "\"date\":\"1704823451\",\"hresult\":\"0\",\"result_code\":\"Succeeded\"")
                .replace("\"operation\":\"Installation\",", ""));

        assertThat(result.problems()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(1L, "$.columns.operation"));
    }

    @Test
    void shouldNameThePathInsideDataWhenTheMapperRefusesAValue() {
        String line = eventlogLine("Microsoft-Windows-WinREAgent", 4502,
                "{\\\"EventData\\\":{\\\"ErrorPhase\\\":\\\"zwei\\\",\\\"Errorcode\\\":\\\"-2146498520\\\"}}");

        assertThat(parse(line).problems()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(1L, "$.columns.data.EventData.ErrorPhase"));
    }

    @Test
    void shouldRejectAnEventFromTheFutureNamingTheDateColumn() {
        ParseResult result = parse(historyLine(
                "\"date\":\"1893456000\",\"hresult\":\"0\",\"result_code\":\"Succeeded\""));

        assertThat(result.problems()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(1L, "$.columns.date"));
    }

    // ---- mappings -----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
            "Succeeded, 0, SUCCEEDED, ",
            "2, 0, SUCCEEDED, ",
            "SucceededWithErrors, -2145124329, SUCCEEDED, 0x80240017",
            "3, -2145124329, SUCCEEDED, 0x80240017",
            "Failed, -2147023293, FAILED, 0x80070643",
            "4, -2147023293, FAILED, 0x80070643",
            "Aborted, -2145124341, OTHER, 0x8024000B",
            "5, -2145124341, OTHER, 0x8024000B",
    })
    void shouldMapEveryFinishedResultCodeByTokenOrNumber(String resultCode, String hresult, Outcome outcome,
                                                         String errorCode) {
        List<InstallEvent> events = events(parse(historyLine("\"date\":\"1704823451\",\"hresult\":\"" + hresult
                + "\",\"result_code\":\"" + resultCode + "\"")));

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.getOutcome()).isEqualTo(outcome);
            assertThat(event.getErrorCode()).isEqualTo(errorCode);
            assertThat(event.getRawErrorCode()).isEqualTo(errorCode == null ? null : hresult);
        });
    }

    @ParameterizedTest
    @CsvSource({"InProgress", "1", "NotStarted", "0", "''"})
    void shouldSkipResultsThatAreNotFinished(String resultCode) {
        ParseResult result = parse(historyLine("\"date\":\"1704823451\",\"hresult\":\"0\",\"result_code\":\""
                + resultCode + "\""));

        assertThat(result.records()).isEmpty();
        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isEqualTo(1);
    }

    @Test
    void shouldRecognizeTheTableByItsColumnsWhateverTheQueryIsCalled() {
        String line = historyLine("\"date\":\"1704823451\",\"hresult\":\"0\",\"result_code\":\"Succeeded\"")
                .replace("pack_patchpulse_windows_update_history", "wu_hist_daily");

        assertThat(events(parse(line))).singleElement()
                .satisfies(event -> assertThat(event.getOutcome()).isEqualTo(Outcome.SUCCEEDED));
    }

    @Test
    void shouldTakeTheTableFromTheQueryNameWhenTheColumnsDoNotSayAndNameTheMissingColumn() {
        String line = "{\"name\":\"pack_patchpulse_windows_update_history\",\"hostIdentifier\":\"DESKTOP-7K2Q9LM\","
                + "\"unixTime\":1704877200,\"columns\":{\"date\":\"1704823451\",\"operation\":\"Installation\","
                + "\"title\":\"" + KB41_EN + "\"},\"action\":\"added\"}";

        assertThat(parse(line).problems()).extracting(Problem::field).containsExactly("$.columns.result_code");
    }

    @ParameterizedTest
    @CsvSource({
            "'TPM,NUMERIC_PASSWORD', 1, TPM_ONLY",
            "'TPM_AND_PIN,NUMERIC_PASSWORD', 1, TPM_PREBOOT",
            "'NUMERIC_PASSWORD,TPM_AND_STARTUP_KEY', 1, TPM_PREBOOT",
            "PASSPHRASE, 1, PASSWORD",
            "NUMERIC_PASSWORD, 1, UNKNOWN",
            "'', 0, NONE",
            "'', 1, UNKNOWN",
    })
    void shouldClassifyTheProtectorTypesOfNewerOsquery(String protectorTypes, int conversionStatus,
                                                      ProtectorClass expected) {
        String line = "{\"name\":\"bitlocker\",\"hostIdentifier\":\"DESKTOP-7K2Q9LM\",\"unixTime\":1704877200,"
                + "\"columns\":{\"conversion_status\":\"" + conversionStatus + "\",\"drive_letter\":\"C:\","
                + "\"encryption_method\":\"6\",\"protection_status\":\"1\",\"protector_types\":\"" + protectorTypes
                + "\"},\"action\":\"added\"}";

        DeviceInventory inventory = ((CollectedRecord.Inventory) parse(line).collected().get(0)).inventory();

        assertThat(inventory.getBitlocker().getProtectorClass()).isEqualTo(expected);
        assertThat(inventory.getBitlocker().getEncryptionMethod()).isEqualTo("XtsAes128");
    }

    @Test
    void shouldFallBackToCalendarTimeWhenUnixTimeIsMissing() {
        String line = "{\"name\":\"bitlocker\",\"hostIdentifier\":\"DESKTOP-7K2Q9LM\","
                + "\"calendarTime\":\"Tue Jan  9 18:04:11 2024 UTC\",\"columns\":{\"conversion_status\":\"0\","
                + "\"drive_letter\":\"C:\",\"encryption_method\":\"None\",\"protection_status\":\"0\"},"
                + "\"action\":\"added\"}";

        DeviceInventory inventory = ((CollectedRecord.Inventory) parse(line).collected().get(0)).inventory();

        assertThat(inventory.getObservedAt()).isEqualTo(Instant.parse("2024-01-09T18:04:11Z"));
        assertThat(inventory.getBitlocker().getVolumeStatus()).isEqualTo(BitLockerVolumeStatus.FULLY_DECRYPTED);
    }

    @Test
    void shouldNamePositionalEventDataByTheMapper() {
        String line = eventlogLine("Microsoft-Windows-WinREAgent", 4502,
                "{\\\"EventData\\\":[\\\"2\\\",\\\"-2146498520\\\"]}");

        assertThat(events(parse(line))).singleElement().satisfies(event -> {
            assertThat(event.getWinreErrorPhase()).isEqualTo(2);
            assertThat(event.getErrorCode()).isEqualTo("0x800F0828");
        });
    }

    @Test
    void shouldSkipUnrelatedEventsWithoutReadingTheirData() {
        ParseResult result = parse(eventlogLine("Service Control Manager", 7036, "not json at all"));

        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isEqualTo(1);
    }

    @Test
    void shouldSkipStatusLogLinesInTheResultsFile() {
        String status = "{\"hostIdentifier\":\"DESKTOP-7K2Q9LM\",\"calendarTime\":\"Wed Jan 10 09:00:00 2024 UTC\","
                + "\"unixTime\":\"1704877200\",\"severity\":\"1\",\"filename\":\"scheduler.cpp\",\"line\":\"83\","
                + "\"message\":\"Found results for query: pack_patchpulse_windows_update_history\","
                + "\"version\":\"5.11.0\"}";

        ParseResult result = parse(status);

        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isEqualTo(1);
    }

    @Test
    void shouldDeclareTheOsqueryFormat() {
        assertThat(parser.format()).isEqualTo(InputFormat.OSQUERY);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** An event-format windows_update_history line with the given extra columns. */
    private static String historyLine(String columns) {
        return "{\"name\":\"pack_patchpulse_windows_update_history\",\"hostIdentifier\":\"DESKTOP-7K2Q9LM\","
                + "\"calendarTime\":\"Wed Jan 10 09:00:00 2024 UTC\",\"unixTime\":1704877200,\"epoch\":0,\"counter\":1,"
                + "\"numerics\":false,\"columns\":{\"client_app_id\":\"UpdateOrchestrator\","
                + "\"operation\":\"Installation\",\"title\":\"" + KB41_EN + "\",\"update_id\":\"" + GUID_KB41 + "\","
                + columns + "},\"action\":\"added\"}";
    }

    /** An event-format windows_eventlog line; {@code data} is already escaped for a JSON string. */
    private static String eventlogLine(String provider, int eventId, String data) {
        return "{\"name\":\"events\",\"hostIdentifier\":\"DESKTOP-7K2Q9LM\",\"unixTime\":1704877200,\"columns\":{"
                + "\"channel\":\"System\",\"data\":\"" + data + "\",\"datetime\":\"2024-01-09T18:03:58.109375000Z\","
                + "\"eventid\":\"" + eventId + "\",\"provider_guid\":\"\",\"provider_name\":\"" + provider + "\"},"
                + "\"action\":\"added\"}";
    }

    private ParseResult parse(String text) {
        try {
            return parser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), CONTEXT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InputStream sample(String name) {
        return new java.io.ByteArrayInputStream(Samples.bytes("osquery/" + name));
    }

    private ParseResult parseSample(String name) {
        try (InputStream in = sample(name)) {
            return parser.parse(in, CONTEXT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CollectedRecord recordOnLine(ParseResult result, long line) {
        List<CollectedRecord> records = result.records().stream().filter(l -> l.line() == line)
                .map(ParseResult.Line::record).toList();
        assertThat(records).as("records of line %d", line).hasSize(1);
        return records.get(0);
    }

    private static InstallEvent eventOnLine(ParseResult result, long line) {
        return ((CollectedRecord.Event) recordOnLine(result, line)).event();
    }

    private static List<InstallEvent> eventsOnLine(ParseResult result, long line) {
        return result.records().stream().filter(l -> l.line() == line).map(ParseResult.Line::record)
                .map(r -> ((CollectedRecord.Event) r).event()).toList();
    }

    private static Set<String> eventIdsOnLine(ParseResult result, long line) {
        return eventsOnLine(result, line).stream().map(InstallEvent::getEventId).collect(Collectors.toSet());
    }

    private static List<InstallEvent> events(ParseResult result) {
        return result.collected().stream().filter(r -> r instanceof CollectedRecord.Event)
                .map(r -> ((CollectedRecord.Event) r).event()).toList();
    }
}
