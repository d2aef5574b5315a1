package io.patchpulse.collector.parse.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.FormatParser;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.eventxml.EventXmlParser;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.validate.EventValidator;
import io.patchpulse.schemas.values.WinreVersion;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint agent's device report ({@code schema: "patchpulse.device-report/1"}), one pretty-printed object, an
 * array, or NDJSON, as Windows PowerShell 5.1's {@code ConvertTo-Json -Depth 6} really writes it. Each report becomes
 * one {@link CollectedRecord.Inventory} (device id from {@code host}, observed at {@code collectedAt}) and one
 * {@link CollectedRecord.Event} per update-install event among its {@code events}.
 *
 * <p>Fields: {@code schema}, {@code host} and {@code collectedAt} are required; every other part is optional and,
 * when missing, leaves its part of the inventory null or unknown. Raw command output ({@code reagentc},
 * {@code manageBde}) is read by structure because it is localized ({@link ReagentcInfo}, {@link ManageBdeStatus});
 * the WinRE partition is the one reagentc points at ({@link RecoveryLayoutChoice}); BitLocker comes from
 * {@code bitlocker} ({@code Get-BitLockerVolume}) or else {@code manageBde} ({@link BitLockerReading}); events from
 * {@code Get-WinEvent} objects ({@link WinEventJson}).
 *
 * <p>PowerShell 5.1 quirks handled: dates as {@code "\/Date(ms)\/"} and {@code Get-Date}'s
 * {@code {"value": ..., "DisplayHint": 2, "DateTime": ...}} object; enums as integers; a single object where an
 * array was expected ({@code partitions}, {@code events}, {@code KeyProtector}); command output captured as an array
 * of lines instead of one string; numbers written as strings; {@code DriveLetter} {@code "\u0000"}; WinRE version
 * {@code 0.0.0.0} when disabled (read as unknown); the patch-script flag as {@code 1}/{@code 0}/{@code "1"}/booleans.
 *
 * <p>Problems name the JSON path ({@code $.partitions[2].Size}, {@code $.bitlocker.VolumeStatus},
 * {@code $.events[0].TimeCreated}); a bad part rejects the whole report, since its records are one observation.
 * {@code rebootPending} is checked but has no field in the inventory yet. Stateless and thread-safe.
 */
public final class DeviceReportParser implements FormatParser {

    /** The {@code schema} value this parser reads. */
    public static final String SCHEMA = "patchpulse.device-report/1";

