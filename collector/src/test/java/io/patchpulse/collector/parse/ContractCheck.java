package io.patchpulse.collector.parse;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.publish.Outgoing;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The data contract (ARCHITECTURE.md) checked on what a parser made of one input, written out here rather than
 * taken from {@code EventValidator}, so that a rule the product forgets to apply shows up. Returns the broken rules
 * as sentences; an empty list means: every record is whole and valid, every problem says what and where.
 */
public final class ContractCheck {

    private static final Pattern KB = Pattern.compile("KB\\d{6,7}");
    private static final Pattern ERROR_CODE = Pattern.compile("0x[0-9A-F]{8}");
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Duration SKEW = Duration.ofDays(1);
    private static final Topics TOPICS = new Topics("hostile.");
    /** Message of the per-item safety net around unforeseen exceptions: a crash that was caught, still a bug. */
    public static final String SAFETY_NET = "could not be read (";

    private ContractCheck() {
    }

    /**
     * Broken rules of {@code result}, the parse of {@code input} as {@code format} received at {@code now} with
     * pseudonymous device ids.
     */
    public static List<String> violations(InputFormat format, byte[] input, ParseResult result, Instant now) {
        List<String> broken = new ArrayList<>();
        long lines = TextInput.decode(input).chars().filter(c -> c == '\n').count() + 1;
        if (result.accepted() < 0 || result.rejected() < 0 || result.skipped() < 0) {
            broken.add("negative counts " + result);
        }
        if (result.problems().size() > result.rejected()) {
            broken.add(result.problems().size() + " problems but " + result.rejected() + " rejected");
        }
        if (!result.records().isEmpty() && result.accepted() == 0) {
            broken.add(result.records().size() + " records from no accepted item");
        }
        for (Problem problem : result.problems()) {
            if (problem.message() == null || problem.message().isBlank()) {
                broken.add("problem without a message at line " + problem.line());
            } else if (problem.message().startsWith(SAFETY_NET)) {
                broken.add("unforeseen exception caught by the safety net: " + problem);
            }
            if (problem.line() > lines) {
                broken.add("problem at line " + problem.line() + " of a " + lines + "-line input: " + problem);
            }
        }
        for (ParseResult.Line line : result.records()) {
            if (line.line() < 1 || line.line() > lines) {
                broken.add("record at line " + line.line() + " of a " + lines + "-line input");
            }
            CollectedRecord record = line.record();
            String where = "record of line " + line.line() + ": ";
            if (format != InputFormat.EVENTS && (record.deviceId() == null || !record.deviceId().startsWith("d-"))) {
                broken.add(where + "device id is not pseudonymous: " + record.deviceId());
            }
            if (record instanceof CollectedRecord.Event event) {
                checkEvent(format, event.event(), now, where, broken);
            } else {
                DeviceInventory inventory = ((CollectedRecord.Inventory) record).inventory();
                checkInventory(inventory, record.deviceId(), now, where, broken);
            }
            try {
                Outgoing outgoing = Outgoing.of(record, TOPICS);
                if (outgoing.value().length == 0) {
                    broken.add(where + "serializes to nothing");
                }
            } catch (RuntimeException e) {
                broken.add(where + "does not serialize: " + e);
            }
        }
        return broken;
    }

    private static void checkEvent(InputFormat format, InstallEvent e, Instant now, String where, List<String> broken) {
        id(e.getEventId(), "eventId", where, broken);
        id(e.getDeviceId(), "deviceId", where, broken);
        Instant received = e.getReceivedAt();
        if (format != InputFormat.EVENTS && !now.equals(received)) {
            broken.add(where + "receivedAt " + received + " is not the receive time " + now);
        }
        time(e.getOccurredAt(), "occurredAt", now, where, broken);
        if (received != null && e.getOccurredAt() != null && e.getOccurredAt().isAfter(received.plus(SKEW))) {
            broken.add(where + "occurredAt " + e.getOccurredAt() + " is more than a day after receivedAt " + received);
        }
        if (format != InputFormat.EVENTS && e.getSource() != format.source()) {
            broken.add(where + "source " + e.getSource() + " is not " + format.source());
        }
        if (e.getOutcome() == null || e.getSource() == null) {
            broken.add(where + "outcome or source missing");
        }
        if (e.getKb() != null && !KB.matcher(e.getKb()).matches()) {
            broken.add(where + "kb '" + e.getKb() + "' is not KB + 6 or 7 digits");
        }
        if (e.getErrorCode() != null && !ERROR_CODE.matcher(e.getErrorCode()).matches()) {
            broken.add(where + "errorCode '" + e.getErrorCode() + "' is not canonical");
        }
        if (e.getInventory() != null) {
            if (!e.getInventory().getDeviceId().equals(e.getDeviceId())) {
                broken.add(where + "embedded inventory of another device");
            }
            checkInventory(e.getInventory(), e.getDeviceId(), now, where + "inventory: ", broken);
        }
    }

    private static void checkInventory(DeviceInventory inventory, String deviceId, Instant now, String where,
                                       List<String> broken) {
        id(deviceId, "deviceId", where, broken);
        time(inventory.getObservedAt(), "observedAt", now, where, broken);
        RecoveryPartition recovery = inventory.getRecovery();
        if (recovery != null) {
            Long size = recovery.getPartitionSizeBytes();
            Long free = recovery.getFreeBytes();
            if (size != null && size < 0 || free != null && free < 0) {
                broken.add(where + "negative recovery size " + size + " or free space " + free);
            }
            if (size != null && free != null && free > size) {
                broken.add(where + "free space " + free + " exceeds the partition size " + size);
            }
        }
        OsInfo os = inventory.getOs();
        if (os != null && (os.getBuild() != null && os.getBuild() < 0 || os.getUbr() != null && os.getUbr() < 0)) {
            broken.add(where + "negative OS build " + os.getBuild() + " or UBR " + os.getUbr());
        }
    }

    private static void id(String id, String field, String where, List<String> broken) {
        if (id == null || id.isBlank() || id.length() > 256) {
            broken.add(where + field + " must be 1 to 256 characters: '" + id + "'");
        }
    }

    private static void time(Instant time, String field, Instant now, String where, List<String> broken) {
        if (time == null || time.isBefore(EARLIEST) || time.isAfter(now.plus(SKEW))) {
            broken.add(where + field + " " + time + " is outside 2000-01-01 .. now + 1 day");
        }
    }
}
