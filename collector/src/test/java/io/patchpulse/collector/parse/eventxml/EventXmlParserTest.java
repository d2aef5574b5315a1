package io.patchpulse.collector.parse.eventxml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.patchpulse.collector.parse.Samples;
import io.patchpulse.collector.parse.windows.ExpectedEvents;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.collector.parse.windows.WindowsEvent;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventXmlParserTest {

    static final Instant RECEIVED = Instant.parse("2024-03-01T00:00:00Z");
    static final String NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";
    static final String T41 = "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)";
    static final String T41_DE = "2024-01 Sicherheitsupdate für Windows 10 Version 22H2 für x64-basierte Systeme (KB5034441)";
    static final String G41 = "8f0d4b2e-5c61-4f0a-9b7e-3c2a1d9e6f14";

    private final EventXmlParser parser = new EventXmlParser();

    static ParseContext context(DeviceIds ids) {
        return new ParseContext(ids, RECEIVED, "test");
    }

    static byte[] sample(String name) {
        return Samples.bytes("eventlog-xml/" + name);
    }

    private ParseResult parse(byte[] bytes) {
        return Samples.parse(parser, bytes, context(DeviceIds.raw()));
    }

    private ParseResult parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An expected event with every field but the hash-derived event id. */
    static InstallEvent.Builder expected(String device, String occurredAt, Outcome outcome) {
        return ExpectedEvents.expected(EventSource.EVENTLOG_XML, RECEIVED, device, occurredAt, outcome);
    }

    static InstallEvent.Builder update(InstallEvent.Builder builder, String title, String guid) {
        return ExpectedEvents.update(builder, title, guid);
    }

    static List<InstallEvent> events(ParseResult result) {
        return ExpectedEvents.events(result);
    }

    @Test
    void shouldReadEveryUpdateEventOfAWevtutilQueryAndSkipTheOthers() {
        ParseResult result = parse(sample("wevtutil-qe-system.xml"));

        String device = "desktop-7qk2m1f";
        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isEqualTo(1); // Service Control Manager 7036
        assertThat(result.accepted()).isEqualTo(6);
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 2L, 3L, 4L, 5L, 7L);
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
    void shouldReadAGermanUtf16EventViewerExportWithItsWrapperAndLineNumbers() {
        byte[] bytes = sample("eventviewer-saved-de.xml");
        assertThat(bytes[0] & 0xFF).isEqualTo(0xFF); // the sample really is UTF-16 LE with BOM

        ParseResult result = parse(bytes);

        String device = "laptop-de0815";
        assertThat(result.problems()).isEmpty();
        assertThat(result.skipped()).isEqualTo(1); // EventLog 6013
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(38L, 75L, 106L);
        assertThat(events(result)).containsExactly(
                update(expected(device, "2024-01-10T07:31:26.621Z", Outcome.FAILED), T41_DE, G41)
                        .setErrorCode("0x80070643").setRawErrorCode("0x80070643").build(),
                expected(device, "2024-02-14T06:48:03.229Z", Outcome.WINRE_SERVICING_SUCCEEDED)
                        .setWinreVersion("10.0.19041.3920").build(),
                update(expected(device, "2024-02-14T06:48:09.881Z", Outcome.SUCCEEDED), T41_DE, G41).build());
    }

    @Test
    void shouldReadTheLeafValuesOfUserData() {
        ParseResult result = parse(sample("xml-view-single-userdata.xml"));

        assertThat(result.problems()).isEmpty();
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L);
        assertThat(events(result)).containsExactly(
                expected("pc-lager-03", "2024-02-14T09:15:33.512Z", Outcome.WINRE_SERVICING_FAILED)
                        .setErrorCode("0x800F0828").setRawErrorCode("-2146498520").setWinreErrorPhase(2).build());
    }

    @Test
    void shouldReportEachBrokenEventWithItsLineAndFieldAndKeepGoing() {
        ParseResult result = parse(sample("with-broken-events.xml"));

        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 10L);
        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(2L, "Event/System/EventID"),
                tuple(3L, null),
                tuple(4L, "Event/System/Computer"),
                tuple(5L, "Event/System/TimeCreated/@SystemTime"),
                tuple(6L, "Event/EventData/Data[@Name='Version']"),
                tuple(7L, null),
                tuple(8L, "occurredAt"),
                tuple(9L, null));
        assertThat(result.problems()).extracting(Problem::message).satisfiesExactly(
                m -> assertThat(m).isEqualTo("expected a whole number, got 'zwanzig'"),
                m -> assertThat(m).isEqualTo("not well-formed XML: the <Event> element is not closed before the next"
                        + " <Event> or the end of the input (truncated?)"),
                m -> assertThat(m).isEqualTo("is required: it names the device"),
                m -> assertThat(m).contains("expected an ISO-8601 UTC time").contains("'11.01.2024 02:30:00'"),
                m -> assertThat(m).contains("expected a WinRE version").contains("'unbekannt'"),
                m -> assertThat(m).startsWith("not well-formed XML (line 7, column").contains("nbsp"),
                m -> assertThat(m).contains("1601-01-01T00:00:00Z").contains("clock error"),
                m -> assertThat(m).isEqualTo("text outside an <Event> element: "
                        + "'Fehler beim Abfragen der Ereignisse: Zug...'"));
        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.skipped()).isZero();
    }

    @Test
    void shouldRejectABillionLaughsBombFastAndWhole() {
        StringBuilder bomb = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
        bomb.append(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for (int i = 2; i <= 9; i++) {
            bomb.append(" <!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">\n");
        }
        bomb.append("]>\n<Event ").append(NS).append("><System><Computer>&lol9;</Computer></System></Event>\n");
        long started = System.nanoTime();

        ParseResult result = parse(bomb.toString());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(result.records()).isEmpty();
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isZero();
            assertThat(p.field()).isEqualTo("DOCTYPE");
            assertThat(p.message()).startsWith(EventXmlParser.DTD_REJECTED).contains("line 2");
        });
        assertThat(result.toString()).doesNotContain("lollollol");
    }

    @Test
    void shouldRejectAnExternalEntityWithoutReadingTheFile() throws IOException {
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE Event [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                + "<Event " + NS + "><System><Provider Name='Microsoft-Windows-WindowsUpdateClient'/>"
                + "<EventID>20</EventID><TimeCreated SystemTime='2024-01-09T18:06:15.9086312Z'/>"
                + "<Computer>&x;</Computer></System><EventData><Data Name='errorCode'>&x;</Data></EventData></Event>\n";

        ParseResult result = parse(xxe);
        List<EventXmlParser.Item> items = EventXmlParser.readEvents(xxe);

        assertThat(result.records()).isEmpty();
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isZero();
            assertThat(p.message()).startsWith(EventXmlParser.DTD_REJECTED);
        });
        assertThat(items).singleElement().satisfies(item -> assertThat(item.problem().message())
                .startsWith(EventXmlParser.DTD_REJECTED));
        Path passwd = Path.of("/etc/passwd");
        if (Files.isReadable(passwd)) {
            for (String line : Files.readAllLines(passwd)) {
                if (!line.isBlank()) {
                    assertThat(result.toString()).doesNotContain(line);
                    assertThat(items.toString()).doesNotContain(line);
                }
            }
        }
        assertThat(result.toString()).doesNotContain("root:");
    }

    @Test
    void shouldRejectADoctypeAnywhereInTheInputEvenAfterGoodEvents() {
        String text = new String(sample("wevtutil-qe-system.xml"), StandardCharsets.UTF_8)
                + "<!doctype Event SYSTEM \"http://attacker.example/x.dtd\">\n";

        ParseResult result = parse(text);

        assertThat(result.records()).isEmpty();
        assertThat(result.problems()).singleElement()
                .satisfies(p -> assertThat(p.message()).startsWith(EventXmlParser.DTD_REJECTED).contains("line 8"));
    }

    @Test
    void shouldReadUtf16WithoutBomAndADeclarationThatClaimsAnotherEncoding() {
        String text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<Events>\n"
                + new String(sample("xml-view-single-userdata.xml"), StandardCharsets.UTF_8) + "</Events>\n";

        ParseResult asUtf8 = parse(text);
        ParseResult asUtf16 = parse(text.getBytes(StandardCharsets.UTF_16LE));

        assertThat(asUtf8.problems()).isEmpty();
        assertThat(asUtf8.records()).extracting(ParseResult.Line::line).containsExactly(3L);
        assertThat(asUtf16.records()).isEqualTo(asUtf8.records());
    }

    @Test
    void shouldGiveAnEventTheSameIdEachTimeItIsRead() {
        ParseResult first = parse(sample("wevtutil-qe-system.xml"));
        ParseResult again = parse(sample("wevtutil-qe-system.xml"));

        assertThat(again.collected()).extracting(r -> ((CollectedRecord.Event) r).event().getEventId())
                .containsExactlyElementsOf(first.collected().stream()
                        .map(r -> ((CollectedRecord.Event) r).event().getEventId()).toList())
                .doesNotHaveDuplicates();
    }

    @Test
    void shouldKeyByTheHashedComputerNameAndNeverCarryTheName() throws IOException {
        DeviceIds ids = DeviceIds.hmac(new byte[32]);

        ParseResult result = parser.parse(new ByteArrayInputStream(sample("wevtutil-qe-system.xml")), context(ids));

        assertThat(result.collected()).extracting(CollectedRecord::deviceId)
                .containsOnly(ids.of("DESKTOP-7QK2M1F"));
        assertThat(result.collected().toString()).doesNotContainIgnoringCase("desktop-7qk2m1f");
    }

    @Test
    void shouldNameUnnamedDataByPosition() {
        String event = "<Event " + NS + "><System><Provider Name='Microsoft-Windows-WindowsUpdateClient'/>"
                + "<EventID>20</EventID><TimeCreated SystemTime='2024-01-09T18:06:15.123456789Z'/>"
                + "<Computer>PC1</Computer></System><EventData><Data>-2147023293</Data><Data>" + T41 + "</Data>"
                + "<Data>{" + G41.toUpperCase(java.util.Locale.ROOT) + "}</Data></EventData></Event>";

        ParseResult result = parse(event);

        assertThat(events(result)).containsExactly(update(expected("pc1", "2024-01-09T18:06:15.123Z", Outcome.FAILED),
                T41, G41).setErrorCode("0x80070643").setRawErrorCode("-2147023293").build());
    }

    @Test
    void shouldTakeSystemTimeWithoutAZoneAsUtc() {
        String event = "<Event><System><Provider Guid='{945A8954-C147-4ACD-923F-40C45405A658}'/><EventID>44</EventID>"
                + "<TimeCreated SystemTime='2024-01-09T18:04:11.4817273'/><Computer>PC1</Computer></System></Event>";

        ParseResult result = parse(event);

        assertThat(events(result)).containsExactly(expected("pc1", "2024-01-09T18:04:11.481Z",
                Outcome.DOWNLOAD_STARTED).build());
    }

    @Test
    void shouldNotTakeAnEventInsideACommentOrCdataForAnEvent() {
        String text = "<Events><!-- <Event> old export --><Event " + NS + "><System>"
                + "<Provider Name='Microsoft-Windows-WinREAgent'/><EventID>4503</EventID>"
                + "<TimeCreated SystemTime='2024-01-09T18:04:11Z'/><Computer>PC1</Computer></System>"
                + "<EventData><Data Name='note'><![CDATA[<Event x>]]></Data></EventData></Event></Events>";

        ParseResult result = parse(text);

        assertThat(result.problems()).isEmpty();
        assertThat(events(result)).containsExactly(expected("pc1", "2024-01-09T18:04:11Z",
                Outcome.WINRE_SERVICING_CANCELLED).build());
    }

    @Test
    void shouldFindWhereEachEventEndsPastCrlfSurrogatePairsAndReferences() {
        String event = "<Event " + NS + ">\r\n<System><Provider Name='Microsoft-Windows-WinREAgent'/>\r\n"
                + "<EventID>4504</EventID><TimeCreated SystemTime='2024-01-09T18:04:11Z'/><Computer>PC1</Computer>"
                + "</System>\r\n<EventData><Data Name='note'>\uD83D\uDE00 &amp; &#x1F600; &lt;</Data></EventData>"
                + "\r\n</Event >";

        ParseResult result = parse(event + event.replace("PC1", "PC2") + "\r\n");

        assertThat(result.problems()).isEmpty();
        assertThat(result.records()).extracting(ParseResult.Line::line).containsExactly(1L, 5L);
    }

    @Test
    void shouldAcceptAnEmptyExportAndReportInputThatHoldsNoEvents() {
        assertThat(parse("<?xml version=\"1.0\"?>\r\n<Events>\r\n</Events>\r\n").problems()).isEmpty();
        assertThat(parse("").problems()).isEmpty();

        ParseResult notXml = parse("\n{\"winlog\": {\"event_id\": 20}}\n");

        assertThat(notXml.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.message()).startsWith("text outside an <Event> element: '{\"winlog\"");
        });
    }

    @Test
    void shouldBoundNestingAndTextSize() {
        String deep = "<Event><UserData>" + "<x>".repeat(40) + "</x>".repeat(40) + "</UserData></Event>";
        String longTitle = "<Event><System><Provider Name='Microsoft-Windows-WindowsUpdateClient'/><EventID>19</EventID>"
                + "<TimeCreated SystemTime='2024-01-09T18:04:11Z'/><Computer>PC1</Computer></System><EventData>"
                + "<Data Name='updateTitle'>" + "KB5034441 ".repeat(7000) + "</Data></EventData></Event>";

        ParseResult result = parse(deep + "\n" + longTitle);

        assertThat(result.records()).isEmpty();
        assertThat(result.problems()).extracting(Problem::line, Problem::field, Problem::message).containsExactly(
                tuple(1L, "Event/UserData" + "/x".repeat(30),
                        "elements nest deeper than 32 levels"),
                tuple(2L, "Event/EventData/Data",
                        "text is longer than 65536 characters"));
    }

    @Test
    void shouldRejectAnEventWithoutProviderOrWithAnUnclosedElement() {
        String text = "<Event><System><EventID>20</EventID></System></Event>\n<Event><System>\n";

        ParseResult result = parse(text);

        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(1L, "Event/System/Provider"),
                tuple(2L, null));
    }

    @Test
    void shouldReportTextAfterAnUnusableEventAndPlaceErrorsOnTheRightColumn() {
        String text = "<Event><System><EventID>x</EventID></System></Event> stray\n"
                + "<Event><System/></Event><Event><System><EventID>20</EventID></Sys></Event>\n";

        ParseResult result = parse(text);

        assertThat(result.problems()).extracting(Problem::line, Problem::field, Problem::message).containsExactly(
                tuple(1L, "Event/System/Provider", "a provider Name or Guid is required"),
                tuple(1L, null, "text outside an <Event> element: 'stray'"),
                tuple(2L, "Event/System/Provider", "a provider Name or Guid is required"),
                tuple(2L, null, "not well-formed XML (line 2, column 63): The element"
                        + " type \"System\" must be terminated by the matching end-tag \"</System>\"."));
    }

    @Test
    void shouldHandEveryEventToTheAgentReaderWhetherRelevantOrNot() {
        List<EventXmlParser.Item> items = EventXmlParser.readEvents(
                new String(sample("wevtutil-qe-system.xml"), StandardCharsets.UTF_8));

        assertThat(items).hasSize(7).allSatisfy(item -> assertThat(item.problem()).isNull());
        WindowsEvent scm = items.get(5).event();
        assertThat(items.get(5).line()).isEqualTo(6);
        assertThat(scm.providerName()).isEqualTo("Service Control Manager");
        assertThat(scm.eventId()).isEqualTo(7036);
        assertThat(scm.recordId()).isEqualTo(51250L);
        assertThat(scm.computer()).isEqualTo("DESKTOP-7QK2M1F.corp.example.com");
        assertThat(scm.timeCreated()).isEqualTo(Instant.parse("2024-01-09T18:07:02.554187Z"));
        assertThat(scm.data()).isEqualTo(Map.of("param1", "Windows Update", "param2", "stopped"));
        assertThat(EventXmlParser.readEvents(null)).isEmpty();
    }

    @Test
    void shouldReadEachEventAsIfAloneWhateverCameBeforeIt() {
        // The reader is reused from event to event: a broken event must leave nothing behind for the next one.
        String text = new String(sample("with-broken-events.xml"), StandardCharsets.UTF_8)
                + new String(sample("wevtutil-qe-system.xml"), StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();

        List<EventXmlParser.Item> together = EventXmlParser.readEvents(text);
        List<EventXmlParser.Item> alone = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            long line = i + 1;
            EventXmlParser.readEvents(lines.get(i)).forEach(item -> alone.add(item.event() != null
                    ? new EventXmlParser.Item(line, item.event(), null)
                    : new EventXmlParser.Item(line, null, new Problem(line, item.problem().field(),
                            item.problem().message().replace("(line 1,", "(line " + line + ",")))));
        }

        assertThat(together).hasSize(17).isEqualTo(alone);
    }

    @Test
    void shouldRefuseAnItemWithBothOrNeitherOfEventAndProblem() {
        assertThatThrownBy(() -> new EventXmlParser.Item(1, null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