    private static final Logger LOG = LoggerFactory.getLogger(DeviceReportParser.class);
    /** {@code 10.0.19045}, or with the revision {@code 10.0.19045.4046}. */
    private static final Pattern OS_VERSION =
            Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,9})(?:\\.(\\d{1,9}))?$");
    private static final Pattern MOUNT_POINT = Pattern.compile("^\\s*([A-Za-z]):");

    @Override
    public InputFormat format() {
        return InputFormat.DEVICE_REPORT;
    }

    @Override
    public ParseResult parse(InputStream input, ParseContext context) throws IOException {
        ParseResult.Builder result = ParseResult.builder(context.receivedAt());
        JsonItems.read(input, result, (line, item) -> result.accept(line, read(line, item, context)));
        return result.build();
    }

    /** The records of one report. */
    private static List<CollectedRecord> read(long line, JsonNode item, ParseContext context) {
        JsonNode report = JsonFields.object(item, "$");
        String schema = JsonFields.requiredText(JsonFields.child(report, "schema"), "$.schema");
        if (!SCHEMA.equals(schema.strip())) {
            throw new BadField("$.schema", "expected '" + SCHEMA + "', got '" + JsonFields.abbreviate(schema) + "'");
        }
        String host = JsonFields.requiredText(JsonFields.child(report, "host"), "$.host");
        String deviceId;
        try {
            deviceId = context.deviceIds().of(host);
        } catch (IllegalArgumentException e) {
            throw new BadField("$.host", e.getMessage());
        }
        Instant collectedAt = instant(JsonFields.child(report, "collectedAt"), "$.collectedAt");
        if (collectedAt == null) {
            throw new BadField("$.collectedAt", "is required");
        }
        // (Get-Date).ToString('o') has 100 ns ticks; the schema keeps milliseconds.
        collectedAt = collectedAt.truncatedTo(ChronoUnit.MILLIS);
        checkTime(collectedAt, context.receivedAt(), "$.collectedAt");

        OsInfo os = os(JsonFields.child(report, "os"));
        JsonNode reagentcNode = JsonFields.child(report, "reagentc");
        ReagentcInfo reagentc = ReagentcInfo.parse(rawText(reagentcNode, "$.reagentc"));
        JsonNode partitionsNode = JsonFields.child(report, "partitions");
        List<Partition> partitions = Partition.readAll(partitionsNode, "$.partitions");
        Volume volume = volume(JsonFields.child(report, "recoveryVolume"), "$.recoveryVolume");

        JsonNode bitlockerNode = JsonFields.child(report, "bitlocker");
        if (bitlockerNode != null && bitlockerNode.isArray() && bitlockerNode.isEmpty()) {
            bitlockerNode = null; // Get-BitLockerVolume returned nothing: no reading, like a missing field
        }
        JsonNode manageBdeNode = JsonFields.child(report, "manageBde");
        Character systemDrive = systemDrive(bitlockerNode);
        BitLockerReading bitlocker = null;
        if (bitlockerNode != null) {
            bitlocker = BitLockerReading.fromJson(bitlockerNode, "$.bitlocker");
        } else if (manageBdeNode != null) {
            bitlocker = ManageBdeStatus.parse(rawText(manageBdeNode, "$.manageBde"), systemDrive);
        }

        String winreVersion = winreVersion(JsonFields.child(report, "winreVersion"));
        Boolean scriptPatched = flag(JsonFields.child(report, "winrePatchScript"), "$.winrePatchScript");
        flag(JsonFields.child(report, "rebootPending"), "$.rebootPending"); // checked; no inventory field yet

        RecoveryLayoutChoice choice = RecoveryLayoutChoice.choose(partitions, reagentc,
                systemDrive == null ? Character.valueOf('C') : systemDrive);
        if (choice.note() != null) {
            LOG.debug("Device report at line {}: {}", line, choice.note());
        }
        RecoveryPartition recovery = recovery(choice, volume,
                reagentcNode != null || partitionsNode != null || volume != null);

        DeviceInventory.Builder inventory = DeviceInventory.newBuilder()
                .setDeviceId(deviceId)
                .setObservedAt(collectedAt)
                .setOs(os)
                .setRecovery(recovery)
                .setWinre(reagentcNode == null && winreVersion == null ? null : WinreInfo.newBuilder()
                        .setStatus(reagentc.status())
                        .setVersion(winreVersion)
                        .setLocation(reagentc.location())
                        .build())
                .setBitlocker(bitlocker == null ? null : bitlocker.toInfo())
                .setScriptPatched(scriptPatched);

        List<CollectedRecord> records = new ArrayList<>();
        records.add(new CollectedRecord.Inventory(inventory.build(), context.receivedAt()));
        JsonNode events = JsonFields.child(report, "events");
        if (events != null) {
            for (InstallEvent event : WinEventJson.read(events, "$.events", deviceId, context.receivedAt())) {
                records.add(new CollectedRecord.Event(event));
            }
        }
        JsonNode eventsXml = JsonFields.child(report, "eventsXml");
        if (eventsXml != null && !(eventsXml.isTextual() && eventsXml.asText().isBlank())) {
            records.addAll(eventsXml(eventsXml, deviceId, context));
        }
        return records;
    }

    /**
     * {@code eventsXml}: raw {@code wevtutil qe /f:xml} output read by the event-XML reader, each event mapped as
     * the agent's own (device id from {@code host}, source {@code AGENT}); a broken event rejects the report,
     * naming the line inside the XML.
     */
    private static List<CollectedRecord> eventsXml(JsonNode eventsXml, String deviceId, ParseContext context) {
        if (!eventsXml.isTextual()) {
            throw new BadField("$.eventsXml", "expected the event XML as a string, got " + JsonFields.describe(eventsXml));
        }
        List<CollectedRecord> records = new ArrayList<>();
        for (EventXmlParser.Item item : EventXmlParser.readEvents(eventsXml.asText())) {
            if (item.problem() != null) {
                throw new BadField("$.eventsXml", "line " + item.problem().line() + " of the XML: "
                        + (item.problem().field() == null ? "" : item.problem().field() + ": ")
                        + item.problem().message());
            }
            WindowsEventMapper.toInstallEvent(item.event(), deviceId, InputFormat.DEVICE_REPORT.source(),
                    context.receivedAt()).ifPresent(event -> records.add(new CollectedRecord.Event(event)));
        }
        return records;
    }

    private static OsInfo os(JsonNode node) {
        if (node == null) {
            return null;
        }
        JsonFields.object(node, "$.os");
        String caption = JsonFields.text(JsonFields.child(node, "caption"), "$.os.caption");
        String version = JsonFields.text(JsonFields.child(node, "version"), "$.os.version");
        String displayVersion = JsonFields.text(JsonFields.child(node, "displayVersion"), "$.os.displayVersion");
        Integer ubr = JsonFields.int32(JsonFields.child(node, "ubr"), "$.os.ubr");
        Integer build = null;
        if (version != null && !version.isBlank()) {
            Matcher matcher = OS_VERSION.matcher(version.strip());
            if (!matcher.matches()) {
                throw new BadField("$.os.version", "expected a version such as 10.0.19045, got '"
                        + JsonFields.abbreviate(version) + "'");
            }
            build = parseInt(matcher.group(3), "$.os.version");
            if (ubr == null && matcher.group(4) != null) {
                ubr = parseInt(matcher.group(4), "$.os.version");
            }
        }
        if (ubr != null && ubr < 0) {
            throw new BadField("$.os.ubr", "must not be negative, got " + ubr);
        }
        return OsInfo.newBuilder()
                .setProduct(product(caption))
                .setVersion(displayVersion == null || displayVersion.isBlank() ? null : displayVersion.strip())
                .setBuild(build)
                .setUbr(ubr)
                .build();
    }

    /** {@code Microsoft Windows 10 Pro} as {@code Windows 10 Pro}, the product name the rest of PatchPulse uses. */
    private static String product(String caption) {
        if (caption == null || caption.isBlank()) {
            return null;
        }
        String product = caption.strip();
        return product.startsWith("Microsoft ") ? product.substring("Microsoft ".length()).strip() : product;
    }

    private static int parseInt(String digits, String path) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new BadField(path, "number out of range: " + digits);
        }
    }

    /** {@code Size} and {@code SizeRemaining} of the WinRE partition's volume. */
    private record Volume(Long size, Long free) {
    }

    private static Volume volume(JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        if (node.isArray()) {
            List<JsonNode> items = JsonFields.list(node);
            if (items.size() != 1) {
                throw new BadField(path, "expected one volume, got " + items.size());
            }
            node = items.get(0);
            path = path + "[0]";
        }
        JsonFields.object(node, path);
        Long size = JsonFields.integer(JsonFields.child(node, "Size"), path + ".Size");
        Long free = JsonFields.integer(JsonFields.child(node, "SizeRemaining"), path + ".SizeRemaining");
        if (size != null && size < 0) {
            throw new BadField(path + ".Size", "must not be negative, got " + size);
        }
        if (free != null && free < 0) {
            throw new BadField(path + ".SizeRemaining", "must not be negative, got " + free);
        }
        if (size != null && free != null && free > size) {
            throw new BadField(path + ".SizeRemaining", "free space " + free + " exceeds the volume size " + size);
        }
        return new Volume(size, free);
    }

    /**
     * The recovery part: partition size from the chosen partition (the volume's size when the partition is not
     * listed), free space from the volume; no sizes when WinRE has no partition. Null when nothing about it was sent.
     */
    private static RecoveryPartition recovery(RecoveryLayoutChoice choice, Volume volume, boolean reported) {
        if (!reported) {
            return null;
        }
        boolean none = choice.layout() == RecoveryLayout.NONE;
        Long size = choice.partition() != null ? choice.partition().size()
                : none || volume == null ? null : volume.size();
        Long free = none || volume == null ? null : volume.free();
        if (size != null && free != null && free > size) {
            String partition = choice.partition() == null ? "" : " (" + choice.partition().path() + ")";
            throw new BadField("$.recoveryVolume.SizeRemaining", "free space " + free + " exceeds the size " + size
                    + " of the WinRE partition" + partition);
        }
        return RecoveryPartition.newBuilder()
                .setPartitionSizeBytes(size)
                .setFreeBytes(free)
                .setLayout(choice.layout())
                .setPartitionStyle(choice.style())
                .build();
    }

    private static String winreVersion(JsonNode node) {
        String text = JsonFields.text(node, "$.winreVersion");
        if (text == null || text.isBlank()) {
            return null;
        }
        WinreVersion version = WinreVersion.parse(text).orElseThrow(() -> new BadField("$.winreVersion",
                "expected a WinRE version such as 10.0.19041.3920, got '" + JsonFields.abbreviate(text) + "'"));
        // A disabled WinRE reports 0.0.0.0: that is "unknown", not a version older than every other.
        return version.major() == 0 && version.build() == 0 ? null : version.toString();
    }

    /** A flag written as a boolean, 0/1 or their strings; an empty string is null (an absent registry value). */
    private static Boolean flag(JsonNode node, String path) {
        if (node != null && node.isTextual() && node.asText().isBlank()) {
            return null;
        }
        return JsonFields.bool(node, path);
    }

    /** The drive letter of {@code MountPoint} in a {@code Get-BitLockerVolume} object, or null. */
    private static Character systemDrive(JsonNode bitlocker) {
        JsonNode volume = bitlocker;
        if (bitlocker != null && bitlocker.isArray()) {
            volume = bitlocker.size() == 1 ? bitlocker.get(0) : null;
        }
        JsonNode mount = volume != null && volume.isObject() ? JsonFields.child(volume, "MountPoint") : null;
        if (mount == null || !mount.isTextual()) {
            return null;
        }
        Matcher matcher = MOUNT_POINT.matcher(mount.asText());
        return matcher.find() ? Character.toUpperCase(matcher.group(1).charAt(0)) : null;
    }

    /**
     * Raw command output: one string, or the array of lines PowerShell keeps when the output is captured without
     * {@code Out-String}; null when absent.
     */
    static String rawText(JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        if (node.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < node.size(); i++) {
                JsonNode line = node.get(i);
                if (!line.isNull()) {
                    text.append(JsonFields.text(line, path + "[" + i + "]"));
                }
                text.append('\n');
            }
            return text.toString();
        }
        return JsonFields.text(node, path);
    }

    /**
     * A date-time as {@link JsonFields#instant} reads it, or {@code Get-Date}'s PowerShell 5.1 object form
     * {@code {"value": "\/Date(ms)\/", "DisplayHint": 2, "DateTime": "..."}}.
     */
    static Instant instant(JsonNode node, String path) {
        if (node != null && node.isObject() && node.has("value")) {
            return JsonFields.instant(JsonFields.child(node, "value"), path + ".value");
        }
        return JsonFields.instant(node, path);
    }

    /** Observation times before 2000 or more than a day ahead of the collector are clock errors. */
    private static void checkTime(Instant time, Instant receivedAt, String path) {
        if (time.isBefore(EventValidator.EARLIEST)) {
            throw new BadField(path, time + " is before " + EventValidator.EARLIEST + ": a device clock error");
        }
        if (time.isAfter(receivedAt.plus(EventValidator.CLOCK_SKEW))) {
            throw new BadField(path, time + " is more than " + EventValidator.CLOCK_SKEW.toHours()
                    + " h in the future (received " + receivedAt + ")");
        }
    }
}
