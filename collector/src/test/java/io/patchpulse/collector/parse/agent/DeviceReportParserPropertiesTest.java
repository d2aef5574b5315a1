package io.patchpulse.collector.parse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.collector.parse.Samples;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.schemas.avro.WinreStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated and mutated input thrown at {@link DeviceReportParser} and its parts: nothing throws, every problem has a
 * line and a message (and, for well-formed JSON, names a JSON path), and no input yields more records than it could
 * hold. Tries per property are set so each runs in a few seconds.
 */
class DeviceReportParserPropertiesTest {

    private static final Instant RECEIVED = Instant.parse("2024-02-14T10:00:00Z");
    private static final DeviceIds IDS = DeviceIds.hmac(new byte[32]);
    private static final List<String> SAMPLES = List.of("en-win10-22h2-tpm-after-os.json",
            "de-win10-managebde-oem-recovery.json", "fr-win10-winre-disabled-mbr.json", "batch-compact.ndjson");
    private static final List<String> SAMPLE_TEXTS = SAMPLES.stream().map(DeviceReportParserPropertiesTest::text)
            .toList();

    /** Values of the wrong type or shape, put where a sample had a value. */
    private static final List<String> WRONG_VALUES = List.of("{}", "[]", "[[]]", "\"\"", "\"x\"", "true", "-1",
            "null", "1e999", "-9223372036854775809", "\"\\/Date(abc)\\/\"", "{\"value\": {}}", "[{\"Value\": {}}]",
            "\"\\u0000\"", "4294967296", "0.5", "\"2024-13-45T99:00:00Z\"", "[1, \"a\", null, {}]");
    /** The same as JSON trees (Jackson would write 1e999 back as Infinity, which is no JSON). */
    private static final List<String> TREE_VALUES = WRONG_VALUES.stream().map(v -> v.equals("1e999") ? "1e300" : v)
            .toList();
    private static final Pattern VALUE = Pattern.compile(":\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d[\\d.eE+-]*|true|false|null)");

    private static final List<String> KEYS = List.of("schema", "host", "collectedAt", "os", "caption", "version",
            "displayVersion", "ubr", "reagentc", "partitions", "DiskNumber", "PartitionNumber", "Type", "GptType",
            "MbrType", "Size", "Offset", "DriveLetter", "IsBoot", "recoveryVolume", "SizeRemaining", "bitlocker",
            "VolumeStatus", "ProtectionStatus", "EncryptionMethod", "KeyProtector", "KeyProtectorType", "MountPoint",
            "VolumeType", "manageBde", "winreVersion", "winrePatchScript", "rebootPending", "events", "Id",
            "ProviderName", "ProviderId", "RecordId", "TimeCreated", "Properties", "Value", "Message", "value", "Guid");
    private static final List<String> STRINGS = List.of("patchpulse.device-report/1", "LT-1", "", " ",
            "\\/Date(1707898351551)\\/", "\\/Date(-62135596800000)\\/", "2024-02-14T09:12:31+01:00", "10.0.19045",
            "10.0.19041.3920", "0.0.0.0", "Recovery", "Basic", "{de94bba4-06d1-4d40-a16a-bfd50179d6ac}",
            "{ebd0a0a2-b9e5-4433-87c0-68b6b72699c7}", "C", "\\u0000", "C:", "Tpm", "FullyEncrypted", "XtsAes128",
            "Microsoft-Windows-WindowsUpdateClient", "Microsoft-Windows-WinREAgent",
            "945a8954-c147-4acd-923f-40c45405a658", "0x80070643", "-2147023293", "KB5034441",
            "System.Diagnostics.Eventing.Reader.EventProperty",
            "Windows RE status: Enabled\\r\\nWindows RE location: \\\\\\\\?\\\\GLOBALROOT\\\\device\\\\harddisk0"
                    + "\\\\partition4\\\\Recovery\\\\WindowsRE\\r\\nBCD: 5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2",
            "REAGENTC.EXE: Operation failed: 2",
            "Volume C: [W]\\n    Percentage Encrypted: 100%\\n    Encryption Method: XTS-AES 128\\n"
                    + "    Protection Status: Protection On\\n    Key Protectors:\\n        TPM");

    private final DeviceReportParser parser = new DeviceReportParser();

    private static String text(String name) {
        return Samples.text("device-report/" + name);
    }

