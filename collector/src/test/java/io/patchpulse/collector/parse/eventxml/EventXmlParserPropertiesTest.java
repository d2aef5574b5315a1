package io.patchpulse.collector.parse.eventxml;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated and mutated input thrown at {@link EventXmlParser}: it never throws, every problem has a line (0 only
 * for the whole-input DTD rejection) and a message, and it never yields more records than the input has events.
 * Tries: 1000 + 500 + 1500 + 2000 + 500 = 5500 generated inputs per run.
 */
class EventXmlParserPropertiesTest {

    private static final Pattern EVENT_START = Pattern.compile("<Event(?=[\\s>/]|$)");
    private static final Pattern VALUE = Pattern.compile(">([^<>]*)<|='([^']*)'|=\"([^\"]*)\"");
    private static final List<String> SAMPLES = List.of("wevtutil-qe-system.xml", "eventviewer-saved-de.xml",
            "xml-view-single-userdata.xml", "with-broken-events.xml").stream()
            .map(name -> EventXmlText.decode(EventXmlParserTest.sample(name)))
            .toList();
    private static final String NS = EventXmlParserTest.NS;
    private static final List<String> FRAGMENTS = List.of(
            "<Event " + NS + ">", "<Event>", "</Event>", "<Event/>", "<Events>", "</Events>", "<System>", "</System>",
            "<Provider Name='Microsoft-Windows-WindowsUpdateClient'/>",
            "<Provider Name='Microsoft-Windows-WinREAgent' Guid='{1F7A6C55-5532-573B-35B7-2107E43A6EF5}'/>",
            "<Provider Guid='{945a8954-c147-4acd-923f-40c45405a658}'/>", "<Provider/>", "<Provider Name=''/>",
            "<EventID>", "</EventID>", "<EventID Qualifiers='16384'>", "20", "19", "43", "44", "4501", "4502", "-1",
            "99999999999", "<TimeCreated SystemTime='2024-01-09T18:06:15.9086312Z'/>", "<TimeCreated SystemTime='x'/>",
            "<TimeCreated SystemTime='3024-01-01T00:00:00Z'/>", "<TimeCreated/>", "<Computer>", "</Computer>", "PC1",
            "<EventRecordID>", "</EventRecordID>", "51243", "<EventData>", "</EventData>", "<Data Name='errorCode'>",
            "<Data Name='updateTitle'>", "<Data Name='Version'>", "<Data Name='ErrorPhase'>", "<Data Name='Errorcode'>",
            "<Data>", "</Data>", "<Data/>", "0x80070643", "-2146498520", "10.0.19041.3920", "KB5034441", "x",
            "<UserData>", "</UserData>", "<X>", "</X>", "<a:Event xmlns:a='u'>", "<!-- c -->", "<!--", "-->",
            "<![CDATA[", "]]>", "<?xml version='1.0' encoding='UTF-16'?>", "<?", "?>", "&amp;", "&x;", "&#0;",
            "&#x110000;", "&#65;", "\n", "\r\n", " ", "<", ">", "'", "\"", "&", "\u0000", "\uFEFF", "\uD800",
            "<!DOCTYPE x>", "<!ENTITY y 'z'>", "<Binary>0A</Binary>", "<RenderingInfo Culture='de-DE'>",
            "</RenderingInfo>", "für");
    private static final List<String> WRONG_VALUES = List.of("", " ", "abc", "-1", "0", "99999999999999999999",
            "1e9", "0x", "NaN", "true", "null", "{}", "<", "&", "]]>", "\u0000", "\uFFFD", "10.0", "KB", "zwanzig",
            "2024-13-45T99:99:99Z", "x".repeat(70_000));

    private final EventXmlParser parser = new EventXmlParser();

