package io.patchpulse.collector.parse.osquery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.TextInput;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.values.ErrorCode;
import io.patchpulse.schemas.values.KbId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated and mutated input for {@link OsqueryParser}: whatever arrives, the parser returns, every problem names a
 * line of the input and says something, and no more records come out than the input has objects. 3,500 inputs per run
 * (1,000 arbitrary strings, 500 arbitrary byte arrays, 1,000 generated result logs, 1,000 mutated samples).
 */
class OsqueryParserPropertiesTest {

    private static final ParseContext CONTEXT =
            new ParseContext(DeviceIds.hmac(new byte[32]), Instant.parse("2024-03-01T12:00:00Z"), "property");
    private static final List<String> SAMPLES = List.of("event-format.results.log", "snapshot.results.log",
            "batched.results.log", "legacy-2x.results.log", "problems.results.log");
    private static final List<String> SAMPLE_TEXTS = SAMPLES.stream().map(OsqueryParserPropertiesTest::read).toList();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OsqueryParser parser = new OsqueryParser();

    @Property(tries = 1000)
    void arbitraryTextNeverBreaksTheParser(@ForAll String text) {
        check(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void arbitraryBytesNeverBreakTheParser(@ForAll @Size(max = 4000) byte[] bytes) {
        check(bytes);
    }

    @Property(tries = 1000)
    void generatedResultLogsNeverBreakTheParser(@ForAll("resultLogs") String log) {
        cover(check(log.getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = 1000)
    void mutatedSamplesNeverBreakTheParser(@ForAll("mutatedSamples") String text) {
        cover(check(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Shows in the report how many inputs reached records, problems and skips, so the generators are seen to work. */
    private static void cover(ParseResult result) {
        Statistics.label("records").collect(result.records().isEmpty() ? "none" : "some");
        Statistics.label("problems").collect(result.problems().isEmpty() ? "none" : "some");
        Statistics.label("skipped").collect(result.skipped() == 0 ? "none" : "some");
    }

    // ---- the invariants -----------------------------------------------------------------------------------------

    private ParseResult check(byte[] input) {
        ParseResult result;
        try {
            result = parser.parse(new ByteArrayInputStream(input), CONTEXT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = TextInput.decode(input);
        long lines = text.chars().filter(c -> c == '\n').count() + 1;
        long objects = text.chars().filter(c -> c == '{').count();

        assertThat(result.problems()).allSatisfy(problem -> {
            assertThat(problem.line()).isBetween(1L, lines);
            assertThat(problem.message()).isNotBlank();
            // A deliberate rejection, not an exception caught by the safety net around each row.
            assertThat(problem.message()).doesNotStartWith("could not be read (");
        });
        assertThat((long) result.records().size()).isLessThanOrEqualTo(objects);
        assertThat(result.records()).allSatisfy(line -> assertThat(line.line()).isBetween(1L, lines));
        assertThat(result.collected()).allSatisfy(record -> {
            assertThat(record.deviceId()).startsWith("d-"); // never a raw host name
            if (record instanceof CollectedRecord.Event event) {
                InstallEvent e = event.event();
                assertThat(e.getErrorCode() == null || ErrorCode.isCanonical(e.getErrorCode())).isTrue();
                assertThat(e.getKb() == null || KbId.isCanonical(e.getKb())).isTrue();
                assertThat(e.getEventId()).isNotBlank();
            }
        });
        return result;
    }

    // ---- generated result logs ----------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> resultLogs() {
        return Arbitraries.randomValue(random -> {
            // Per log a fault rate: clean logs reach the records, hostile ones every rejection path.
            Generator generator = new Generator(random, pick(random, 0.0, 0.03, 0.15, 0.5));
            List<String> lines = new ArrayList<>();
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                JsonNode line = generator.resultLine();
                lines.add(random.nextInt(10) == 0 ? line.toPrettyString() : line.toString());
            }
            String log = String.join(random.nextBoolean() ? "\n" : "\r\n", lines);
            return random.nextInt(12) == 0 ? "[" + String.join(",", lines) + "]" : log;
        });
    }

    private static final List<String> HISTORY = List.of("client_app_id", "date", "description", "hresult", "operation",
            "result_code", "server_selection", "service_id", "support_url", "title", "update_id", "update_revision");
    private static final List<String> BITLOCKER = List.of("device_id", "drive_letter", "persistent_volume_id",
            "conversion_status", "protection_status", "encryption_method", "version", "percentage_encrypted",
            "lock_status", "protector_types");
    private static final List<String> EVENTLOG = List.of("channel", "source", "datetime", "eventid", "provider_name",
            "provider_guid", "computer_name", "data", "task", "level", "keywords", "time");

    /** Builds osquery-shaped result lines in which each value is wrong (missing, mistyped, absurd) at rate faults. */
    private record Generator(Random random, double faults) {

        boolean fault() {
            return random.nextDouble() < faults;
        }

        /** {@code good} normally, a fault otherwise: absent (null) or a value of any type. */
        JsonNode value(JsonNode good) {
            if (!fault()) {
                return good;
            }
            return random.nextInt(3) == 0 ? null : anyValue(random);
        }

        void put(ObjectNode node, String field, JsonNode good) {
            JsonNode value = value(good);
            if (value != null) {
                node.set(field, value);
            }
        }

        JsonNode resultLine() {
            ObjectNode line = JSON.objectNode();
            put(line, "name", pick(random, JSON.textNode("pack_patchpulse_windows_update_history"),
                    JSON.textNode("pack_patchpulse_bitlocker_info"), JSON.textNode("windows_events"),
                    JSON.textNode("processes"), JSON.textNode(randomText(random))));
            put(line, "hostIdentifier", fault() ? pick(random, JSON.textNode(""), JSON.textNode("   "),
                    JSON.textNode("x".repeat(300)), JSON.textNode(randomText(random)))
                    : pick(random, JSON.textNode("DESKTOP-7K2Q9LM"),
                            JSON.textNode("4C4C4544-0052-3410-8058-B8C04F4E3332")));
            put(line, "calendarTime", fault() ? pick(random, JSON.textNode("Mon Feb 30 25:61:61 2024 UTC"),
                    JSON.textNode(randomText(random))) : JSON.textNode("Tue Jan  9 18:04:11 2024 UTC"));
            put(line, "unixTime", fault() ? pick(random, JSON.numberNode(-5L), JSON.numberNode(0),
                    JSON.numberNode(Long.MAX_VALUE), JSON.textNode("99999999999999999999999"), JSON.numberNode(1.5),
                    JSON.numberNode(4_102_444_800L)) : number(1704877200L, random.nextBoolean()));
            put(line, "numerics", JSON.booleanNode(random.nextBoolean()));
            switch (random.nextInt(4)) {
                case 0 -> {
                    put(line, "columns", row());
                    put(line, "action", fault() ? JSON.textNode(randomText(random))
                            : JSON.textNode(pick(random, "added", "added", "removed", "snapshot")));
                }
                case 1 -> {
                    put(line, "snapshot", rows());
                    line.put("action", "snapshot");
                }
                case 2 -> {
                    ObjectNode diff = JSON.objectNode();
                    put(diff, "added", rows());
                    put(diff, "removed", rows());
                    put(line, "diffResults", diff);
                }
                default -> {
                    if (random.nextBoolean()) {
                        line.put("severity", "0");
                        line.put("message", randomText(random));
                    }
                }
            }
            return line;
        }

        ArrayNode rows() {
            ArrayNode rows = JSON.arrayNode();
            int count = random.nextInt(5);
            for (int i = 0; i < count; i++) {
                JsonNode row = value(row());
                rows.add(row == null ? JSON.nullNode() : row);
            }
            return rows;
        }

        ObjectNode row() {
            List<String> columns = pick(random, HISTORY, HISTORY, BITLOCKER, EVENTLOG, EVENTLOG,
                    List.of("pid", "name", "path"));
            ObjectNode row = JSON.objectNode();
            for (String column : columns) {
                put(row, column, goodValue(column));
            }
            return row;
        }

        /** A value of {@code column} osquery could write, as a string or (numerics) a number. */
        JsonNode goodValue(String column) {
            boolean numerics = random.nextBoolean();
            return switch (column) {
                case "date" -> number(1704823451L + random.nextInt(5_000_000), numerics);
                case "hresult" -> number(pick(random, 0L, -2147023293L, -2146498520L, 2147944003L), numerics);
                case "update_revision", "version", "lock_status", "task", "level" ->
                        number(random.nextInt(300), numerics);
                case "operation" -> JSON.textNode(pick(random, "Installation", "Installation", "Uninstallation", ""));
                case "result_code" -> pick(random, JSON.textNode("Failed"), JSON.textNode("Succeeded"),
                        JSON.textNode("SucceededWithErrors"), JSON.textNode("Aborted"), JSON.textNode("InProgress"),
                        JSON.numberNode(random.nextInt(6)));
                case "title" -> JSON.textNode(pick(random,
                        "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)",
                        "2024-01 Sicherheitsupdate f\\xC3\\xBCr Windows 10 (KB5034441)",
                        "2024-01 Sicherheitsupdate für Windows 10 (KB5034441)", "f\\xC3", "KB12345678"));
                case "update_id" -> JSON.textNode(pick(random, "8ac1c1d4-7f6e-4b9e-9c43-2a3f0f3b5d11",
                        "{8AC1C1D4-7F6E-4B9E-9C43-2A3F0F3B5D11}", ""));
                case "drive_letter" -> JSON.textNode(pick(random, "C:", "C:", "c:", "D:", "", "C:\\"));
                case "conversion_status", "protection_status" -> number(random.nextInt(8) - 1, numerics);
                case "encryption_method" -> JSON.textNode(pick(random, "XTS_AES_128", "None", "UNKNOWN", "6", "Weird"));
                case "protector_types" -> JSON.textNode(pick(random, "TPM", "TPM_AND_PIN,NUMERIC_PASSWORD", "", ",,"));
                case "datetime" -> JSON.textNode(pick(random, "2024-01-09T18:04:11.421875000Z",
                        "2024-02-13T19:40:02.640625000Z", "2024-01-09 18:04:11", "2031-01-01T00:00:00Z",
                        "1999-12-31T23:59:59Z"));
                case "eventid" -> number(pick(random, 19, 20, 43, 44, 4500, 4501, 4502, 7036, -1, 70000), numerics);
                case "provider_name" -> JSON.textNode(pick(random, "Microsoft-Windows-WindowsUpdateClient",
                        "Microsoft-Windows-WinREAgent", "Service Control Manager", ""));
                case "provider_guid" -> JSON.textNode(pick(random, "{945A8954-C147-4ACD-923F-40C45405A658}",
                        "{1F7A6C55-5532-573B-35B7-2107E43A6EF5}", ""));
                case "data" -> JSON.textNode(eventData());
                default -> JSON.textNode(randomText(random));
            };
        }

        String eventData() {
            ObjectNode values = JSON.objectNode();
            for (String name : List.of("errorCode", "updateTitle", "updateGuid", "ErrorPhase", "Errorcode",
                    "Version")) {
                if (random.nextBoolean()) {
                    put(values, name, JSON.textNode(pick(random, "0x80070643", "-2146498520", "2", "zwei",
                            "10.0.19041.3920", "10.0.x", "f\\xC3\\xBCr (KB5034441)", "\\x80\\x0A")));
                }
            }
            ObjectNode data = JSON.objectNode();
            JsonNode payload = value(pick(random, values, values, JSON.arrayNode().add("2").add("-2146498520"),
                    JSON.textNode("")));
            data.set(pick(random, "EventData", "EventData", "UserData", "Other"), payload == null ? values : payload);
            String json = data.toString().replace("\\\\x", "\\x"); // osquery before 5.22: raw \xHH inside the JSON
            return fault() ? json.substring(0, random.nextInt(json.length() + 1)) : json;
        }
    }

    private static JsonNode number(long value, boolean numerics) {
        return numerics ? JSON.numberNode(value) : JSON.textNode(Long.toString(value));
    }

    /** A value of any JSON type, including the awkward ones. */
    private static JsonNode anyValue(Random random) {
        return switch (random.nextInt(11)) {
            case 0 -> JSON.nullNode();
            case 1 -> JSON.booleanNode(random.nextBoolean());
            case 2 -> JSON.numberNode(random.nextLong());
            case 3 -> JSON.numberNode(random.nextDouble() * 1e12);
            case 4 -> JSON.textNode("99999999999999999999999999");
            case 5 -> JSON.objectNode().put("a", randomText(random));
            case 6 -> JSON.arrayNode().add(1).add("two");
            case 7 -> JSON.textNode("");
            case 8 -> JSON.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            default -> JSON.textNode(randomText(random));
        };
    }

    // ---- mutated samples ----------------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> mutatedSamples() {
        return Arbitraries.randomValue(random -> {
            StringBuilder text = new StringBuilder(SAMPLE_TEXTS.get(random.nextInt(SAMPLE_TEXTS.size())));
            int mutations = 1 + random.nextInt(8);
            for (int i = 0; i < mutations && text.length() > 0; i++) {
                mutate(text, random);
            }
            return text.toString();
        });
    }

    private static final List<String> WRONG_VALUES = List.of("{}", "[]", "null", "true", "\"x\"", "-1", "1e309",
            "99999999999999999999999", "\"\\\\xC3\"", "\"\"", "[{\"a\":1}]", "\"-2147023293\"", "0.5");

    private static void mutate(StringBuilder text, Random random) {
        int at = random.nextInt(text.length());
        switch (random.nextInt(9)) {
            case 0 -> text.setLength(at); // cut short, as a shipper does
            case 1 -> text.deleteCharAt(at);
            case 2 -> {
                int end = Math.min(text.length(), at + 1 + random.nextInt(40));
                text.insert(at, text.substring(at, end));
            }
            case 3 -> {
                if (at + 1 < text.length()) {
                    char c = text.charAt(at);
                    text.setCharAt(at, text.charAt(at + 1));
                    text.setCharAt(at + 1, c);
                }
            }
            case 4 -> text.insert(at, pick(random, "{", "}", "[", "]", "\"", ",", ":", "\\", "\\x", "\n", "\u0000",
                    "\uFFFF", "\uD800", "ü"));
            case 5 -> replaceValue(text, random);
            case 6 -> {
                List<String> lines = new ArrayList<>(Arrays.asList(text.toString().split("\n", -1)));
                int a = random.nextInt(lines.size());
                int b = random.nextInt(lines.size());
                String line = lines.get(a);
                lines.set(a, lines.get(b));
                lines.set(b, line);
                text.setLength(0);
                text.append(String.join("\n", lines));
            }
            case 7 -> {
                List<String> lines = new ArrayList<>(Arrays.asList(text.toString().split("\n", -1)));
                int a = random.nextInt(lines.size());
                lines.add(a, lines.get(a));
                text.setLength(0);
                text.append(String.join("\n", lines));
            }
            default -> text.setCharAt(at, (char) (random.nextInt(0x250)));
        }
    }

    /** Replaces the value after a random {@code "key":} by a value of a wrong type. */
    private static void replaceValue(StringBuilder text, Random random) {
        int key = text.indexOf("\":", random.nextInt(text.length()));
        if (key < 0) {
            return;
        }
        int start = key + 2;
        int end = start;
        if (end < text.length() && text.charAt(end) == '"') {
            end++;
            while (end < text.length() && text.charAt(end) != '"') {
                end += text.charAt(end) == '\\' ? 2 : 1;
            }
            end = Math.min(end + 1, text.length());
        } else {
            while (end < text.length() && ",}]\n".indexOf(text.charAt(end)) < 0) {
                end++;
            }
        }
        text.replace(start, end, pick(random, WRONG_VALUES.toArray(String[]::new)));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    @SafeVarargs
    private static <T> T pick(Random random, T... values) {
        return values[random.nextInt(values.length)];
    }

    private static String randomText(Random random) {
        int length = random.nextInt(12);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append((char) (random.nextBoolean() ? 0x20 + random.nextInt(0x5F) : random.nextInt(0x3000)));
        }
        return text.toString();
    }

    private static String read(String name) {
        try (InputStream in = OsqueryParserTest.sample(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static {
        // Fails here, not in every try, if a sample is not the JSON it claims to be (problems.results.log aside).
        SAMPLE_TEXTS.subList(0, 4).forEach(text -> text.lines().forEach(line -> {
            try {
                MAPPER.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }
}