    private ParseResult parse(byte[] bytes) {
        try {
            return parser.parse(new ByteArrayInputStream(bytes), new ParseContext(IDS, RECEIVED, "property"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What must hold for any input. */
    private static void assertSane(ParseResult result, String input) {
        long lines = input.lines().count() + 1;
        assertThat(result.problems()).allSatisfy(problem -> {
            assertThat(problem.line()).isBetween(0L, lines);
            assertThat(problem.message()).isNotBlank();
        });
        assertThat(result.records()).allSatisfy(line -> assertThat(line.line()).isBetween(1L, lines));
        long inventories = result.collected().stream().filter(CollectedRecord.Inventory.class::isInstance).count();
        assertThat(inventories).isEqualTo(result.accepted());
        long objects = input.chars().filter(c -> c == '{').count();
        assertThat((long) result.records().size()).isLessThanOrEqualTo(objects);
    }

    /** For input that is valid JSON: every rejection names a JSON path (no unexpected exception in the parser). */
    private static void assertEveryProblemNamesAPath(ParseResult result) {
        assertThat(result.problems()).allSatisfy(problem -> assertThat(problem.field()).as(problem.toString())
                .isNotNull().startsWith("$"));
    }

    // ---------------------------------------------------------------- (a) arbitrary input

    @Property(tries = 5000)
    void shouldSurviveArbitraryText(@ForAll @StringLength(max = 400) String text) {
        assertSane(parse(text.getBytes(StandardCharsets.UTF_8)), text);
    }

    @Property(tries = 2000)
    void shouldSurviveArbitraryBytes(@ForAll @Size(max = 400) byte[] bytes) {
        ParseResult result = parse(bytes);
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.message()).isNotBlank());
        assertThat(result.records().size()).isLessThanOrEqualTo(bytes.length);
    }

    @Property(tries = 2500, edgeCases = EdgeCasesMode.NONE)
    void shouldNameAPathForEveryProblemInGeneratedReports(@ForAll("reports") String ndjson) {
        ParseResult result = parse(ndjson.getBytes(StandardCharsets.UTF_8));
        Statistics.label("items").collect(result.accepted() > 0 ? "some accepted" : "all rejected");
        Statistics.label("events").collect(result.collected().stream().anyMatch(CollectedRecord.Event.class::isInstance)
                ? "with events" : "without events");

        assertSane(result, ndjson);
        assertEveryProblemNamesAPath(result);
        assertThat(result.accepted() + result.rejected()).isEqualTo(ndjson.lines().count());
        for (ParseResult.Line line : result.records()) {
            if (line.record() instanceof CollectedRecord.Event event) {
                assertThat(event.event().getEventId()).matches("w-[0-9a-f]{32}");
            }
        }
    }

    @Property(tries = 4000)
    void shouldNeverThrowReadingRawCommandOutput(@ForAll("commandOutput") String text) {
        ReagentcInfo reagentc = ReagentcInfo.parse(text);
        assertThat(reagentc.status()).isNotNull();
        assertThat(reagentc.hasLocation()).isEqualTo(reagentc.location() != null);
        if (reagentc.status() == WinreStatus.UNKNOWN && reagentc.location() == null) {
            assertThat(reagentc.disk()).isNull();
        }
        BitLockerReading bitlocker = ManageBdeStatus.parse(text, 'C');
        assertThat(bitlocker.protection()).isNotNull();
        assertThat(bitlocker.protectorClass()).isNotNull();
    }

    // ---------------------------------------------------------------- (b) mutations of the samples

    record Mutation(int kind, double at, int length, String value) {
    }

    @Property(tries = 3000)
    void shouldSurviveMutatedSamples(@ForAll @IntRange(min = 0, max = 3) int sample,
                                     @ForAll("mutations") List<Mutation> mutations) {
        String text = SAMPLE_TEXTS.get(sample);
        for (Mutation mutation : mutations) {
            text = apply(text, mutation);
        }
        ParseResult result = parse(text.getBytes(StandardCharsets.UTF_8));

        assertSane(result, text);
        // A problem with no field is a syntax error found by JsonItems, never an exception escaping the parser.
        assertThat(result.problems()).filteredOn(p -> p.field() == null)
                .allSatisfy(p -> assertThat(p.message()).startsWith("not valid JSON"));
    }

    @Property(tries = 3000)
    void shouldNameAPathWhenASampleValueHasTheWrongType(@ForAll @IntRange(min = 0, max = 3) int sample,
                                                        @ForAll("wrongValues") List<Mutation> mutations) {
        List<String> items = new ArrayList<>();
        for (String item : SAMPLE_TEXTS.get(sample).split("\r?\n(?=\\{)")) {
            JsonNode tree = tree(item);
            for (Mutation mutation : mutations) {
                tree = replaceValue(tree, mutation);
            }
            items.add(tree.toString());
        }
        String text = String.join("\n", items);
        ParseResult result = parse(text.getBytes(StandardCharsets.UTF_8));

        assertSane(result, text);
        assertEveryProblemNamesAPath(result);
        assertThat(result.accepted() + result.rejected()).isEqualTo(items.size());
    }

    private static JsonNode tree(String json) {
        try {
            return JsonItems.MAPPER.readTree(json.startsWith("\uFEFF") ? json.substring(1) : json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces one value of the tree (chosen by {@code mutation.at()}) by {@code mutation.value()}. */
    private static JsonNode replaceValue(JsonNode root, Mutation mutation) {
        List<JsonNode> containers = new ArrayList<>();
        List<Object> keys = new ArrayList<>();
        collect(root, containers, keys);
        if (containers.isEmpty()) {
            return tree(mutation.value());
        }
        int index = (int) (mutation.at() * (containers.size() - 1));
        JsonNode container = containers.get(index);
        Object key = keys.get(index);
        if (container instanceof ObjectNode object) {
            object.set((String) key, tree(mutation.value()));
        } else {
            ((ArrayNode) container).set((Integer) key, tree(mutation.value()));
        }
        return root;
    }

    private static void collect(JsonNode node, List<JsonNode> containers, List<Object> keys) {
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(name -> {
                containers.add(node);
                keys.add(name);
                collect(node.get(name), containers, keys);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                containers.add(node);
                keys.add(i);
                collect(node.get(i), containers, keys);
            }
        }
    }

    private static String apply(String text, Mutation mutation) {
        if (text.isEmpty()) {
            return text;
        }
        int at = (int) (mutation.at() * (text.length() - 1));
        int end = Math.min(text.length(), at + mutation.length());
        return switch (mutation.kind()) {
            case 0 -> text.substring(0, at); // truncate
            case 1 -> text.substring(0, at) + text.substring(end); // delete
            case 2 -> text.substring(0, end) + text.substring(at, end) + text.substring(end); // duplicate
            case 3 -> { // swap two characters
                char[] chars = text.toCharArray();
                int other = end - 1;
                char c = chars[at];
                chars[at] = chars[other];
                chars[other] = c;
                yield new String(chars);
            }
            case 4 -> text.substring(0, at) + mutation.value() + text.substring(at); // insert
            default -> replaceValue(text, mutation);
        };
    }

    /** Replaces the n-th JSON scalar value after a colon by {@code mutation.value()}. */
    private static String replaceValue(String text, Mutation mutation) {
        List<int[]> spans = new ArrayList<>();
        Matcher matcher = VALUE.matcher(text);
        while (matcher.find()) {
            spans.add(new int[] {matcher.start(1), matcher.end(1)});
        }
        if (spans.isEmpty()) {
            return text;
        }
        int[] span = spans.get((int) (mutation.at() * (spans.size() - 1)));
        return text.substring(0, span[0]) + mutation.value() + text.substring(span[1]);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.doubles().between(0, 1),
                        Arbitraries.integers().between(1, 60), Arbitraries.of(WRONG_VALUES))
                .as(Mutation::new).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Mutation>> wrongValues() {
        return Combinators.combine(Arbitraries.just(5), Arbitraries.doubles().between(0, 1),
                        Arbitraries.just(1), Arbitraries.of(TREE_VALUES))
                .as(Mutation::new).list().ofMinSize(1).ofMaxSize(3);
    }

    // ---------------------------------------------------------------- (c) generated report-shaped JSON

    @Provide
    Arbitrary<String> reports() {
        return report().list().ofMinSize(1).ofMaxSize(4).map(list -> String.join("\n", list));
    }

    private Arbitrary<String> report() {
        Arbitrary<String> schema = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.just("\"schema\": \"patchpulse.device-report/1\"")),
                net.jqwik.api.Tuple.of(1, json(1).map(v -> "\"schema\": " + v)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just("\"x\": 1")));
        Arbitrary<String> host = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.of("LT-1", "nb-2.corp.example", "10.1.2.3")
                        .map(h -> "\"host\": \"" + h + "\"")),
                net.jqwik.api.Tuple.of(1, json(1).map(v -> "\"host\": " + v)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just("\"y\": 2")));
        Arbitrary<String> time = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.of("\"2024-02-14T09:12:31.5512345+01:00\"",
                        "\"\\/Date(1707898351551)\\/\"", "{\"value\": \"\\/Date(1707898351551)\\/\", \"DisplayHint\": 2}",
                        "1707898351551").map(t -> "\"collectedAt\": " + t)),
                net.jqwik.api.Tuple.of(1, json(1).map(v -> "\"collectedAt\": " + v)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just("\"z\": 3")));
        Arbitrary<String> optional = Arbitraries.oneOf(
                orRandom("os", os()), orRandom("reagentc", Arbitraries.of(STRINGS).map(v -> "\"" + v + "\"")),
                orRandom("partitions", partition().list().ofMaxSize(5).map(DeviceReportParserPropertiesTest::array)),
                orRandom("recoveryVolume", Combinators.combine(size(), size())
                        .as((a, b) -> "{\"Size\": " + a + ", \"SizeRemaining\": " + b + "}")),
                orRandom("bitlocker", bitlocker()), orRandom("manageBde", json(0)),
                orRandom("winreVersion", Arbitraries.of("\"10.0.19041.3920\"", "\"0.0.0.0\"", "\"\"", "null")),
                orRandom("winrePatchScript", Arbitraries.of("1", "0", "\"1\"", "true", "null", "\"\"")),
                orRandom("rebootPending", Arbitraries.of("true", "false", "null")),
                orRandom("events", Arbitraries.oneOf(event(), event().list().ofMaxSize(4)
                        .map(DeviceReportParserPropertiesTest::array))),
                orRandom("events", event().list().ofMinSize(1).ofMaxSize(6).map(DeviceReportParserPropertiesTest::array)),
                Arbitraries.just("\"eventsXml\": null"));
        return Combinators.combine(schema, host, time, optional.list().ofMaxSize(6))
                .as((s, h, t, rest) -> {
                    List<String> members = new ArrayList<>(List.of(s, h, t));
                    members.addAll(rest);
                    return "{" + String.join(", ", members) + "}";
                });
    }

    /** {@code "key": value}, where value is mostly {@code plausible} and sometimes random JSON. */
    private Arbitrary<String> orRandom(String key, Arbitrary<String> plausible) {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(12, plausible), net.jqwik.api.Tuple.of(1, json(2)))
                .map(value -> "\"" + key + "\": " + value);
    }

    private static String array(List<String> items) {
        return "[" + String.join(", ", items) + "]";
    }

    private Arbitrary<String> size() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(0, 2_000_000_000L)
                .map(String::valueOf)), net.jqwik.api.Tuple.of(1, json(0)));
    }

    private Arbitrary<String> os() {
        return Combinators.combine(Arbitraries.of("\"Microsoft Windows 10 Pro\"", "null", "7"),
                        Arbitraries.of("\"10.0.19045\"", "\"10.0.22631.3155\"", "\"10\"", "\"10.0.99999999999\"",
                                "null"),
                        Arbitraries.of("\"22H2\"", "null", "\"\""),
                        Arbitraries.of("4046", "\"4046\"", "-1", "null", "99999999999"))
                .as((c, v, d, u) -> "{\"caption\": " + c + ", \"version\": " + v + ", \"displayVersion\": " + d
                        + ", \"ubr\": " + u + "}");
    }

    private Arbitrary<String> partition() {
        return Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.integers().between(1, 5),
                        Arbitraries.of("\"Recovery\"", "\"Basic\"", "\"System\"", "12", "null"),
                        Arbitraries.of("\"{de94bba4-06d1-4d40-a16a-bfd50179d6ac}\"",
                                "\"{ebd0a0a2-b9e5-4433-87c0-68b6b72699c7}\"", "\"\"", "null"),
                        Arbitraries.of("39", "7", "null"), size(), size(),
                        Arbitraries.of("\"C\"", "\"\\u0000\"", "67", "null", "\"\""))
                .as((disk, number, type, gpt, mbr, size, offset, letter) -> "{\"DiskNumber\": " + disk
                        + ", \"PartitionNumber\": " + number + ", \"Type\": " + type + ", \"GptType\": " + gpt
                        + ", \"MbrType\": " + mbr + ", \"Size\": " + size + ", \"Offset\": " + offset
                        + ", \"DriveLetter\": " + letter + "}");
    }

    private Arbitrary<String> bitlocker() {
        Arbitrary<String> protector = Arbitraries.oneOf(Arbitraries.integers().between(-1, 11).map(String::valueOf),
                        Arbitraries.of("\"Tpm\"", "\"TpmPin\"", "\"RecoveryPassword\"", "\"x\"", "null"))
                .map(type -> "{\"KeyProtectorType\": " + type + "}");
        return Combinators.combine(Arbitraries.integers().between(-1, 7), Arbitraries.integers().between(-1, 3),
                        Arbitraries.integers().between(-1, 9), Arbitraries.of("\"C:\"", "\"D:\"", "null"),
                        protector.list().ofMaxSize(3))
                .as((status, protection, method, mount, protectors) -> "{\"VolumeStatus\": " + status
                        + ", \"ProtectionStatus\": " + protection + ", \"EncryptionMethod\": " + method
                        + ", \"MountPoint\": " + mount + ", \"KeyProtector\": " + array(protectors) + "}");
    }

    private Arbitrary<String> event() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of(STRINGS).map(v -> "\"" + v + "\""),
                Arbitraries.of("2", "-2146498520", "2147944003", "null", "{}", "\"two\""));
        return Combinators.combine(Arbitraries.of("19", "20", "43", "44", "4500", "4501", "4502", "4503", "4504",
                                "7036", "\"20\"", "null"),
                        Arbitraries.of("\"Microsoft-Windows-WindowsUpdateClient\"", "\"Microsoft-Windows-WinREAgent\"",
                                "\"Service Control Manager\"", "null"),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(1_600_000_000_000L,
                                        1_707_900_000_000L)),
                                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-1_000_000_000_000L,
                                        4_000_000_000_000L)))
                                .map(ms -> "\"\\/Date(" + ms + ")\\/\""),
                        Arbitraries.longs().between(0, 3).map(String::valueOf),
                        value.map(v -> "{\"Value\": " + v + "}").list().ofMaxSize(5),
                        Arbitraries.of("\"Installation Failure: error 0x80070643: Update (KB5034441).\"", "null"))
                .as((id, provider, time, record, properties, message) -> "{\"Id\": " + id + ", \"ProviderName\": "
                        + provider + ", \"TimeCreated\": " + time + ", \"RecordId\": " + record
                        + ", \"Properties\": " + array(properties) + ", \"Message\": " + message + "}");
    }

    /** Random JSON, biased towards the names and values device reports use, nested up to {@code depth}. */
    private Arbitrary<String> json(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.of(STRINGS).map(s -> "\"" + s + "\""),
                Arbitraries.strings().ofMaxLength(12).map(DeviceReportParserPropertiesTest::quote),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.integers().between(-2, 12).map(String::valueOf),
                Arbitraries.doubles().map(d -> d.isNaN() || d.isInfinite() ? "0.5" : String.valueOf(d)),
                Arbitraries.of("true", "false", "null"));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> array = json(depth - 1).list().ofMaxSize(4).map(list -> "[" + String.join(", ", list) + "]");
        Arbitrary<String> object = Combinators.combine(Arbitraries.of(KEYS), json(depth - 1))
                .as((k, v) -> "\"" + k + "\": " + v)
                .list().ofMaxSize(6).map(list -> "{" + String.join(", ", list) + "}");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, scalar), net.jqwik.api.Tuple.of(2, array),
                net.jqwik.api.Tuple.of(3, object));
    }

    @Provide
    Arbitrary<String> commandOutput() {
        Arbitrary<String> line = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.of("    Windows RE status:         Enabled", "    Windows RE status: Disabled",
                        "    Windows RE location:       \\\\?\\GLOBALROOT\\device\\harddisk0\\partition4\\Recovery",
                        "    Windows RE location:       \\\\?\\GLOBALROOT\\device\\harddisk99999\\partition",
                        "    Boot Configuration Data (BCD) identifier: 00000000-0000-0000-0000-000000000000",
                        "    BCD: {5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2}", "REAGENTC.EXE: Operation Successful.",
                        "REAGENTC.EXE: Operation failed: 2", "Volume C: [Windows]", "Volume \"D:\" []",
                        "    Percentage Encrypted: 100.0%", "    Verschlüsselt (Prozent): 45,5 %",
                        "    Encryption Method:    XTS-AES 999", "    Protection Status: Protection On",
                        "    Key Protectors:", "        TPM And PIN", "        Numerical Password", ":", "   :   ",
                        "%", "    x: 100%", "\t", ""));
        return line.list().ofMaxSize(20).map(lines -> String.join(lines.size() % 2 == 0 ? "\r\n" : "\n", lines));
    }

    private static String quote(String raw) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : raw.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

}
