package io.patchpulse.schemas.validate;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.values.ErrorCode;
import io.patchpulse.schemas.values.KbId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The rules an install event must meet before it is counted. The collector applies them at the edge (so a sender
 * learns at once what was wrong) and the topology again (records can reach Kafka by other routes). Each rule that fails names its field and says what
 * was wrong; the first failing rule wins. Error codes are not a reason to refuse an event: {@link #normalized}
 * brings any spelling to the canonical one and keeps what cannot be read as raw (DOMAIN.md rule 2).
 */
public final class EventValidator {

    /** Events before this are clock errors (a device with a dead CMOS battery reports 1601 or 1970). */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** Device clocks may run ahead of the collector's by this much before an event counts as from the future. */
    public static final Duration CLOCK_SKEW = Duration.ofDays(1);
    /** Longest event and device id accepted. */
    public static final int MAX_ID_LENGTH = 256;

    private EventValidator() {
    }

    /**
     * The first rule {@code event}, received under {@code key} at wall-clock time {@code now}, breaks; empty when it
     * is valid.
     */
    public static Optional<Violation> check(String key, InstallEvent event, Instant now) {
        if (isBlank(event.getEventId()) || event.getEventId().length() > MAX_ID_LENGTH) {
            return invalid("eventId", "eventId must be 1 to " + MAX_ID_LENGTH + " characters, got '"
                    + abbreviate(event.getEventId()) + "'");
        }
        if (isBlank(event.getDeviceId()) || event.getDeviceId().length() > MAX_ID_LENGTH) {
            return invalid("deviceId", "deviceId must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        if (!event.getDeviceId().equals(key)) {
            return invalid("key", "record key '" + abbreviate(key) + "' must equal deviceId '"
                    + abbreviate(event.getDeviceId()) + "' (events are partitioned by device)");
        }
        Instant occurred = event.getOccurredAt();
        if (occurred.isBefore(EARLIEST)) {
            return invalid("occurredAt", "occurredAt " + occurred + " is before " + EARLIEST + ": a device clock error");
        }
        // Both bounds matter: one event from the future would move the task's event-time clock ahead and turn
        // every normal event after it into a late one.
        if (occurred.isAfter(now.plus(CLOCK_SKEW))) {
            return invalid("occurredAt", "occurredAt " + occurred + " is more than " + CLOCK_SKEW.toHours()
                    + " h in the future (now " + now + ")");
        }
        if (occurred.isAfter(event.getReceivedAt().plus(CLOCK_SKEW))) {
            return invalid("occurredAt", "occurredAt " + occurred + " is more than " + CLOCK_SKEW.toHours()
                    + " h after receivedAt " + event.getReceivedAt());
        }
        if (event.getKb() != null && !KbId.isCanonical(event.getKb())) {
            return invalid("kb", "kb '" + abbreviate(event.getKb()) + "' is not a canonical KB id (KB + 6 or 7 digits)");
        }
        return checkInventory(event.getDeviceId(), event.getInventory());
    }

    /**
     * The first rule a device-inventory record breaks (sizes not negative, free space within the partition; field
     * names relative to the inventory); empty when it is valid.
     */
    public static Optional<Violation> checkInventory(DeviceInventory inventory) {
        Optional<Violation> embedded = checkInventory(inventory.getDeviceId(), inventory);
        return embedded.map(v -> new Violation(v.field().replaceFirst("^inventory\\.", ""), v.detail()));
    }

    /**
     * The event with its error code in canonical form; a code that is no HRESULT in any known spelling moves to
     * {@code rawErrorCode} (unless that is already set) so that nothing is lost.
     */
    public static InstallEvent normalized(InstallEvent event) {
        String code = event.getErrorCode();
        if (code == null || ErrorCode.isCanonical(code)) {
            return event;
        }
        Optional<String> canonical = ErrorCode.normalize(code);
        InstallEvent.Builder fixed = InstallEvent.newBuilder(event).setErrorCode(canonical.orElse(null));
        if (event.getRawErrorCode() == null) {
            fixed.setRawErrorCode(code);
        }
        return fixed.build();
    }

    private static Optional<Violation> checkInventory(String deviceId, DeviceInventory inventory) {
        if (inventory == null) {
            return Optional.empty();
        }
        if (!deviceId.equals(inventory.getDeviceId())) {
            return invalid("inventory.deviceId", "embedded inventory belongs to another device");
        }
        RecoveryPartition recovery = inventory.getRecovery();
        if (recovery != null) {
            Long size = recovery.getPartitionSizeBytes();
            Long free = recovery.getFreeBytes();
            if (size != null && size < 0) {
                return invalid("inventory.recovery.partitionSizeBytes", "partition size is negative: " + size);
            }
            if (free != null && free < 0) {
                return invalid("inventory.recovery.freeBytes", "free space is negative: " + free);
            }
            if (size != null && free != null && free > size) {
                return invalid("inventory.recovery.freeBytes", "free space " + free + " exceeds partition size " + size);
            }
        }
        return Optional.empty();
    }

    private static Optional<Violation> invalid(String field, String detail) {
        return Optional.of(new Violation(field, detail));
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
