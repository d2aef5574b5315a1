package io.patchpulse.collector.parse;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.serde.CanonicalJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hostile input for every {@link InputFormat}: the real samples ({@link Samples}, their origin in each folder's
 * SOURCES.md) mutated byte by byte, and inputs generated from pieces of every format. Shared by the parser-level
 * {@code HostileParserTest} and the HTTP-level {@code HostileIngestApiIT}; the same seed gives the same inputs.
 *
 * <p>The per-parser {@code *ParserPropertiesTest}s mutate text in each format's own terms (JSON values, XML
 * fragments, CSV cells); this class adds what they leave out: mutations of the raw bytes (bit flips, invalid UTF-8,
 * a cut inside a multi-byte character), pieces of one format spliced into another, absurd values (years 1601 and
 * 2200, 2^63, NaN, negative sizes, unknown enum words) and volume.
 */
public final class HostileInputs {

    /** How an input was made; the report counts inputs per kind. */
    public enum Kind {
        BIT_FLIP, TRUNCATE_ANYWHERE, TRUNCATE_AT_SYNTAX, TRUNCATE_IN_UTF8, DELETE_RANGE, DUPLICATE_RANGE,
        DUPLICATE_LINE, SWAP_LINES, SPLICE_FOREIGN_LINE, INVALID_UTF8, HUGE_NUMBER, ABSURD_TIME, NEGATIVE_NUMBER,
        UNKNOWN_WORD, CONTROL_CHARS, LINE_ENDINGS, LONG_VALUE, DEEP_NESTING, STACKED,
        GENERATED_SPLICE, GENERATED_BYTES, GENERATED_SYNTAX
    }

    /** One input and how it was made. */
    public record Input(Kind kind, byte[] bytes) {
    }

    /** The receive time inputs are parsed at: after every sample's own time (the latest is April 2025). */
    public static final Instant NOW = Instant.parse("2025-05-01T00:00:00Z");

    private static final Map<InputFormat, List<byte[]>> SAMPLES = new EnumMap<>(InputFormat.class);

    static {
        SAMPLES.put(InputFormat.DEVICE_REPORT, load("device-report/batch-compact.ndjson",
                "device-report/de-win10-managebde-oem-recovery.json", "device-report/en-win10-22h2-tpm-after-os.json",
                "device-report/fr-win10-winre-disabled-mbr.json"));
        SAMPLES.put(InputFormat.OSQUERY, load("osquery/batched.results.log", "osquery/event-format.results.log",
                "osquery/legacy-2x.results.log", "osquery/problems.results.log", "osquery/snapshot.results.log"));
        SAMPLES.put(InputFormat.WINLOGBEAT, load("winlogbeat/elastic-agent-8.13-system.ndjson",
                "winlogbeat/winlogbeat-7.17-system.ndjson", "winlogbeat/winlogbeat-8.12-system.ndjson",
                "winlogbeat/with-broken-documents.ndjson"));
        SAMPLES.put(InputFormat.EVENTLOG_XML, load("eventlog-xml/eventviewer-saved-de.xml",
                "eventlog-xml/wevtutil-qe-system.xml", "eventlog-xml/with-broken-events.xml",
                "eventlog-xml/xml-view-single-userdata.xml"));
        SAMPLES.put(InputFormat.WUFB, load("wufb/ucclientupdatestatus-2024-02-14.csv",
                "wufb/ucclientupdatestatus-2024-02-15.csv", "wufb/ucclientupdatestatus-az.json",
                "wufb/ucclientupdatestatus-portal.csv", "wufb/ucupdatealert-api-response.json",
                "wufb/ucupdatealert-kusto.csv", "wufb/ucupdatealert-portal.csv"));
        SAMPLES.put(InputFormat.EVENTS, List.of(canonicalEvents()));
    }

    private static final List<byte[]> ALL_LINES = new ArrayList<>();

