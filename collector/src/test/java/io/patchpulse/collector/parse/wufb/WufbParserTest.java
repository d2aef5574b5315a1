package io.patchpulse.collector.parse.wufb;

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
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WufbParserTest {

    static final Instant RECEIVED = Instant.parse("2025-04-10T06:00:00Z");
    static final ParseContext RAW_NAMES = new ParseContext(DeviceIds.raw(), RECEIVED, "test");

    private static final String WINRE_TITLE =
            "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)";
    private static final String LCU_TITLE =
            "2024-02 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5034763)";

    private final WufbParser parser = new WufbParser();

    // --- shapes and meaning -------------------------------------------------------------------------------------

    @Test
    void shouldReadThePortalCsvExportOfClientUpdateStatus() {
        ParseResult result = sample("ucclientupdatestatus-portal.csv");

        assertThat(result.problems()).isEmpty();
        assertThat(result.accepted()).isEqualTo(5);
        assertThat(result.skipped()).isEqualTo(1); // KIOSK-LOBBY-02: Offering / OfferReady, no attempt yet
        assertThat(lines(result)).containsExactly(2L, 3L, 4L, 5L, 7L);
        assertThat(events(result)).containsExactly(
                status("desktop-7f3k2lq", "KB5034441", Outcome.SUCCEEDED, "2024-01-10T03:12:44.907Z")
                        .setUpdateTitle(WINRE_TITLE).setRebootPending(false).build(),
                status("lt-ams-0412", "KB5034441", Outcome.FAILED, "2024-01-09T18:04:11.123Z")
                        .setUpdateTitle(WINRE_TITLE).build(),
                status("pc-fin-0087", "KB5034763", Outcome.STARTED, "2024-02-14T23:47:02.500Z")
                        .setUpdateTitle(LCU_TITLE).setRebootPending(true).build(),
                // DeviceName "#" (names not collected): the Entra device id names the device.
                status("5b0c4f1e-6d27-4e98-a3c1-0f8e2d7b9a66", "KB5034763", Outcome.DOWNLOAD_STARTED,
                        "2024-02-14T08:03:55.074Z").setUpdateTitle(LCU_TITLE).build(),
                // A feature update has no KB: the target build identifies the update in the event id.
                status("lt-ams-0413", null, Outcome.SUCCEEDED, "2023-11-03T10:26:30.982Z")
                        .setEventId(statusId("lt-ams-0413", "10.0.19045.2006", Outcome.SUCCEEDED,
                                "2023-11-03T10:26:30.982Z"))
                        .setUpdateTitle("Windows 10, version 22H2").setRebootPending(false).build());
    }

    @Test
    void shouldKeepEventIdsStableAcrossVersions() {
        // Pinned: a change to the id recipe would make tomorrow's snapshot count again everything read before it.
        List<InstallEvent> events = events(sample("ucclientupdatestatus-portal.csv"));
        List<InstallEvent> alerts = events(sample("ucupdatealert-portal.csv"));

        assertThat(events.get(0).getEventId()).isEqualTo("u-4a4003a1cf8d77b4512c0e91fd12fafd");
        assertThat(alerts.get(0).getEventId()).isEqualTo("u-e79bbc8439290cbff44006c627f3f12d");
    }

    @Test
    void shouldReadAlertsWithQuotedMultiLineTextsAndTheExtendedErrorCode() {
        ParseResult result = sample("ucupdatealert-portal.csv");

        assertThat(result.problems()).isEmpty();
        // The first alert's Description and Recommendation span lines 2-4; the rows after it keep their own lines.
        assertThat(lines(result)).containsExactly(2L, 5L, 6L);
        assertThat(result.skipped()).isEqualTo(3); // disk-full warning without code, deleted alert, service alert
        assertThat(events(result)).containsExactly(
                alert("lt-ams-0412", "b7e4c91d05a3f6e28d1c4a9b73e0f512", "KB5034441", "2024-01-09T18:04:11.123Z")
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643_1D2A").build(),
                // Resolved since: the failure still happened, and its id is the one it had while active.
                alert("desktop-7f3k2lq", "3a90c27f6e1d48b5a2f7c03e9d614b88", "KB5034441", "2024-01-09T17:58:30Z")
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643").build(),
                // April 2025: 0x80070643 while a restart was pending.
                alert("pc-fin-0087", "f0c58e2a9b7d41e6a3d2c81f05b9e7a4", "KB5057589", "2025-04-08T19:31:09.004Z")
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643").setRebootPending(true).build());
    }

    @Test
    void shouldReadKustoCsvWithIsoDatesAndDecimalErrorCodes() {
        ParseResult result = sample("ucupdatealert-kusto.csv");

        assertThat(result.problems()).isEmpty();
        assertThat(lines(result)).containsExactly(2L, 3L, 4L);
        assertThat(events(result)).containsExactly(
                alert("desktop-2lq9x0b", "c4a1e7f29b3d40568e2f1a7c9d0b3e65", "KB5034441", "2024-01-10T07:15:42.123Z")
                        .setErrorCode("0x80070643").setRawErrorCode("-2147023293").build(),
                // No AlertId: the id is made of device, KB, canonical code and start time.
                alert("lt-ber-0108", null, "KB5034441", "2024-01-10T09:40:05Z")
                        .setEventId(failureId("lt-ber-0108", "KB5034441", "2024-01-10T09:40:05Z"))
                        .setErrorCode("0x80070643").setRawErrorCode("2147944003").build(),
                alert("lt-ber-0109", "5e0b9d3c7a2f41e8b6c0d4a9f1e73b28", "KB5034441", "2024-01-10T11:02:33.500Z")
                        .setErrorCode("0x800F0922").setRawErrorCode("0x800F0922").build());
    }

    @Test
    void shouldReadTheQueryApiResponseWithTheLineOfEachRow() {
        ParseResult result = sample("ucupdatealert-api-response.json");

        assertThat(result.problems()).isEmpty();
        assertThat(lines(result)).containsExactly(23L, 25L);
        assertThat(result.skipped()).isEqualTo(1); // line 24: DiskFull without error code
        assertThat(events(result)).containsExactly(
                alert("desktop-2lq9x0b", "c4a1e7f29b3d40568e2f1a7c9d0b3e65", "KB5034441", "2024-01-10T07:15:42.123Z")
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643_1D2A").build(),
                alert("lt-ber-0109", "5e0b9d3c7a2f41e8b6c0d4a9f1e73b28", "KB5034441", "2024-01-10T11:02:33.500Z")
                        .setErrorCode("0x800F0922").setRawErrorCode("0x800F0922").build());
    }

    @Test
    void shouldGiveAnAlertTheSameIdWhicheverRouteExportedIt() {
        Set<String> api = ids(sample("ucupdatealert-api-response.json"));
        Set<String> kusto = ids(sample("ucupdatealert-kusto.csv"));

        assertThat(kusto).containsAll(api);
    }

    @Test
    void shouldReadAnArrayOfRowObjectsWithStringValues() {
        ParseResult result = sample("ucclientupdatestatus-az.json");

        assertThat(result.problems()).isEmpty();
        assertThat(lines(result)).containsExactly(2L, 22L, 42L);
        assertThat(events(result)).containsExactly(
                status("desktop-7f3k2lq", "KB5034763", Outcome.SUCCEEDED, "2024-02-14T01:02:44.907Z")
                        .setUpdateTitle(LCU_TITLE).setRebootPending(false).build(),
                status("lt-ams-0412", "KB5034441", Outcome.FAILED, "2024-02-13T22:41:19.660Z")
                        .setUpdateTitle(WINRE_TITLE).build(),
                status("pc-fin-0087", "KB5034763", Outcome.STARTED, "2024-02-14T23:47:02.500Z")
                        .setUpdateTitle(LCU_TITLE).setRebootPending(true).build());
    }

    @Test
    void shouldReadTheAzureDataExplorerSpellingOfAQueryResponse() {
        ParseResult result = parse("""
                {"Tables": [{"TableName": "Table_0",
                  "Columns": [{"ColumnName": "DeviceName", "DataType": "String"},
                              {"ColumnName": "AlertId", "DataType": "String"},
                              {"ColumnName": "AlertStatus", "DataType": "String"},
                              {"ColumnName": "ErrorCode", "DataType": "String"},
                              {"ColumnName": "StartTime", "DataType": "DateTime"}],
                  "Rows": [["PC-1", "a1", "Active", "0x80070643", "2024-01-09T18:04:11.1230000Z"]]}]}
                """);

        assertThat(result.problems()).isEmpty();
        assertThat(lines(result)).containsExactly(7L);
    }

    @Test
    void shouldReadAQueryResponseThatFollowsOtherRowsAtItsOwnLine() {
        ParseResult result = parse("""
                {"DeviceName":"PC-1","AlertId":"a1","AlertStatus":"Active","ErrorCode":"0x80070643","StartTime":"2024-01-09T18:04:11Z"}
                {"tables":[{"name":"PrimaryResult","columns":[{"name":"DeviceName"},{"name":"AlertId"},{"name":"AlertStatus"},{"name":"ErrorCode"},{"name":"StartTime"}],"rows":[["PC-2","a2","Active","0x80070643","2024-01-09T18:04:11Z"]]}]}
                """);

        assertThat(result.problems()).isEmpty();
        assertThat(lines(result)).containsExactly(1L, 2L);
    }

    @Test
    void shouldReadAUtf16ExportWrittenByWindowsPowerShell() throws IOException {
        String csv = "DeviceName,AlertId,AlertStatus,ErrorCode,StartTime\r\nPC-1,a1,Active,0x80070643,2024-01-09T18:04:11Z\r\n";
        byte[] utf16 = ("\uFEFF" + csv).getBytes(StandardCharsets.UTF_16LE);

        ParseResult result = parser.parse(new ByteArrayInputStream(utf16), RAW_NAMES);

        assertThat(result.problems()).isEmpty();
        assertThat(lines(result)).containsExactly(2L);
    }

    @Test
    void shouldReadNdjsonRows() {
        ParseResult result = parse("""
                {"DeviceName":"PC-1","AlertId":"a1","AlertStatus":"Active","ErrorCode":"0x80070643","StartTime":"2024-01-09T18:04:11Z","TargetKBNumber":"5034441"}

                {"DeviceName":"PC-2","AlertId":"a2","AlertStatus":"Active","ErrorCode":"0x80070643","StartTime":"2024-01-09T18:05:00Z","TargetKBNumber":"5034441"}
                """);

        assertThat(result.problems()).isEmpty();
        assertThat(lines(result)).containsExactly(1L, 3L);
    }

    // --- daily snapshots ----------------------------------------------------------------------------------------

    @Test
    void shouldGiveTheSameEventsForAStateThatReappearsInTheNextDailySnapshot() {
        List<InstallEvent> day1 = events(sample("ucclientupdatestatus-2024-02-14.csv"));
        List<InstallEvent> day2 = events(sample("ucclientupdatestatus-2024-02-15.csv"));

        InstallEvent installed = status("desktop-7f3k2lq", "KB5034763", Outcome.SUCCEEDED, "2024-02-14T01:02:44.907Z")
                .setRebootPending(false).build();
        InstallEvent failed = status("lt-ams-0412", "KB5034441", Outcome.FAILED, "2024-02-13T22:41:19.660Z").build();
        InstallEvent downloading = status("pc-fin-0087", "KB5034763", Outcome.DOWNLOAD_STARTED,
                "2024-02-13T21:20:14.031Z").build();
        InstallEvent restartPending = status("pc-fin-0087", "KB5034763", Outcome.STARTED, "2024-02-14T23:47:02.500Z")
                .setRebootPending(true).build();
        assertThat(day1).containsExactly(installed, failed, downloading);
        assertThat(day2).containsExactly(restartPending, failed, installed);
    }

    @Test
    void shouldDropRepeatsWithinOneInputAndCountThemAsSkipped() {
        ParseResult result = parse(sampleText("ucclientupdatestatus-2024-02-14.csv")
                + sampleText("ucclientupdatestatus-2024-02-15.csv"));

        assertThat(result.problems()).isEmpty();
        // Day 1: three events and the offer; day 2's header is ignored, its offer and two repeats are skipped.
        assertThat(lines(result)).containsExactly(2L, 3L, 4L, 8L);
        assertThat(result.accepted()).isEqualTo(4);
        assertThat(result.skipped()).isEqualTo(4);
    }

    @Test
    void shouldGiveTheSameIdsWhetherASnapshotCameAsCsvOrAsJson() {
        assertThat(ids(sample("ucclientupdatestatus-az.json")))
                .isEqualTo(ids(sample("ucclientupdatestatus-2024-02-15.csv")));
    }

    @Test
    void shouldDropRepeatedRowsOfAJsonArray() {
        String row = "{\"DeviceName\":\"PC-1\",\"ClientState\":\"Failed\",\"ClientSubstate\":\"InstallFailed\","
                + "\"ClientSubstateTime\":\"2024-01-09T18:04:11Z\",\"TargetKBNumber\":\"5034441\",\"TimeGenerated\":\"%s\"}";
        ParseResult result = parse("[\n" + row.formatted("2024-01-10T02:00:00Z") + ",\n"
                + row.formatted("2024-01-11T02:00:00Z") + "\n]");

        assertThat(result.records()).hasSize(1);
        assertThat(result.skipped()).isEqualTo(1);
    }

    // --- quirks -------------------------------------------------------------------------------------------------

    @Test
    void shouldReadBothTablesFromOneExportByTheirTypeColumn() {
        ParseResult result = parse("""
                Type,DeviceName,ClientState,ClientSubstate,ClientSubstateTime,AlertId,AlertStatus,ErrorCode,StartTime,TargetKBNumber
                UCClientUpdateStatus,PC-1,Failed,InstallFailed,2024-01-09T18:04:11Z,,,,,5034441
                UCUpdateAlert,PC-1,,InstallStart,,a1,Active,0x80070643,2024-01-09T18:04:11Z,5034441
                """);

        // One failure reported twice: one event, the alert's, which has the error code.
        assertThat(events(result)).extracting(InstallEvent::getOutcome, InstallEvent::getErrorCode)
                .containsExactly(tuple(Outcome.FAILED, "0x80070643"));
        assertThat(result.skipped()).isEqualTo(1);
    }

    @Test
    void shouldSkipRowsOfOtherTablesInTheSameExport() {
        ParseResult result = parse("""
                Type,DeviceName,AlertId,AlertStatus,AlertType,ErrorCode,StartTime
                UCDeviceAlert,PC-1,d1,Active,ClientDeviceAlert,0x80070643,2024-01-09T18:04:11Z
                UCUpdateAlert,PC-1,a1,Active,ClientUpdateAlert,0x80070643,2024-01-09T18:04:11Z
                """);

        assertThat(lines(result)).containsExactly(3L);
        assertThat(result.skipped()).isEqualTo(1);
    }

    @Test
    void shouldReadSemicolonSeparatedCsvWithDottedDayFirstDates() {
        ParseResult result = parse("""
                sep=;
                DeviceName;AlertId;AlertStatus;ErrorCode;StartTime [UTC];TargetKBNumber;Description
                PC-1;a1;Active;0x80070643;09.01.2024 18:04:11;5034441;Fehler, bitte erneut versuchen
                """);

        assertThat(lines(result)).containsExactly(3L);
        assertThat(events(result)).extracting(InstallEvent::getOccurredAt)
                .containsExactly(Instant.parse("2024-01-09T18:04:11Z"));
    }

    @Test
    void shouldApplyTheOffsetTheHeaderNames() {
        ParseResult result = parse("""
                DeviceName,AlertId,AlertStatus,ErrorCode,StartTime [UTC+01:00]
                PC-1,a1,Active,0x80070643,"1/9/2024, 7:04:11.123 PM"
                """);

        assertThat(events(result)).extracting(InstallEvent::getOccurredAt)
                .containsExactly(Instant.parse("2024-01-09T18:04:11.123Z"));
    }

    @Test
    void shouldNeverPutARawHostNameIntoARecord() {
        ParseContext hashed = new ParseContext(DeviceIds.hmac(new byte[32]), RECEIVED, "test");
        ParseResult result = parse(sampleText("ucclientupdatestatus-portal.csv"), hashed);

        assertThat(result.collected()).extracting(CollectedRecord::deviceId)
                .containsExactly(DeviceIds.hmac(new byte[32]).of("DESKTOP-7F3K2LQ"),
                        DeviceIds.hmac(new byte[32]).of("LT-AMS-0412"),
                        DeviceIds.hmac(new byte[32]).of("PC-FIN-0087"),
                        DeviceIds.hmac(new byte[32]).of("5b0c4f1e-6d27-4e98-a3c1-0f8e2d7b9a66"),
                        DeviceIds.hmac(new byte[32]).of("LT-AMS-0413"))
                .allSatisfy(id -> assertThat(id).startsWith("d-"));
    }

    @Test
    void shouldFallBackFromAHiddenNameAndAZeroEntraIdToTheGlobalDeviceId() {
        ParseResult result = parse("""
                DeviceName,AzureADDeviceId,GlobalDeviceId,AlertId,AlertStatus,ErrorCode,StartTime
                #,00000000-0000-0000-0000-000000000000,g:6896718290057713,a1,Active,0x80070643,2024-01-09T18:04:11Z
                """);

        assertThat(result.collected()).extracting(CollectedRecord::deviceId).containsExactly("g:6896718290057713");
    }

    @Test
    void shouldSkipStatesWithoutAnAttempt() {
        ParseResult result = parse("""
                DeviceName,ClientState,ClientSubstate,ClientSubstateTime,TargetKBNumber
                PC-1,OnHold,OfferReady,2024-01-09T18:04:11Z,5034441
                PC-2,Canceled,Canceled,2024-01-09T18:04:11Z,5034441
                PC-3,Uninstalled,Uninstalled,2024-01-09T18:04:11Z,5034441
                PC-4,SomethingNew,SomethingNew,2024-01-09T18:04:11Z,5034441
                """);

        assertThat(result.records()).isEmpty();
        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isEqualTo(4);
    }

    @Test
    void shouldReadAnAlertCodeInNoKnownSpellingAsRawOnly() {
        ParseResult result = parse("""
                DeviceName,AlertId,AlertStatus,ErrorCode,StartTime
                PC-1,a1,Active,0x8326CFA2D_C3FD,2024-01-09T18:04:11Z
                """);

        assertThat(events(result)).extracting(InstallEvent::getErrorCode, InstallEvent::getRawErrorCode)
                .containsExactly(tuple(null, "0x8326CFA2D_C3FD"));
    }

    // --- problems -----------------------------------------------------------------------------------------------

    @Test
    void shouldNameTheColumnAndLineOfEveryBadRowAndGoOn() {
        ParseResult result = parse("""
                DeviceName,ClientState,ClientSubstate,ClientSubstateTime,TargetKBNumber,UpdateInstalledTime
                PC-1,Failed,InstallFailed,yesterday,5034441,
                PC-2,Failed,InstallFailed,2024-01-09T18:04:11Z,KB50344,
                ,Failed,InstallFailed,2024-01-09T18:04:11Z,5034441,
                PC-4,Failed,InstallFailed,,5034441,
                PC-5,Installed,UpdateInstalled,,5034441,
                PC-6,Failed,InstallFailed,"1/9/1999, 6:04 PM",5034441,
                PC-7,Failed,InstallFailed,2031-01-01T00:00:00Z,5034441,
                PC-8,Failed,InstallFailed,2024-01-09T18:04:11Z,5034441,,extra
                PC-9,Failed,InstallFailed,2024-02-30T00:00:00Z,5034441,
                PC-10,Failed,InstallFailed,2024-01-09T18:04:11Z,5034441
                """);

        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(2L, "ClientSubstateTime"),
                tuple(3L, "TargetKBNumber"),
                tuple(4L, "DeviceName"),
                tuple(5L, "ClientSubstateTime"),
                tuple(6L, "UpdateInstalledTime"),
                tuple(7L, "ClientSubstateTime"),
                tuple(8L, "ClientSubstateTime"),
                tuple(9L, null),
                tuple(10L, "ClientSubstateTime"));
        assertThat(result.problems().get(0).message())
                .isEqualTo("expected a date-time such as 2024-01-09T18:04:11.123Z or 1/9/2024, 6:04:11.123 PM, "
                        + "got 'yesterday'");
        assertThat(result.problems().get(1).message())
                .isEqualTo("expected a KB number such as 5034441 or KB5034441, got 'KB50344'");
        assertThat(result.problems().get(5).message()).contains("before 2000-01-01");
        assertThat(result.problems().get(6).message()).contains("after the input was received");
        assertThat(result.problems().get(7).message()).isEqualTo(
                "has 7 values but the header has 6 columns (a value with the separator in it, not quoted?)");
        assertThat(result.problems().get(8).message()).startsWith("not a valid date-time: '2024-02-30T00:00:00Z'");
        assertThat(lines(result)).containsExactly(11L); // a short row is read with the missing values empty
    }

    @Test
    void shouldCountPhysicalLinesPastMultiLineQuotedValues() {
        ParseResult result = parse("""
                DeviceName,AlertId,AlertStatus,ErrorCode,Description,StartTime [UTC]
                PC-1,a1,Active,0x80070643,"Installation failure:
                ""KB5034441"", error 0x80070643,
                retry later",1/9/2024 6:04:11 PM
                PC-2,a2,Active,0x80070643,"One line, quoted","1/9/2024, 6:05:00 PM"
                PC-3,a3,Active,0x80070643,"Two
                lines",1/9/2024 6:61:00 PM
                PC-4,a4,Active,0x80070643,,"1/9/2024, 6:07:00 PM"
                """);

        assertThat(lines(result)).containsExactly(2L, 5L, 8L);
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.field()).isEqualTo("StartTime");
        });
    }

    @Test
    void shouldRefuseTheRowOfACsvSyntaxErrorAndResumeOnTheNextLine() {
        ParseResult result = parse("""
                DeviceName,AlertId,AlertStatus,ErrorCode,StartTime
                PC-1,a1,Active,"0x80070643"x,2024-01-09T18:04:11Z
                PC-2,a2,Active,0x80070643,2024-01-09T18:04:11Z
                PC-3,a3,Active,"0x80070643,2024-01-09T18:04:11Z
                PC-4,a4,Active,0x80070643,2024-01-09T18:04:11Z
                """);

        // The unclosed quote of line 4 costs line 4 only: line 5 is read again on its own.
        assertThat(lines(result)).containsExactly(3L, 5L);
        assertThat(result.problems()).extracting(Problem::line).containsExactly(2L, 4L);
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.message()).startsWith("not valid CSV"));
    }

    @Test
    void shouldRefuseAHeaderWithoutWufbColumnsOnce() {
        ParseResult result = parse("Computer,EventID,TimeGenerated\nPC-1,20,2024-01-09T18:04:11Z\n");

        assertThat(result.records()).isEmpty();
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.message()).startsWith("the header names no column of the WUfB report tables");
        });
    }

    @Test
    void shouldRefuseDatesInAZoneWithoutOffset() {
        ParseResult result = parse("""
                DeviceName,AlertId,AlertStatus,ErrorCode,StartTime [Local Time]
                PC-1,a1,Active,0x80070643,"1/9/2024, 7:04:11.123 PM"
                """);

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.field()).isEqualTo("StartTime");
            assertThat(p.message()).contains("'Local Time', which names no UTC offset");
        });
    }

    @Test
    void shouldRefuseARowOfUnknownTable() {
        ParseResult result = parse("""
                [{"DeviceName":"PC-1","ClientState":"Failed"},
                 {"DeviceName":"PC-2","Computer":"x"},
                 "text"]
                """);

        assertThat(result.problems()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(1L, "ClientSubstateTime"), tuple(2L, null), tuple(3L, "$"));
        assertThat(result.problems().get(1).message()).startsWith("cannot tell which table this row is from");
    }

    @Test
    void shouldRefuseBadRowsAndTablesOfAQueryResponse() {
        ParseResult result = parse("""
                {"tables": [
                  {"name": "PrimaryResult",
                   "rows": [
                     ["PC-1", "a1", "Active", "0x80070643", "2024-01-09T18:04:11Z"],
                     ["PC-2", "a2"],
                     {"DeviceName": "PC-3"},
                     ["PC-4", "a4", "Active", "0x80070643", "tomorrow"]
                   ],
                   "columns": [{"name": "DeviceName", "type": "string"}, {"name": "AlertId", "type": "string"},
                               {"name": "AlertStatus", "type": "string"}, {"name": "ErrorCode", "type": "string"},
                               {"name": "StartTime", "type": "datetime"}]},
                  {"name": "Other", "columns": [{"name": "Computer", "type": "string"}], "rows": [["x"]]}
                ]}
                """);

        assertThat(lines(result)).containsExactly(4L);
        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(5L, "rows"), tuple(6L, "rows"), tuple(7L, "StartTime"), tuple(12L, "columns"));
    }

    @Test
    void shouldKeepTheRowsBeforeASyntaxErrorInAQueryResponse() {
        ParseResult result = parse("""
                {"tables": [{"name": "PrimaryResult",
                  "columns": [{"name": "DeviceName"}, {"name": "AlertId"}, {"name": "AlertStatus"},
                              {"name": "ErrorCode"}, {"name": "StartTime"}],
                  "rows": [
                    ["PC-1", "a1", "Active", "0x80070643", "2024-01-09T18:04:11Z"],
                    ["PC-2", "a2", "Active", "0x80070643" "2024-01-09T18:04:11Z"],
                    ["PC-3", "a3", "Active", "0x80070643", "2024-01-09T18:04:11Z"]
                """);

        assertThat(lines(result)).containsExactly(5L);
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).startsWith("not valid JSON");
        });
    }

    @Test
    void shouldRejectOnlyTheBrokenLineOfNdjson() {
        ParseResult result = parse("""
                {"DeviceName":"PC-1","AlertId":"a1","AlertStatus":"Active","ErrorCode":"0x80070643","StartTime":"2024-01-09T18:04:11Z"}
                {"DeviceName":"PC-2","AlertId":"a2","AlertStatus":"Active","ErrorCode":0x80070643,"StartTime":"2024-01-09T18:04:11Z"}
                {"DeviceName":"PC-3","AlertId":"a3","AlertStatus":"Active","ErrorCode":-2147023293,"StartTime":"2024-01-09T18:04:11Z"}
                """);

        assertThat(lines(result)).containsExactly(1L, 3L);
        assertThat(events(result).get(1).getErrorCode()).isEqualTo("0x80070643");
        assertThat(result.problems()).extracting(Problem::line).containsExactly(2L);
    }

    @Test
    void shouldReadNothingFromBlankInput() {
        ParseResult result = parse(" \n\r\n");

        assertThat(result.records()).isEmpty();
        assertThat(result.problems()).isEmpty();
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    static InstallEvent.Builder status(String device, String kb, Outcome outcome, String at) {
        return InstallEvent.newBuilder()
                .setEventId(statusId(device, kb, outcome, at))
                .setDeviceId(device)
                .setOccurredAt(Instant.parse(at))
                .setReceivedAt(RECEIVED)
                .setSource(EventSource.WUFB)
                .setKb(kb)
                .setOutcome(outcome);
    }

    static String statusId(String device, String update, Outcome outcome, String at) {
        if (outcome == Outcome.FAILED) {
            return failureId(device, update, at);
        }
        return EventIds.of("u-", "UCClientUpdateStatus", device, update, outcome.name(),
                Instant.parse(at).toEpochMilli());
    }

    /** A failure has one id whichever table reported it. */
    static String failureId(String device, String update, String at) {
        return EventIds.of("u-", "failure", device, update, Instant.parse(at).toEpochMilli());
    }

    static InstallEvent.Builder alert(String device, String alertId, String kb, String at) {
        return InstallEvent.newBuilder()
                .setEventId(failureId(device, kb, at)) // not the AlertId: exports without that column agree
                .setDeviceId(device)
                .setOccurredAt(Instant.parse(at))
                .setReceivedAt(RECEIVED)
                .setSource(InputFormat.WUFB.source())
                .setKb(kb)
                .setOutcome(Outcome.FAILED);
    }

    private ParseResult sample(String name) {
        return parse(sampleText(name));
    }

    static String sampleText(String name) {
        return Samples.text("wufb/" + name);
    }

    private ParseResult parse(String text) {
        return parse(text, RAW_NAMES);
    }

    private ParseResult parse(String text, ParseContext context) {
        try {
            return parser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> lines(ParseResult result) {
        return result.records().stream().map(ParseResult.Line::line).toList();
    }

    private static List<InstallEvent> events(ParseResult result) {
        return result.collected().stream().map(r -> ((CollectedRecord.Event) r).event()).toList();
    }

    private static Set<String> ids(ParseResult result) {
        return events(result).stream().map(InstallEvent::getEventId).collect(Collectors.toSet());
    }
}
