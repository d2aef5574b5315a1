package io.patchpulse.collector.parse.winlogbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.Samples;
import io.patchpulse.collector.parse.windows.ExpectedEvents;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.collector.parse.eventxml.EventXmlParser;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WinlogbeatParserTest {

    static final Instant RECEIVED = Instant.parse("2024-03-01T00:00:00Z");
    static final String T41 = "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)";
    static final String T41_DE = "2024-01 Sicherheitsupdate für Windows 10 Version 22H2 für x64-basierte Systeme (KB5034441)";
    static final String G41 = "8f0d4b2e-5c61-4f0a-9b7e-3c2a1d9e6f14";
    /** A minimal 8.x document for event 20; tests replace parts of it. */
    static final String MINIMAL = "{\"@timestamp\":\"2024-01-11T02:00:12.083Z\",\"host\":{\"hostname\":\"WKS-0117\","
            + "\"name\":\"wks-0117.corp.example.com\"},\"winlog\":{\"channel\":\"System\",\"computer_name\":"
            + "\"WKS-0117.corp.example.com\",\"event_id\":\"20\",\"provider_name\":"
            + "\"Microsoft-Windows-WindowsUpdateClient\",\"record_id\":\"3301\",\"event_data\":{\"errorCode\":"
            + "\"0x80070643\",\"updateTitle\":\"" + T41 + "\"}}}";

    private final WinlogbeatParser parser = new WinlogbeatParser();

    static ParseContext context(DeviceIds ids) {
        return new ParseContext(ids, RECEIVED, "test");
    }

    static byte[] sample(String path) {
        return Samples.bytes(path);
    }

    private ParseResult parse(byte[] bytes) {
        try {
            return parser.parse(new ByteArrayInputStream(bytes), context(DeviceIds.raw()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ParseResult parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An expected event with every field but the hash-derived event id. */
    static InstallEvent.Builder expected(String device, String occurredAt, Outcome outcome) {
        return ExpectedEvents.expected(EventSource.WINLOGBEAT, RECEIVED, device, occurredAt, outcome);
    }

    static InstallEvent.Builder update(InstallEvent.Builder builder, String title, String guid) {
        return ExpectedEvents.update(builder, title, guid);
    }

    static List<InstallEvent> events(ParseResult result) {
        return ExpectedEvents.events(result);
    }

    private static List<String> eventIds(ParseResult result) {
        return result.collected().stream().map(r -> ((CollectedRecord.Event) r).event().getEventId()).toList();
    }

    @Test
    void shouldReadWinlogbeat7DocumentsWithNumericIdsAndSkipOtherEvents() {
        ParseResult result = parse(sample("winlogbeat/winlogbeat-7.17-system.ndjson"));

        String device = "desktop-7qk2m1f";
        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isEqualTo(2); // Service Control Manager 7036, Security 4624
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 2L, 3L, 4L, 5L, 8L);
        assertThat(events(result)).containsExactly(
                update(expected(device, "2024-01-09T18:04:11.481Z", Outcome.DOWNLOAD_STARTED), T41, G41).build(),
                update(expected(device, "2024-01-09T18:05:02.113Z", Outcome.STARTED), T41, G41).build(),
                expected(device, "2024-01-09T18:05:40.702Z", Outcome.WINRE_SERVICING_STARTED).build(),
                expected(device, "2024-01-09T18:06:13.352Z", Outcome.WINRE_SERVICING_FAILED)
                        .setErrorCode("0x800F0828").setRawErrorCode("-2146498520").setWinreErrorPhase(2).build(),
                update(expected(device, "2024-01-09T18:06:15.908Z", Outcome.FAILED), T41, G41)
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643").build(),
                update(expected(device, "2024-01-09T18:20:44.027Z", Outcome.SUCCEEDED),
                        "2024-01 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5034122)",
                        "c2a7e1b4-91d3-4e56-8f20-6b4d0a3c9e71").build());
    }

    @Test
    void shouldReadWinlogbeat8DocumentsWithStringIdsGermanTitlesAndUserData() {
        ParseResult result = parse(sample("winlogbeat/winlogbeat-8.12-system.ndjson"));

        String device = "laptop-de0815";
        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isEqualTo(2); // EventLog 6013, Security 4624
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(2L, 4L, 5L, 6L);
        assertThat(events(result)).containsExactly(
                update(expected(device, "2024-01-10T07:31:26.621Z", Outcome.FAILED), T41_DE, G41)
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643").build(),
                expected(device, "2024-02-14T06:48:03.229Z", Outcome.WINRE_SERVICING_SUCCEEDED)
                        .setWinreVersion("10.0.19041.3920").build(),
                update(expected(device, "2024-02-14T06:48:09.881Z", Outcome.SUCCEEDED), T41_DE, G41).build(),
                expected("pc-lager-03", "2024-02-14T09:15:33.512Z", Outcome.WINRE_SERVICING_FAILED)
                        .setErrorCode("0x800F0828").setRawErrorCode("-2146498520").setWinreErrorPhase(2).build());
    }

    @Test
    void shouldReadElasticAgentDocuments() {
        ParseResult result = parse(sample("winlogbeat/elastic-agent-8.13-system.ndjson"));

        String device = "wks-0042";
        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isZero();
        assertThat(events(result)).containsExactly(
                update(expected(device, "2024-02-14T02:14:47.903Z", Outcome.DOWNLOAD_STARTED), T41, G41).build(),
                update(expected(device, "2024-02-14T02:22:10.064Z", Outcome.STARTED), T41, G41).build(),
                expected(device, "2024-02-14T02:29:51.775Z", Outcome.WINRE_SERVICING_SUCCEEDED)
                        .setWinreVersion("10.0.19041.3920").build(),
                update(expected(device, "2024-02-14T02:29:58.410Z", Outcome.SUCCEEDED), T41, G41).build());
    }

    @Test
    void shouldReportEachBrokenDocumentWithItsLineAndPathAndKeepGoing() {
        ParseResult result = parse(sample("winlogbeat/with-broken-documents.ndjson"));

        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 10L);
        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(2L, null),
                tuple(3L, "$.winlog.event_id"),
                tuple(4L, "$.@timestamp"),
                tuple(5L, "$.winlog.event_data.Version"),
                tuple(6L, "$.winlog"),
                tuple(7L, "$.winlog.computer_name"),
                tuple(8L, "$.winlog.record_id"),
                tuple(9L, "$.winlog.event_data"));
        assertThat(result.problems()).extracting(Problem::message).satisfiesExactly(
                m -> assertThat(m).startsWith("not valid JSON"),
                m -> assertThat(m).isEqualTo("expected a whole number, got 'zwanzig'"),
                m -> assertThat(m).isEqualTo("is required (or winlog.time_created)"),
                m -> assertThat(m).contains("expected a WinRE version").contains("'unbekannt'"),
                m -> assertThat(m).isEqualTo("is required: not a Winlogbeat or Elastic Agent event log document"),
                m -> assertThat(m).isEqualTo("is required (or host.hostname, host.name): it names the device"),
                m -> assertThat(m).isEqualTo("expected a whole number, got an object"),
                m -> assertThat(m).isEqualTo("expected an object, got 'updateTitle=KB5034441'"));
        assertThat(result.accepted()).isEqualTo(2);
    }

    @Test
    void shouldGiveAnEventTheSameIdWhetherItCameAsWinlogbeatOrAsEventXml() throws IOException {
        DeviceIds ids = DeviceIds.hmac(new byte[32]);

        ParseResult winlogbeat = parser.parse(new ByteArrayInputStream(sample("winlogbeat/winlogbeat-7.17-system.ndjson")),
                context(ids));
        ParseResult xml = new EventXmlParser().parse(
                new ByteArrayInputStream(sample("eventlog-xml/wevtutil-qe-system.xml")), context(ids));

        assertThat(eventIds(winlogbeat)).hasSize(6).doesNotHaveDuplicates().containsExactlyElementsOf(eventIds(xml));
    }

    @Test
    void shouldKeyByTheHashedComputerNameAndNeverCarryTheName() throws IOException {
        DeviceIds ids = DeviceIds.hmac(new byte[32]);

        ParseResult result = parser.parse(new ByteArrayInputStream(sample("winlogbeat/winlogbeat-8.12-system.ndjson")),
                context(ids));

        assertThat(result.collected()).extracting(CollectedRecord::deviceId)
                .containsOnly(ids.of("LAPTOP-DE0815"), ids.of("PC-LAGER-03"));
        assertThat(result.collected().toString()).doesNotContainIgnoringCase("laptop-de0815")
                .doesNotContainIgnoringCase("pc-lager-03");
    }

    @Test
    void shouldTakeTheDeviceFromHostHostnameThenHostNameWhenTheComputerNameIsMissing() {
        String withoutComputer = MINIMAL.replace("\"computer_name\":\"WKS-0117.corp.example.com\",", "");
        String withoutHostname = withoutComputer.replace("\"hostname\":\"WKS-0117\",", "");

        assertThat(parse(withoutComputer).collected()).extracting(CollectedRecord::deviceId).containsExactly("wks-0117");
        assertThat(parse(withoutHostname).collected()).extracting(CollectedRecord::deviceId).containsExactly("wks-0117");
    }

    @Test
    void shouldFallBackToEventCodeEventProviderAndTimeCreated() {
        String doc = "{\"event\":{\"code\":44,\"provider\":\"Microsoft-Windows-WindowsUpdateClient\"},"
                + "\"winlog\":{\"computer_name\":\"PC1\",\"time_created\":\"2024-01-11T02:00:12.0833117Z\","
                + "\"record_id\":3301,\"event_data\":{\"updateTitle\":\"" + T41 + "\"}}}";

        ParseResult result = parse(doc);

        assertThat(events(result)).containsExactly(
                expected("pc1", "2024-01-11T02:00:12.083Z", Outcome.DOWNLOAD_STARTED).setKb("KB5034441")
                        .setUpdateTitle(T41).build());
    }

    @Test
    void shouldNameParamValuesByPositionAndReadNestedUserData() {
        String params = MINIMAL.replace("\"errorCode\":", "\"param1\":").replace("\"updateTitle\":", "\"param2\":");
        String nested = "{\"@timestamp\":\"2024-02-14T09:15:33.512Z\",\"winlog\":{\"computer_name\":\"PC1\","
                + "\"event_id\":4501,\"provider_guid\":\"{1F7A6C55-5532-573B-35B7-2107E43A6EF5}\",\"user_data\":"
                + "{\"xml_name\":\"Servicing\",\"Result\":{\"xml_name\":\"Version\",\"Version\":\"10.0.19041.3920\"}}}}";

        assertThat(events(parse(params))).containsExactly(
                update(expected("wks-0117", "2024-01-11T02:00:12.083Z", Outcome.FAILED), T41, null)
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643").build());
        assertThat(events(parse(nested))).containsExactly(
                expected("pc1", "2024-02-14T09:15:33.512Z", Outcome.WINRE_SERVICING_SUCCEEDED)
                        .setWinreVersion("10.0.19041.3920").build());
    }

    @Test
    void shouldPointAtUserDataWhenAUserDataValueIsBad() {
        String doc = "{\"@timestamp\":\"2024-02-14T09:15:33.512Z\",\"winlog\":{\"computer_name\":\"PC1\","
                + "\"event_id\":\"4502\",\"provider_name\":\"Microsoft-Windows-WinREAgent\",\"user_data\":"
                + "{\"xml_name\":\"X\",\"ErrorPhase\":\"zwei\",\"Errorcode\":\"-2146498520\"}}}";

        assertThat(parse(doc).problems()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(1L, "$.winlog.user_data.ErrorPhase"));
    }

    @Test
    void shouldReadPrettyPrintedDocumentsAndArraysAndRejectNonObjects() {
        String pretty = "[\n" + MINIMAL + ",\n  42,\n  \"x\"\n]\n{\n  \"winlog\": {\n    \"event_id\": 4624,\n"
                + "    \"provider_name\": \"Microsoft-Windows-Security-Auditing\"\n  }\n}\n";

        ParseResult result = parse(pretty);

        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(2L);
        assertThat(result.skipped()).isEqualTo(1);
        assertThat(result.problems()).extracting(Problem::line, Problem::field, Problem::message).containsExactly(
                tuple(3L, "$", "expected an object, got 42"),
                tuple(4L, "$", "expected an object, got 'x'"));
    }

    @Test
    void shouldReadOneDocumentOnItsOwnAsAKafkaInputWould() throws IOException {
        JsonNode document = JsonItems.MAPPER.readTree(MINIMAL);
        ParseResult.Builder out = ParseResult.builder(RECEIVED);

        WinlogbeatParser.readDocument(document, 1, context(DeviceIds.raw()), out);
        WinlogbeatParser.readDocument(JsonItems.MAPPER.readTree("\"not an object\""), 2, context(DeviceIds.raw()), out);
        WinlogbeatParser.readDocument(null, 3, context(DeviceIds.raw()), out);
        ParseResult result = out.build();

        assertThat(events(result)).containsExactly(
                update(expected("wks-0117", "2024-01-11T02:00:12.083Z", Outcome.FAILED), T41, null)
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643").build());
        assertThat(result.problems()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(2L, "$"), tuple(3L, "$"));
    }

    @Test
    void shouldRejectAnEventFromTheFuture() {
        ParseResult result = parse(MINIMAL.replace("2024-01-11T02:00:12.083Z", "2024-03-05T00:00:00Z"));

        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(tuple(1L, "occurredAt"));
    }
}
