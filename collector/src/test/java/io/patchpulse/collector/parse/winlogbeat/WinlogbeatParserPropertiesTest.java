package io.patchpulse.collector.parse.winlogbeat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.ParseResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated and mutated input thrown at {@link WinlogbeatParser}: it never throws, every problem has a line and a
 * message, and it never yields more records than the input has objects. Tries: 1000 + 1500 + 1500 + 1000 = 5000
 * generated inputs per run.
 */
class WinlogbeatParserPropertiesTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> SAMPLES = List.of("winlogbeat-7.17-system.ndjson",
            "winlogbeat-8.12-system.ndjson", "elastic-agent-8.13-system.ndjson", "with-broken-documents.ndjson").stream()
            .map(name -> new String(WinlogbeatParserTest.sample("winlogbeat/" + name), StandardCharsets.UTF_8))
            .toList();
    private static final List<String> KEYS = List.of("@timestamp", "winlog", "event", "host", "event_id", "code",
            "provider_name", "provider_guid", "provider", "record_id", "computer_name", "hostname", "name", "event_data",
            "user_data", "xml_name", "time_created", "channel", "Version", "ErrorPhase", "Errorcode", "errorCode",
            "updateTitle", "updateGuid", "param1", "param2", "x");
    private static final List<JsonNode> PLAUSIBLE = List.of(text("Microsoft-Windows-WindowsUpdateClient"),
            text("Microsoft-Windows-WinREAgent"), text("{945a8954-c147-4acd-923f-40c45405a658}"),
            text("{1F7A6C55-5532-573B-35B7-2107E43A6EF5}"), text("20"), text("19"), text("4501"), text("4502"),
            LongNode.valueOf(20), LongNode.valueOf(44), LongNode.valueOf(4502), text("2024-01-09T18:06:15.908Z"),
            text("2024-01-09T18:06:15+01:00"), LongNode.valueOf(1704823575908L), text("/Date(1704823575908)/"),
            text("PC1.corp.example.com"), text("-2146498520"), text("0x80070643"), text("10.0.19041.3920"),
            text(WinlogbeatParserTest.T41), text("2"), text("System"), text(""), text(" "));
    private static final List<JsonNode> WRONG = List.of(text(""), text("abc"), text("zwanzig"), LongNode.valueOf(-1),
            LongNode.valueOf(Long.MAX_VALUE), NODES.numberNode(new BigInteger("123456789012345678901234567890")),
            DoubleNode.valueOf(20.5), DoubleNode.valueOf(1e300), BooleanNode.TRUE, NullNode.instance,
            NODES.objectNode(), NODES.arrayNode(), NODES.arrayNode().add(20), text("3024-01-01T00:00:00Z"),
            text("1601-01-01T00:00:00Z"), text("2024-13-45T99:99:99Z"), text("\u0000"), text("x".repeat(5000)));

    private final WinlogbeatParser parser = new WinlogbeatParser();

    @Property(tries = 1000)
    void shouldNeverThrowOnArbitraryText(@ForAll String text) {
        check(text, parse(text));
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.NONE)
    void shouldNeverThrowOnGeneratedDocuments(@ForAll("documents") List<JsonNode> documents, @ForAll boolean pretty) {
        StringBuilder text = new StringBuilder();
        for (JsonNode document : documents) {
            text.append(pretty ? document.toPrettyString() : document.toString()).append('\n');
        }
        ParseResult result = parse(text.toString());

        check(text.toString(), result);
        Statistics.label("outcome").collect(result.records().isEmpty() ? "no record" : "some record",
                result.problems().isEmpty() ? "no problem" : "some problem");
    }

    @Property(tries = 1500)
    void shouldNeverThrowOnMutatedSamples(@ForAll("mutatedSamples") String text) {
        ParseResult result = parse(text);

        check(text, result);
        Statistics.label("outcome").collect(result.records().isEmpty() ? "no record" : "some record");
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE)
    void shouldAnswerEveryDocumentReadOnItsOwnExactlyOnce(@ForAll("trees") JsonNode document) {
        ParseResult.Builder out = ParseResult.builder(WinlogbeatParserTest.RECEIVED);

        WinlogbeatParser.readDocument(document, 7, WinlogbeatParserTest.context(DeviceIds.raw()), out);
        ParseResult result = out.build();

        assertThat(result.accepted() + result.skipped() + result.rejected()).isEqualTo(1);
        Statistics.label("outcome").collect(result.accepted() == 1 ? "accepted" : result.skipped() == 1 ? "skipped"
                : "rejected");
        assertThat(result.problems()).allSatisfy(p -> {
            assertThat(p.line()).isEqualTo(7);
            assertThat(p.message()).isNotBlank();
        });
    }

    private ParseResult parse(String text) {
        try {
            return parser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                    WinlogbeatParserTest.context(DeviceIds.hmac(new byte[32])));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(String text, ParseResult result) {
        long objects = text.chars().filter(c -> c == '{').count();
        long lines = text.chars().filter(c -> c == '\n').count() + 1;
        assertThat((long) result.records().size()).isLessThanOrEqualTo(objects);
        assertThat(result.accepted() + result.skipped()).isLessThanOrEqualTo(objects);
        assertThat(result.records()).allSatisfy(line -> assertThat(line.line()).isBetween(1L, lines));
        assertThat(result.problems()).allSatisfy(p -> {
            assertThat(p.line()).isBetween(1L, lines);
            assertThat(p.message()).isNotBlank();
        });
    }

    private static JsonNode text(String value) {
        return TextNode.valueOf(value);
    }

    /** Documents shaped like Winlogbeat's: each field mostly present, mostly of its own kind, else anything. */
    @Provide
    Arbitrary<List<JsonNode>> documents() {
        Map<String, Arbitrary<JsonNode>> data = new LinkedHashMap<>();
        data.put("errorCode", field(text("0x80070643"), text("-2147023293"), text("2147944003"), text("80070643")));
        data.put("updateTitle", field(text(WinlogbeatParserTest.T41), text(WinlogbeatParserTest.T41_DE), text("kein KB")));
        data.put("updateGuid", field(text("{8f0d4b2e-5c61-4f0a-9b7e-3c2a1d9e6f14}"), text("")));
        data.put("Version", field(text("10.0.19041.3920"), text("10.0")));
        data.put("ErrorPhase", field(text("2"), LongNode.valueOf(2)));
        data.put("Errorcode", field(text("-2146498520")));
        data.put("param1", field(text("0x80070643"), text("10.0.19041.3920")));
        data.put("xml_name", field(text("EventXML")));
        Arbitrary<JsonNode> eventData = object(data);
        Map<String, Arbitrary<JsonNode>> winlog = new LinkedHashMap<>();
        winlog.put("provider_name", field(text("Microsoft-Windows-WindowsUpdateClient"),
                text("Microsoft-Windows-WinREAgent"), text("Service Control Manager")));
        winlog.put("provider_guid", field(text("{945a8954-c147-4acd-923f-40c45405a658}"),
                text("{1F7A6C55-5532-573B-35B7-2107E43A6EF5}")));
        winlog.put("event_id", field(LongNode.valueOf(19), LongNode.valueOf(20), LongNode.valueOf(4501),
                LongNode.valueOf(4502), text("43"), text("44"), text("4500"), text("4504"), text("7036")));
        winlog.put("record_id", field(LongNode.valueOf(51243), text("51243")));
        winlog.put("computer_name", field(text("PC1.corp.example.com"), text("PC1")));
        winlog.put("time_created", field(text("2024-01-09T18:06:15.9086312Z")));
        winlog.put("channel", field(text("System"), text("Security")));
        winlog.put("event_data", Arbitraries.frequencyOf(Tuple.of(15, eventData), Tuple.of(1, field())));
        winlog.put("user_data", Arbitraries.frequencyOf(Tuple.of(15, eventData), Tuple.of(1, field())));
        Map<String, Arbitrary<JsonNode>> root = new LinkedHashMap<>();
        root.put("@timestamp", field(text("2024-01-09T18:06:15.908Z"), text("2024-01-09T19:06:15.908+01:00"),
                LongNode.valueOf(1704823575908L), text("/Date(1704823575908)/")));
        root.put("winlog", Arbitraries.frequencyOf(Tuple.of(9, object(winlog)), Tuple.of(1, field())));
        root.put("event", object(Map.of("code", field(LongNode.valueOf(20), text("4502")),
                "provider", field(text("Microsoft-Windows-WinREAgent")))));
        root.put("host", object(Map.of("hostname", field(text("PC1")), "name", field(text("pc1.corp.example.com")))));
        return Arbitraries.frequencyOf(Tuple.of(19, object(root)), Tuple.of(1, tree(3))).list().ofMinSize(1).ofMaxSize(5);
    }

    /** Mostly one of {@code typical}, sometimes a plausible value of another field, a wrong one, or any tree. */
    private static Arbitrary<JsonNode> field(JsonNode... typical) {
        List<Tuple.Tuple2<Integer, Arbitrary<? extends JsonNode>>> choices = new ArrayList<>();
        if (typical.length > 0) {
            choices.add(Tuple.of(30, Arbitraries.of(typical)));
        }
        choices.add(Tuple.of(1, Arbitraries.of(PLAUSIBLE)));
        choices.add(Tuple.of(1, Arbitraries.of(WRONG)));
        choices.add(Tuple.of(1, tree(1)));
        return Arbitraries.frequencyOf(choices.toArray(Tuple.Tuple2[]::new));
    }

    /** An object holding each of {@code fields} with probability 0.92. */
    private static Arbitrary<JsonNode> object(Map<String, Arbitrary<JsonNode>> fields) {
        List<String> names = List.copyOf(fields.keySet());
        List<Arbitrary<JsonNode>> values = names.stream().map(name -> fields.get(name).injectNull(0.08)).toList();
        return Combinators.combine(values).as(generated -> {
            ObjectNode node = NODES.objectNode();
            for (int i = 0; i < names.size(); i++) {
                if (generated.get(i) != null) {
                    node.set(names.get(i), generated.get(i));
                }
            }
            return node;
        });
    }

    /** Any JSON value, up to a depth past the parser's own limit, so nesting is exercised too. */
    @Provide
    Arbitrary<JsonNode> trees() {
        return Arbitraries.frequencyOf(Tuple.of(8, documents().map(list -> list.get(0))), Tuple.of(1, tree(4)),
                Tuple.of(1, Arbitraries.integers().between(1, 200).map(WinlogbeatParserPropertiesTest::deepUserData)));
    }

    private static JsonNode deepUserData(int depth) {
        ObjectNode leaf = NODES.objectNode().put("Version", "10.0.19041.3920");
        JsonNode node = leaf;
        for (int i = 0; i < depth; i++) {
            node = NODES.objectNode().set("n", node);
        }
        ObjectNode winlog = NODES.objectNode().put("provider_name", "Microsoft-Windows-WinREAgent").put("event_id", 4501)
                .put("computer_name", "PC1");
        winlog.set("user_data", node);
        ObjectNode root = NODES.objectNode().put("@timestamp", "2024-01-09T18:06:15.908Z");
        root.set("winlog", winlog);
        return root;
    }

    private static Arbitrary<JsonNode> tree(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(
                Arbitraries.of(PLAUSIBLE),
                Arbitraries.of(WRONG),
                Arbitraries.strings().ofMaxLength(12).map(TextNode::valueOf),
                Arbitraries.longs().map(LongNode::valueOf),
                Arbitraries.doubles().map(DoubleNode::valueOf));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> child = tree(depth - 1);
        Arbitrary<JsonNode> object = Combinators.combine(Arbitraries.of(KEYS), child).as(Map::entry).list().ofMaxSize(5)
                .map(entries -> {
                    ObjectNode node = NODES.objectNode();
                    entries.forEach(entry -> node.set(entry.getKey(), entry.getValue()));
                    return node;
                });
        Arbitrary<JsonNode> array = child.list().ofMaxSize(3).map(items -> {
            ArrayNode node = NODES.arrayNode();
            items.forEach(node::add);
            return node;
        });
        return Arbitraries.frequencyOf(Tuple.of(3, leaf), Tuple.of(4, object), Tuple.of(1, array));
    }

    /** A sample with 1 to 5 mutations: text damage, or a value replaced by one of the wrong type. */
    @Provide
    Arbitrary<String> mutatedSamples() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.integers().between(0, 6),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(1, 200),
                Arbitraries.of(WRONG),
                Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\n", "\\", "null", "\"event_id\":", "\uFEFF"))
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

    private record Mutation(int kind, double where, int length, JsonNode wrong, String fragment) {

        String apply(String text) {
            if (text.isEmpty()) {
                return fragment;
            }
            int at = Math.min(text.length() - 1, (int) (where * text.length()));
            int end = Math.min(text.length(), at + length);
            return switch (kind) {
                case 0 -> text.substring(0, at);
                case 1 -> text.substring(0, at) + text.substring(end);
                case 2 -> text.substring(0, end) + text.substring(at, end) + text.substring(end);
                case 3 -> {
                    char[] chars = text.toCharArray();
                    char t = chars[at];
                    chars[at] = chars[end - 1];
                    chars[end - 1] = t;
                    yield new String(chars);
                }
                case 4 -> text.substring(0, at) + fragment + text.substring(at);
                default -> replaceValue(text);
            };
        }

        /** Replaces one value of one line's document (chosen by {@code where}) with {@code wrong}, or drops it. */
        private String replaceValue(String text) {
            List<String> lines = new ArrayList<>(text.lines().toList());
            int index = Math.min(lines.size() - 1, (int) (where * lines.size()));
            JsonNode document;
            try {
                document = JsonItems.MAPPER.readTree(lines.get(index));
            } catch (JsonProcessingException e) {
                return text; // an earlier mutation broke this line already
            }
            List<Map.Entry<ContainerNode<?>, String>> slots = new ArrayList<>();
            collect(document, slots);
            if (slots.isEmpty()) {
                return text;
            }
            Map.Entry<ContainerNode<?>, String> slot = slots.get(length % slots.size());
            if (slot.getKey() instanceof ObjectNode object) {
                if (kind == 5) {
                    object.set(slot.getValue(), wrong.deepCopy());
                } else {
                    object.remove(slot.getValue());
                }
            } else if (slot.getKey() instanceof ArrayNode array) {
                array.set(Integer.parseInt(slot.getValue()), wrong.deepCopy());
            }
            lines.set(index, document.toString());
            return String.join("\n", lines) + "\n";
        }

        private static void collect(JsonNode node, List<Map.Entry<ContainerNode<?>, String>> slots) {
            if (node instanceof ObjectNode object) {
                for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    slots.add(Map.entry(object, name));
                    collect(object.get(name), slots);
                }
            } else if (node instanceof ArrayNode array) {
                for (int i = 0; i < array.size(); i++) {
                    slots.add(Map.entry(array, Integer.toString(i)));
                    collect(array.get(i), slots);
                }
            }
        }
    }
}