    @Property(tries = 1000)
    void shouldNeverThrowOnArbitraryText(@ForAll String text) throws IOException {
        check(text, parse(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = 500)
    void shouldNeverThrowOnArbitraryBytes(@ForAll("bytes") byte[] bytes) throws IOException {
        check(EventXmlText.decode(bytes), parse(bytes));
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.NONE)
    void shouldNeverThrowOnGeneratedEventShapes(@ForAll("shapes") String xml) throws IOException {
        ParseResult result = parse(xml.getBytes(StandardCharsets.UTF_8));

        check(xml, result);
        Statistics.label("outcome").collect(result.records().isEmpty() ? "no record" : "some record");
    }

    @Property(tries = 2000)
    void shouldNeverThrowOnMutatedSamples(@ForAll("mutatedSamples") String xml, @ForAll boolean utf16)
            throws IOException {
        byte[] bytes = utf16
                ? ("\uFEFF" + xml).getBytes(StandardCharsets.UTF_16LE)
                : xml.getBytes(StandardCharsets.UTF_8);
        ParseResult result = parse(bytes);

        check(xml, result);
        Statistics.label("outcome").collect(result.records().isEmpty() ? "no record" : "some record",
                result.problems().isEmpty() ? "no problem" : "some problem");
    }

    @Property(tries = 500)
    void shouldGiveTheAgentOneItemPerEventOrProblem(@ForAll("mutatedSamples") String xml) {
        List<EventXmlParser.Item> items = EventXmlParser.readEvents(xml);

        long events = items.stream().filter(item -> item.event() != null).count();
        assertThat(events).isLessThanOrEqualTo(eventStarts(xml));
        assertThat(items).allSatisfy(item -> {
            assertThat(item.event() == null).isNotEqualTo(item.problem() == null);
            if (item.problem() != null) {
                checkProblem(item.problem(), xml);
            } else {
                assertThat(item.line()).isBetween(1L, lineCount(xml));
            }
        });
    }

    private ParseResult parse(byte[] bytes) throws IOException {
        return parser.parse(new ByteArrayInputStream(bytes), EventXmlParserTest.context(DeviceIds.hmac(new byte[32])));
    }

    private static void check(String text, ParseResult result) {
        long events = eventStarts(text);
        assertThat(result.records().size()).isLessThanOrEqualTo((int) events);
        assertThat(result.accepted() + result.skipped()).isLessThanOrEqualTo(events);
        assertThat(result.records()).allSatisfy(line -> assertThat(line.line()).isBetween(1L, lineCount(text)));
        assertThat(result.problems()).allSatisfy(problem -> checkProblem(problem, text));
    }

    private static void checkProblem(Problem problem, String text) {
        assertThat(problem.message()).isNotBlank();
        if (problem.line() == 0) {
            assertThat(problem.message()).startsWith(EventXmlParser.DTD_REJECTED);
        } else {
            assertThat(problem.line()).isBetween(1L, lineCount(text));
        }
    }

    private static long eventStarts(String text) {
        return EVENT_START.matcher(text).results().count();
    }

    private static long lineCount(String text) {
        return text.chars().filter(c -> c == '\n').count() + 1;
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> prefix = Arbitraries.of(new byte[0], new byte[] {(byte) 0xFF, (byte) 0xFE},
                new byte[] {(byte) 0xFE, (byte) 0xFF}, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                new byte[] {'<', 0}, new byte[] {0, '<'});
        return Combinators.combine(prefix, body).as((p, b) -> {
            byte[] all = new byte[p.length + b.length];
            System.arraycopy(p, 0, all, 0, p.length);
            System.arraycopy(b, 0, all, p.length, b.length);
            return all;
        });
    }

    @Provide
    Arbitrary<String> shapes() {
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.of(FRAGMENTS)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(8)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(SAMPLES.get(0).lines().toList())));
        return piece.list().ofMaxSize(60).map(parts -> String.join("", parts));
    }

    /** A sample with 1 to 5 mutations: truncation, deletion, duplication, swaps, insertions, wrong values. */
    @Provide
    Arbitrary<String> mutatedSamples() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(1, 200),
                Arbitraries.oneOf(Arbitraries.of(FRAGMENTS), Arbitraries.of(WRONG_VALUES)))
                .as(Mutation::new);
        return Combinators.combine(Arbitraries.of(SAMPLES), mutation.list().ofMinSize(1).ofMaxSize(5))
                .as((sample, mutations) -> {
                    String text = sample;
                    for (Mutation m : mutations) {
                        text = m.apply(text);
                    }
                    return text;
                });
    }

    private record Mutation(int kind, double where, int length, String fragment) {

        String apply(String text) {
            if (text.isEmpty()) {
                return fragment;
            }
            int at = Math.min(text.length() - 1, (int) (where * text.length()));
            int end = Math.min(text.length(), at + length);
            return switch (kind) {
                case 0 -> text.substring(0, at); // truncated upload
                case 1 -> text.substring(0, at) + text.substring(end); // lost bytes
                case 2 -> text.substring(0, end) + text.substring(at, end) + text.substring(end); // repeated bytes
                case 3 -> swap(text, at, end - 1);
                case 4 -> text.substring(0, at) + fragment + text.substring(at);
                default -> replaceValue(text, at, fragment);
            };
        }

        private static String swap(String text, int a, int b) {
            char[] chars = text.toCharArray();
            char t = chars[a];
            chars[a] = chars[b];
            chars[b] = t;
            return new String(chars);
        }

        /** Replaces the text node or attribute value nearest after {@code at} by {@code value}. */
        private static String replaceValue(String text, int at, String value) {
            List<int[]> spans = new ArrayList<>();
            Matcher matcher = VALUE.matcher(text);
            while (matcher.find()) {
                for (int g = 1; g <= 3; g++) {
                    if (matcher.group(g) != null) {
                        spans.add(new int[] {matcher.start(g), matcher.end(g)});
                    }
                }
            }
            if (spans.isEmpty()) {
                return text + value;
            }
            int[] span = spans.stream().filter(s -> s[0] >= at).findFirst().orElse(spans.get(spans.size() - 1));
            return text.substring(0, span[0]) + value + text.substring(span[1]);
        }
    }
}