    static {
        for (List<byte[]> samples : SAMPLES.values()) {
            for (byte[] sample : samples) {
                for (String line : new String(sample, StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        ALL_LINES.add((line + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    private static final byte[][] INVALID_UTF8 = {
        {(byte) 0xFF}, {(byte) 0xC3, (byte) 0x28}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
        {(byte) 0x80}, {(byte) 0xFE, (byte) 0xFF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
    private static final byte[][] CONTROL = {{0}, {'\r'}, {0x1B, '[', '2', 'J'},
        {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {(byte) 0xFF, (byte) 0xFE}, {0x7F}, {'\t', '\f', 0x0B}};
    private static final String[] HUGE_NUMBERS = {"9223372036854775808", "9223372036854775807", "-9223372036854775809",
        "18446744073709551616", "99999999999999999999999999999999", "1e309", "-1e309", "1e-400", "NaN", "-NaN",
        "Infinity", "-Infinity", "0x7FFFFFFFFFFFFFFF", "4294967296", "2147483648", "-2147483649", "1.7976931348623157E309",
        "0.0000000000000000000001", "-0", "00000000000000000000001"};
    private static final String[] ABSURD_TIMES = {"1601-01-01T00:00:00Z", "1601-01-01T00:00:00.0000000Z",
        "2200-01-01T00:00:00Z", "2200-12-31T23:59:59.9999999Z", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "+292278994-08-17T07:12:55Z", "2024-02-30T25:61:61Z", "1/1/1601 12:00:00 AM",
        "-11644473600", "7258118400", "-62135596800000", "253402300800000", "9223372036854775807",
        "Mon Jan  1 00:00:00 1601 UTC", "Thu Jan  1 00:00:00 2200 UTC"};
    private static final String[] UNKNOWN_WORDS = {"Maybe", "ENABLED_BUT_NOT", "Protection Perhaps", "UNKNOWN",
        "Sucess", "failed ", "FAILED\u0000", "null", "", "  ", "Encrypted\uFFFD", "Aktiviert", "ÉTEINT", "0", "-1",
        "true", "{}", "[]", "\\u0000", "Ω", "𝔘nknown"};

    private HostileInputs() {
    }

    /** The samples of {@code format}; for {@code events}, canonical records built here. */
    public static List<byte[]> samples(InputFormat format) {
        return SAMPLES.get(format);
    }

    /**
     * Input number {@code index} of {@code format} for {@code seed}: {@code generatedShare} of every 100 are
     * generated, the rest are mutated samples.
     */
    public static Input input(InputFormat format, long seed, int index, int generatedShare) {
        Random random = new Random(seed * 1_000_003L + format.ordinal() * 7_919L + index);
        if (index % 100 < generatedShare) {
            return generated(random);
        }
        List<byte[]> samples = samples(format);
        byte[] sample = samples.get(random.nextInt(samples.size()));
        if (random.nextInt(8) == 0) {
            byte[] bytes = sample;
            int count = 2 + random.nextInt(4);
            for (int i = 0; i < count; i++) {
                bytes = mutate(bytes, random, Kind.values()[random.nextInt(Kind.STACKED.ordinal())]);
            }
            return new Input(Kind.STACKED, bytes);
        }
        Kind kind = Kind.values()[random.nextInt(Kind.STACKED.ordinal())];
        return new Input(kind, mutate(sample, random, kind));
    }

    private static Input generated(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int lines = 1 + random.nextInt(12);
                for (int i = 0; i < lines; i++) {
                    out.writeBytes(ALL_LINES.get(random.nextInt(ALL_LINES.size())));
                }
                yield new Input(Kind.GENERATED_SPLICE, out.toByteArray());
            }
            case 1 -> {
                byte[] bytes = new byte[random.nextInt(2048)];
                random.nextBytes(bytes);
                yield new Input(Kind.GENERATED_BYTES, bytes);
            }
            default -> {
                String alphabet = "{}[]\":,0123456789.-eE tfnrual\n\r\\<>/=?!&;#xEvntDaSysemIdKB'";
                StringBuilder text = new StringBuilder();
                int length = random.nextInt(1500);
                for (int i = 0; i < length; i++) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                yield new Input(Kind.GENERATED_SYNTAX, text.toString().getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    /** {@code bytes} changed once in the way {@code kind} says. */
    static byte[] mutate(byte[] bytes, Random random, Kind kind) {
        if (bytes.length == 0) {
            return ALL_LINES.get(random.nextInt(ALL_LINES.size()));
        }
        int at = random.nextInt(bytes.length);
        return switch (kind) {
            case BIT_FLIP -> {
                byte[] copy = bytes.clone();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int p = random.nextInt(copy.length);
                    copy[p] ^= (byte) (1 << random.nextInt(8));
                }
                yield copy;
            }
            case TRUNCATE_ANYWHERE -> slice(bytes, 0, at);
            case TRUNCATE_AT_SYNTAX -> {
                int cut = nextOf(bytes, at, "{}[],:\"<>='/\n;".getBytes(StandardCharsets.US_ASCII));
                yield slice(bytes, 0, Math.min(bytes.length, cut + random.nextInt(2)));
            }
            case TRUNCATE_IN_UTF8 -> {
                int p = at;
                while (p < bytes.length && (bytes[p] & 0xC0) != 0x80) {
                    p++;
                }
                yield p < bytes.length ? slice(bytes, 0, p) : slice(bytes, 0, at);
            }
            case DELETE_RANGE -> concat(slice(bytes, 0, at), slice(bytes, Math.min(bytes.length,
                    at + 1 + random.nextInt(200)), bytes.length));
            case DUPLICATE_RANGE -> {
                int end = Math.min(bytes.length, at + 1 + random.nextInt(400));
                yield concat(slice(bytes, 0, end), slice(bytes, at, end), slice(bytes, end, bytes.length));
            }
            case DUPLICATE_LINE -> {
                List<byte[]> lines = lines(bytes);
                int line = random.nextInt(lines.size());
                int copies = 1 + random.nextInt(3);
                for (int i = 0; i < copies; i++) {
                    lines.add(line, lines.get(line));
                }
                yield join(lines);
            }
            case SWAP_LINES -> {
                List<byte[]> lines = lines(bytes);
                int a = random.nextInt(lines.size());
                int b = random.nextInt(lines.size());
                byte[] line = lines.get(a);
                lines.set(a, lines.get(b));
                lines.set(b, line);
                yield join(lines);
            }
            case SPLICE_FOREIGN_LINE -> {
                byte[] foreign = ALL_LINES.get(random.nextInt(ALL_LINES.size()));
                int p = random.nextBoolean() ? lineStart(bytes, at) : at;
                yield concat(slice(bytes, 0, p), foreign, slice(bytes, p, bytes.length));
            }
            case INVALID_UTF8 -> {
                byte[] bad = INVALID_UTF8[random.nextInt(INVALID_UTF8.length)];
                yield random.nextBoolean() ? concat(slice(bytes, 0, at), bad, slice(bytes, at, bytes.length))
                        : concat(slice(bytes, 0, at), bad, slice(bytes, Math.min(bytes.length, at + bad.length),
                                bytes.length));
            }
            case HUGE_NUMBER -> replaceToken(bytes, at, DIGITS, HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)]);
            case ABSURD_TIME -> replaceToken(bytes, at, TIME_CHARS, ABSURD_TIMES[random.nextInt(ABSURD_TIMES.length)]);
            case NEGATIVE_NUMBER -> {
                int p = nextOf(bytes, at, DIGITS);
                yield p >= bytes.length ? bytes : concat(slice(bytes, 0, p), new byte[] {'-'},
                        slice(bytes, p, bytes.length));
            }
            case UNKNOWN_WORD -> replaceToken(bytes, at, LETTERS, UNKNOWN_WORDS[random.nextInt(UNKNOWN_WORDS.length)]);
            case CONTROL_CHARS -> {
                byte[] control = CONTROL[random.nextInt(CONTROL.length)];
                yield concat(slice(bytes, 0, at), control, slice(bytes, at, bytes.length));
            }
            case LINE_ENDINGS -> {
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                String converted = switch (random.nextInt(3)) {
                    case 0 -> text.replace("\r\n", "\n").replace("\n", "\r\n");
                    case 1 -> text.replace("\r\n", "\n").replace("\n", "\r");
                    default -> text.replace("\r", "").replace("\n", "");
                };
                yield converted.getBytes(StandardCharsets.ISO_8859_1);
            }
            case LONG_VALUE -> {
                String unit = random.nextBoolean() ? "A" : "\\u00e9";
                byte[] filler = unit.repeat((1000 + random.nextInt(random.nextInt(8) == 0 ? 70_000 : 8_000))
                        / unit.length()).getBytes(StandardCharsets.US_ASCII);
                int p = nextOf(bytes, at, "\">".getBytes(StandardCharsets.US_ASCII));
                int q = Math.min(bytes.length, p + 1);
                yield concat(slice(bytes, 0, q), filler, slice(bytes, q, bytes.length));
            }
            case DEEP_NESTING -> {
                int depth = 50 + random.nextInt(random.nextInt(8) == 0 ? 5000 : 300);
                boolean xml = random.nextBoolean();
                byte[] open = (xml ? "<a>" : (random.nextBoolean() ? "[" : "{\"a\":")).repeat(depth)
                        .getBytes(StandardCharsets.US_ASCII);
                int p = random.nextBoolean() ? lineStart(bytes, at) : at;
                yield concat(slice(bytes, 0, p), open, slice(bytes, p, bytes.length));
            }
            default -> throw new IllegalArgumentException("not a mutation: " + kind);
        };
    }

    private static final byte[] DIGITS = "0123456789".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIME_CHARS = "0123456789-:TZ.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            .getBytes(StandardCharsets.US_ASCII);

    /** Replaces the run of {@code members} at or after {@code at} by {@code value}. */
    private static byte[] replaceToken(byte[] bytes, int at, byte[] members, String value) {
        int start = nextOf(bytes, at, members);
        if (start >= bytes.length) {
            start = nextOf(bytes, 0, members);
            if (start >= bytes.length) {
                return concat(bytes, value.getBytes(StandardCharsets.UTF_8));
            }
        }
        int end = start;
        while (end < bytes.length && contains(members, bytes[end])) {
            end++;
        }
        return concat(slice(bytes, 0, start), value.getBytes(StandardCharsets.UTF_8), slice(bytes, end, bytes.length));
    }

    private static int nextOf(byte[] bytes, int from, byte[] members) {
        int p = from;
        while (p < bytes.length && !contains(members, bytes[p])) {
            p++;
        }
        return p;
    }

    private static boolean contains(byte[] members, byte b) {
        for (byte m : members) {
            if (m == b) {
                return true;
            }
        }
        return false;
    }

    private static int lineStart(byte[] bytes, int at) {
        int p = at;
        while (p > 0 && bytes[p - 1] != '\n') {
            p--;
        }
        return p;
    }

    private static List<byte[]> lines(byte[] bytes) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(slice(bytes, start, i + 1));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            lines.add(slice(bytes, start, bytes.length));
        }
        return lines;
    }

    private static byte[] join(List<byte[]> parts) {
        return concat(parts.toArray(byte[][]::new));
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return java.util.Arrays.copyOfRange(bytes, from, Math.max(from, to));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static List<byte[]> load(String... paths) {
        return java.util.Arrays.stream(paths).map(Samples::bytes).toList();
    }

    /**
     * NDJSON of canonical records, the {@code events} format: install events of every outcome and inventories with
     * every part set, as {@link CanonicalJson} writes them (there is no sample file: these records are the format).
     */
    private static byte[] canonicalEvents() {
        StringBuilder text = new StringBuilder();
        Instant at = Instant.parse("2024-01-09T18:04:11Z");
        int i = 0;
        for (Outcome outcome : Outcome.values()) {
            InstallEvent event = InstallEvent.newBuilder()
                    .setEventId("e-" + i).setDeviceId("d-" + (i % 3)).setOccurredAt(at.plusSeconds(i * 60L))
                    .setReceivedAt(at.plusSeconds(3600)).setSource(EventSource.values()[i % EventSource.values().length])
                    .setKb(i % 4 == 0 ? null : "KB5034441").setUpdateGuid("8ac1c1d4-7f6e-4b9e-9c43-2a3f0f3b5d11")
                    .setUpdateTitle("2024-01 Security Update for Windows 10 Version 22H2 (KB5034441)")
                    .setOutcome(outcome).setErrorCode(outcome == Outcome.FAILED ? "0x80070643" : null)
                    .setRawErrorCode(outcome == Outcome.FAILED ? "-2147023293" : null)
                    .setWinreErrorPhase(outcome == Outcome.WINRE_SERVICING_FAILED ? 2 : null)
                    .setWinreVersion(outcome == Outcome.WINRE_SERVICING_SUCCEEDED ? "10.0.19041.3920" : null)
                    .setRebootPending(i % 2 == 0)
                    .setInventory(i % 3 == 0 ? inventory("d-" + (i % 3), at) : null)
                    .build();
            text.append(CanonicalJson.toLine(event)).append('\n');
            i++;
        }
        text.append(CanonicalJson.toLine(inventory("d-9", at))).append('\n');
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static DeviceInventory inventory(String deviceId, Instant at) {
        return DeviceInventory.newBuilder().setDeviceId(deviceId).setObservedAt(at)
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(555_745_280L)
                        .setFreeBytes(92_274_688L).setLayout(RecoveryLayout.AFTER_OS)
                        .setPartitionStyle(PartitionStyle.GPT).build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED).setEncryptionMethod("XtsAes128")
                        .setProtectorClass(ProtectorClass.TPM_ONLY).build())
                .setScriptPatched(false)
                .setTags(Map.of("site", "ber", "ring", "pilot"))
                .build();
    }
}
