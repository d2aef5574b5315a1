package io.patchpulse.collector.parse.wufb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.TextInput;
import io.patchpulse.schemas.avro.InstallEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated and mutated input thrown at {@link WufbParser}: it never throws, every problem has a line and a message,
 * it never yields more records than the input has rows, event ids are unique within an input, and the same snapshot
 * exported by another route or on another day yields the same events.
 */
class WufbParserPropertiesTest {

    private static final ParseContext CONTEXT = new ParseContext(DeviceIds.hmac(new byte[32]),
            WufbParserTest.RECEIVED, "property");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SAMPLES = List.of("ucclientupdatestatus-portal.csv", "ucupdatealert-portal.csv",
            "ucupdatealert-kusto.csv", "ucclientupdatestatus-az.json", "ucupdatealert-api-response.json",
            "ucclientupdatestatus-2024-02-14.csv", "ucclientupdatestatus-2024-02-15.csv");
    private static final Map<String, String> SAMPLE_TEXT = SAMPLES.stream()
            .collect(Collectors.toMap(Function.identity(), WufbParserTest::sampleText));

    private final WufbParser parser = new WufbParser();

    // --- (a) arbitrary input ------------------------------------------------------------------------------------

    @Property(tries = 1000)
    void shouldHoldTheContractForAnyText(@ForAll String text) {
        check(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void shouldHoldTheContractForAnyBytes(@ForAll @Size(max = 400) byte[] bytes) {
        check(bytes);
    }

    @Property(tries = 1000)
    void shouldHoldTheContractForGeneratedCsv(@ForAll("csvExports") String csv) {
        check(csv.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 800)
    void shouldHoldTheContractForGeneratedJsonRows(@ForAll("jsonRows") String json) {
        check(json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void shouldHoldTheContractForGeneratedQueryResponses(@ForAll("queryResponses") String json) {
        check(json.getBytes(StandardCharsets.UTF_8));
    }

    // --- (b) mutated samples ------------------------------------------------------------------------------------

    @Property(tries = 2000)
    void shouldHoldTheContractForMutatedSamples(@ForAll("mutatedSamples") String text) {
        check(text.getBytes(StandardCharsets.UTF_8));
    }

    // --- dedupe -------------------------------------------------------------------------------------------------

    @Property(tries = 300)
    void shouldYieldTheSameEventsForASnapshotReadAgainByAnyRoute(@ForAll("snapshots") List<Map<String, Object>> rows,
                                                                 @ForAll("routes") Route first,
                                                                 @ForAll("routes") Route second,
                                                                 @ForAll long shuffleSeed) {
        List<Map<String, Object>> reordered = new ArrayList<>(rows);
        Collections.shuffle(reordered, new Random(shuffleSeed));

        ParseResult today = parse(first.render(rows, Instant.parse("2024-02-14T02:10:33.084Z")));
        ParseResult tomorrow = parse(second.render(reordered, Instant.parse("2024-02-15T02:09:58.417Z")));

        assertThat(today.problems()).isEmpty();
        assertThat(tomorrow.problems()).isEmpty();
        assertThat(byId(tomorrow)).isEqualTo(byId(today));
        assertThat(today.accepted() + today.skipped()).isEqualTo(rows.size());
    }

    @Property(tries = 200)
    void shouldCountEachObservationOnceWhenSnapshotsAreConcatenated(
            @ForAll("snapshots") List<Map<String, Object>> rows, @ForAll("routes") Route route) {
        ParseResult once = parse(route.render(rows, Instant.parse("2024-02-14T02:10:33.084Z")));
        String day1 = route.render(rows, Instant.parse("2024-02-14T02:10:33.084Z"));
        String day2 = route.render(rows, Instant.parse("2024-02-15T02:09:58.417Z"));
        // API responses are single documents: two of them are two inputs, not one.
        if (route == Route.API_RESPONSE) {
            return;
        }
        ParseResult twice = parse(day1 + (day1.endsWith("\n") ? "" : "\n") + day2);

        assertThat(twice.problems()).isEmpty();
        assertThat(byId(twice)).isEqualTo(byId(once));
        assertThat(twice.skipped()).isEqualTo(once.skipped() * 2 + once.records().size());
    }

    // --- the contract -------------------------------------------------------------------------------------------

    private void check(byte[] bytes) {
        ParseResult result;
        try {
            result = parser.parse(new ByteArrayInputStream(bytes), CONTEXT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = TextInput.decode(bytes);
        // Printed per property: shows the generators reach both records and problems, not just one of them.
        Statistics.collect(result.records().isEmpty() ? "no records" : "records",
                result.problems().isEmpty() ? "no problems" : "problems");
        assertThat(result.problems()).allSatisfy(p -> {
            assertThat(p.line()).isGreaterThanOrEqualTo(1);
            assertThat(p.message()).isNotBlank();
        });
        assertThat(result.records()).allSatisfy(line -> {
            assertThat(line.line()).isGreaterThanOrEqualTo(1);
            assertThat(line.record()).isInstanceOf(CollectedRecord.Event.class);
            assertThat(line.record().deviceId()).startsWith("d-");
        });
        assertThat((long) result.records().size()).isLessThanOrEqualTo(result.accepted())
                .isLessThanOrEqualTo(rowBound(text));
        assertThat(result.collected().stream().map(r -> ((CollectedRecord.Event) r).event().getEventId()).distinct()
                .count()).isEqualTo(result.records().size());
    }

    /** Rows the text can hold: JSON rows are objects or arrays; CSV rows each begin after a line break. */
    private static long rowBound(String text) {
        if (WufbParser.isJson(text)) {
            return text.chars().filter(c -> c == '{' || c == '[').count();
        }
        return text.chars().filter(c -> c == '\n' || c == '\r').count();
    }

    private ParseResult parse(String text) {
        try {
            return parser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), CONTEXT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, InstallEvent> byId(ParseResult result) {
        Map<String, InstallEvent> events = new LinkedHashMap<>();
        for (CollectedRecord record : result.collected()) {
            InstallEvent event = ((CollectedRecord.Event) record).event();
            events.put(event.getEventId(), event);
        }
        return events;
    }

    // --- generators: values -------------------------------------------------------------------------------------

    private static final List<String> STATUS_COLUMNS = List.of("TenantId", "TimeGenerated", "AzureADDeviceId",
            "DeviceName", "GlobalDeviceId", "ClientState", "ClientSubstate", "ClientSubstateTime", "TargetKBNumber",
            "TargetBuild", "UpdateDisplayName", "UpdateInstalledTime", "UpdateId", "Type");
    private static final List<String> ALERT_COLUMNS = List.of("TenantId", "TimeGenerated", "AzureADDeviceId",
            "DeviceName", "GlobalDeviceId", "AlertId", "AlertStatus", "AlertSubtype", "AlertType", "ClientSubstate",
            "ErrorCode", "ErrorSymName", "Description", "StartTime", "ResolvedTime", "TargetKBNumber", "Type");
    private static final List<String> DATE_COLUMNS = List.of("TimeGenerated", "ClientSubstateTime",
            "UpdateInstalledTime", "StartTime", "ResolvedTime");

    // --- generators: shapes -------------------------------------------------------------------------------------

    // CSV and JSON rows are drawn from a Random: jqwik's combinators over a dozen columns per row took ten times as
    // long for the same number of inputs. A failure still prints the input, and the seed replays it.

    @Provide
    Arbitrary<String> csvExports() {
        return Arbitraries.randomValue(random -> {
            List<String> columns = new ArrayList<>(random.nextBoolean() ? STATUS_COLUMNS : ALERT_COLUMNS);
            Collections.shuffle(columns, random);
            List<String> header = columns.subList(0, 1 + random.nextInt(columns.size()));
            String separator = random.nextInt(4) == 0 ? ";" : ",";
            String newline = random.nextBoolean() ? "\n" : "\r\n";
            boolean suffix = random.nextBoolean();
            boolean quoteAll = random.nextInt(4) == 0;
            StringBuilder csv = new StringBuilder();
            csv.append(header.stream().map(c -> suffix && DATE_COLUMNS.contains(c) ? c + " [UTC]" : c)
                    .collect(Collectors.joining(separator))).append(newline);
            int rows = random.nextInt(9);
            for (int r = 0; r < rows; r++) {
                csv.append(header.stream().map(c -> {
                    String v = randomValue(c, random);
                    boolean needsQuotes = v.contains(separator) || v.contains("\"") || v.contains("\n") || v.contains("\r");
                    // Now and then a value that needs quotes goes without: the parser must cope with the damage.
                    return (quoteAll || needsQuotes) && random.nextInt(10) > 0 ? quote(v) : v;
                }).collect(Collectors.joining(separator)));
                csv.append(newline);
            }
            return csv.toString();
        });
    }

    @Provide
    Arbitrary<String> jsonRows() {
        return Arbitraries.randomValue(random -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            int count = random.nextInt(7);
            for (int r = 0; r < count; r++) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (String column : random.nextBoolean() ? STATUS_COLUMNS : ALERT_COLUMNS) {
                    if (random.nextInt(4) > 0) {
                        row.put(column, randomJson(column, random, 0));
                    }
                }
                rows.add(row);
            }
            try {
                int shape = random.nextInt(3);
                if (shape < 2) {
                    return shape == 0 ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows)
                            : JSON.writeValueAsString(rows);
                }
                StringBuilder ndjson = new StringBuilder();
                for (Map<String, Object> row : rows) {
                    ndjson.append(JSON.writeValueAsString(row)).append('\n');
                }
                return ndjson.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static final String NOISE = "abcXYZ019,;\"'\n\r\t {}[]:_-#/.\\\u00e9\u2028\ufeff";

    private static String randomNoise(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(13);
        for (int i = 0; i < length; i++) {
            text.append(NOISE.charAt(random.nextInt(NOISE.length())));
        }
        return text.toString();
    }

    /** A typical value of {@code column} (6 in 9), noise (2 in 9) or empty. */
    private static String randomValue(String column, Random random) {
        int pick = random.nextInt(9);
        if (pick >= 8) {
            return "";
        }
        if (pick >= 6) {
            return randomNoise(random);
        }
        List<String> typical = TYPICAL.get(column);
        if (typical != null) {
            return typical.get(random.nextInt(typical.size()));
        }
        if (DATE_COLUMNS.contains(column)) {
            Instant instant = Instant.ofEpochMilli(Instant.parse("1999-06-01T00:00:00Z").toEpochMilli()
                    + (long) (random.nextDouble() * 26.6 * 365.25 * 86_400_000L));
            return switch (random.nextInt(4)) {
                case 0 -> kusto(instant);
                case 1 -> portal(instant);
                case 2 -> instant.toString();
                default -> String.format(Locale.ROOT, "%.4f", instant.toEpochMilli() / 86_400_000.0 + 25_569.0);
            };
        }
        return random.nextBoolean() ? "Security" : "x";
    }

    private static Object randomJson(String column, Random random, int depth) {
        int pick = random.nextInt(depth > 1 ? 6 : 8);
        if (pick < 3 || random.nextInt(3) > 0) {
            return randomValue(column, random); // mostly strings, as exports write them
        }
        return switch (pick) {
            case 3 -> random.nextInt();
            case 4 -> random.nextBoolean() ? null : random.nextDouble() * 1e6;
            case 5 -> random.nextBoolean();
            case 6 -> java.util.Arrays.asList(randomJson(column, random, depth + 1), randomJson(column, random, depth + 1));
            default -> Map.of("v", String.valueOf(randomJson(column, random, depth + 1)));
        };
    }

    private static final Map<String, List<String>> TYPICAL = Map.ofEntries(
            Map.entry("DeviceName", List.of("PC-1", "DESKTOP-7F3K2LQ", "lt-ams-0412.corp.example.com", "#", "")),
            Map.entry("AzureADDeviceId", List.of("8e1f3b52-47a9-4c1d-b6e0-2a9d7f4c3e15",
                    "00000000-0000-0000-0000-000000000000", "")),
            Map.entry("GlobalDeviceId", List.of("g:6896718296371042", "")),
            Map.entry("ClientState", List.of("Installed", "Failed", "Installing", "InProgress", "Offering",
                    "OfferReady", "Canceled", "OnHold", "Unknown", "")),
            Map.entry("ClientSubstate", List.of("UpdateInstalled", "InstallFailed", "RestartRequired",
                    "DownloadStart", "DownloadComplete", "InstallStart", "OfferReady", "RestartComplete", "")),
            Map.entry("TargetKBNumber", List.of("5034441", "KB5034441", "kb5034763", "", "KB50", "n/a")),
            Map.entry("ErrorCode", List.of("0x80070643", "0x80070643_1D2A", "-2147023293", "2147944003",
                    "80070643", "0x8326CFA2D_C3FD", "")),
            Map.entry("AlertStatus", List.of("Active", "Resolved", "Deleted", "")),
            Map.entry("AlertType", List.of("ClientUpdateAlert", "ServiceUpdateAlert", "")),
            Map.entry("AlertSubtype", List.of("InstallIssue", "DiskFull", "RestartIssue", "")),
            Map.entry("AlertId", List.of("b7e4c91d05a3f6e28d1c4a9b73e0f512", "a1", "")),
            Map.entry("Type", List.of("UCClientUpdateStatus", "UCUpdateAlert", "Heartbeat", "")),
            Map.entry("UpdateId", List.of("10e519f0-06ae-4141-8f53-afee63e995f0",
                    "{10E519F0-06AE-4141-8F53-AFEE63E995F0}", "")));

    @Provide
    Arbitrary<String> queryResponses() {
        return Arbitraries.randomValue(random -> {
            List<String> columns = random.nextBoolean() ? STATUS_COLUMNS : ALERT_COLUMNS;
            List<List<Object>> rows = new ArrayList<>();
            int count = random.nextInt(7);
            for (int r = 0; r < count; r++) {
                List<Object> row = new ArrayList<>();
                for (String column : columns) {
                    int pick = random.nextInt(10);
                    row.add(pick == 0 ? null : pick == 1 ? (Object) random.nextInt() : randomValue(column, random));
                }
                rows.add(random.nextInt(6) == 0 ? row.subList(0, random.nextInt(row.size() + 1)) : row);
            }
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("name", "PrimaryResult");
            List<Map<String, String>> spec = columns.stream()
                    .map(c -> Map.of("name", c, "type", DATE_COLUMNS.contains(c) ? "datetime" : "string"))
                    .toList();
            if (random.nextBoolean()) {
                table.put("columns", spec);
                table.put("rows", rows);
            } else {
                table.put("rows", rows);
                table.put("columns", spec);
            }
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("tables", List.of(table)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A sample with one to five mutations: cut, delete, duplicate, swap, insert a structural character, retype. */
    @Provide
    Arbitrary<String> mutatedSamples() {
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.integers().between(0, 5),
                Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0, 1),
                Arbitraries.of("\"", ",", "\n", "{", "}", "[", "]", ":", "\r", ";", "\\", "_", "\u0000"),
                Arbitraries.of("12345", "-1.5e300", "{}", "[]", "null", "true", "\"\"", "\"x,y\"", "99999999999999999999"))
                .as(Mutation::new);
        return Combinators.combine(Arbitraries.of(SAMPLES), mutation.list().ofMinSize(1).ofMaxSize(5))
                .as((name, mutations) -> {
                    String text = SAMPLE_TEXT.get(name);
                    for (Mutation m : mutations) {
                        text = m.apply(text);
                    }
                    return text;
                });
    }

    record Mutation(int kind, double at, double span, String character, String wrongType) {
        String apply(String text) {
            if (text.isEmpty()) {
                return text;
            }
            int i = (int) (at * text.length());
            int j = Math.min(text.length(), i + 1 + (int) (span * 40));
            return switch (kind) {
                case 0 -> text.substring(0, i);
                case 1 -> text.substring(0, i) + text.substring(j);
                case 2 -> text.substring(0, j) + text.substring(i, j) + text.substring(j);
                case 3 -> i + 1 < text.length()
                        ? text.substring(0, i) + text.charAt(i + 1) + text.charAt(i) + text.substring(i + 2) : text;
                case 4 -> text.substring(0, i) + character + text.substring(i);
                default -> retype(text, i);
            };
        }

        /** Replaces the value at or after {@code from} (a quoted string or a CSV cell) by one of another type. */
        private String retype(String text, int from) {
            int quote = text.indexOf('"', from);
            if (quote >= 0) {
                int end = text.indexOf('"', quote + 1);
                if (end > quote) {
                    return text.substring(0, quote) + wrongType + text.substring(end + 1);
                }
            }
            int comma = text.indexOf(',', from);
            if (comma >= 0) {
                int end = text.indexOf(',', comma + 1);
                return text.substring(0, comma + 1) + wrongType + (end < 0 ? "" : text.substring(end));
            }
            return text + wrongType;
        }
    }

    // --- generators: valid snapshots, rendered by every export route ---------------------------------------------

    /** Valid rows of one table, each for its own device (so each yields at most one event). */
    @Provide
    Arbitrary<List<Map<String, Object>>> snapshots() {
        Arbitrary<Instant> times = Arbitraries.longs()
                .between(Instant.parse("2023-01-01T00:00:00Z").toEpochMilli(), Instant.parse("2025-04-09T00:00:00Z").toEpochMilli())
                .map(Instant::ofEpochMilli);
        Arbitrary<Map<String, Object>> status = Combinators.combine(
                Arbitraries.of("Installed/UpdateInstalled", "Failed/InstallFailed", "Installing/RestartRequired",
                        "Installing/DownloadStart", "Installing/InstallStart", "Offering/OfferReady", "Canceled/Canceled"),
                Arbitraries.of("5034441", "KB5034763", ""), times, times, Arbitraries.of(true, false))
                .as((state, kb, substateTime, installedTime, hasInstalledTime) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("ClientState", state.split("/")[0]);
                    row.put("ClientSubstate", state.split("/")[1]);
                    row.put("ClientSubstateTime", substateTime);
                    row.put("TargetKBNumber", kb);
                    row.put("TargetBuild", "10.0.19045.4046");
                    row.put("UpdateInstalledTime", hasInstalledTime ? installedTime : null);
                    return row;
                });
        Arbitrary<Map<String, Object>> alert = Combinators.combine(
                Arbitraries.of("Active", "Resolved", "Deleted"), Arbitraries.of("ClientUpdateAlert", "ServiceUpdateAlert"),
                Arbitraries.of("0x80070643", "0x80070643_1D2A", "-2147023293", ""),
                Arbitraries.of("5034441", "KB5057589"), times, Arbitraries.strings().withChars("0123456789abcdef").ofLength(32),
                Arbitraries.of(true, false))
                .as((status2, type, code, kb, start, alertId, hasAlertId) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("AlertId", hasAlertId ? alertId : "");
                    row.put("AlertStatus", status2);
                    row.put("AlertType", type);
                    row.put("AlertSubtype", "InstallIssue");
                    row.put("ErrorCode", code);
                    row.put("StartTime", start);
                    row.put("TargetKBNumber", kb);
                    row.put("Description", "Installation failure, error " + code + ":\n\"retry\"");
                    return row;
                });
        return Arbitraries.of(status, alert).flatMap(kind -> kind.list().ofMinSize(1).ofMaxSize(6)).map(rows -> {
            List<Map<String, Object>> numbered = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("DeviceName", "PC-" + i);
                row.put("AzureADDeviceId", "8e1f3b52-47a9-4c1d-b6e0-2a9d7f4c3e1" + Integer.toHexString(i % 16));
                row.putAll(rows.get(i));
                numbered.add(row);
            }
            return numbered;
        });
    }

    @Provide
    Arbitrary<Route> routes() {
        return Arbitraries.of(Route.class);
    }

    /** The ways Log Analytics data leaves the service, each with its own date spelling. */
    enum Route {
        PORTAL_CSV, KUSTO_CSV, JSON_ARRAY, NDJSON, API_RESPONSE;

        String render(List<Map<String, Object>> rows, Instant generated) {
            List<String> columns = new ArrayList<>();
            columns.add("TimeGenerated");
            rows.forEach(row -> row.keySet().stream().filter(c -> !columns.contains(c)).forEach(columns::add));
            try {
                switch (this) {
                    case PORTAL_CSV, KUSTO_CSV -> {
                        boolean portal = this == PORTAL_CSV;
                        String newline = portal ? "\r\n" : "\n";
                        StringBuilder csv = new StringBuilder(columns.stream()
                                .map(c -> portal && DATE_COLUMNS.contains(c) ? c + " [UTC]" : c)
                                .collect(Collectors.joining(","))).append(newline);
                        for (Map<String, Object> row : rows) {
                            csv.append(columns.stream().map(c -> {
                                Object v = c.equals("TimeGenerated") ? generated : row.get(c);
                                String text = v instanceof Instant t ? (portal ? portal(t) : kusto(t))
                                        : v == null ? "" : v.toString();
                                return text.contains(",") || text.contains("\"") || text.contains("\n") ? quote(text) : text;
                            }).collect(Collectors.joining(","))).append(newline);
                        }
                        return csv.toString();
                    }
                    case JSON_ARRAY, NDJSON -> {
                        List<Map<String, Object>> objects = rows.stream().map(row -> {
                            Map<String, Object> object = new LinkedHashMap<>();
                            object.put("TimeGenerated", generated.toString());
                            row.forEach((k, v) -> object.put(k, v instanceof Instant t ? t.toString() : v));
                            return object;
                        }).toList();
                        if (this == JSON_ARRAY) {
                            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(objects);
                        }
                        StringBuilder ndjson = new StringBuilder();
                        for (Map<String, Object> object : objects) {
                            ndjson.append(JSON.writeValueAsString(object)).append('\n');
                        }
                        return ndjson.toString();
                    }
                    default -> {
                        List<List<Object>> values = rows.stream().map(row -> columns.stream().map(c -> {
                            Object v = c.equals("TimeGenerated") ? generated : row.get(c);
                            return v instanceof Instant t ? (Object) kusto(t) : v;
                        }).toList()).toList();
                        Map<String, Object> table = new LinkedHashMap<>();
                        table.put("name", "PrimaryResult");
                        table.put("columns", columns.stream().map(c -> Map.of("name", c, "type",
                                DATE_COLUMNS.contains(c) ? "datetime" : "string")).toList());
                        table.put("rows", values);
                        return JSON.writeValueAsString(Map.of("tables", List.of(table)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final DateTimeFormatter PORTAL = DateTimeFormatter.ofPattern("M/d/yyyy, h:mm:ss.SSS a", Locale.US)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter KUSTO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'0000Z'")
            .withZone(ZoneOffset.UTC);

    static String portal(Instant instant) {
        return PORTAL.format(instant);
    }

    static String kusto(Instant instant) {
        return KUSTO.format(instant);
    }

    private static String quote(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }
}
