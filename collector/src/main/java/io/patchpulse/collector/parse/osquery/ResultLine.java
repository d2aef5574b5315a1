package io.patchpulse.collector.parse.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.schemas.validate.EventValidator;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The envelope of one result-log line, shared by all its rows: the query name, the host and the time of the query
 * run. Host and time are read when a row needs them, so a line whose rows are all skipped is not refused for a
 * missing host; a problem with them is reported on every row that needs them.
 */
final class ResultLine {

    /** {@code calendarTime}, for example {@code Tue Jan  9 18:04:11 2024 UTC} (spaces collapsed before parsing). */
    private static final DateTimeFormatter CALENDAR_TIME =
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ENGLISH);
    /** Larger values are not seconds of any date a device could report; kept off {@code Instant}'s range limits. */
    private static final long MAX_EPOCH_SECONDS = 253_402_300_799L; // 9999-12-31T23:59:59Z

    private final JsonNode node;
    private final ParseContext context;
    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
            "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}");
    private String deviceId;

    ResultLine(JsonNode node, ParseContext context) {
        this.node = node;
        this.context = context;
    }

    /** The query name, or null when absent or not a string. */
    String name() {
        JsonNode name = node.get("name");
        return name != null && name.isTextual() ? name.asText() : null;
    }

    /**
     * The device id of {@code hostIdentifier}, or of the {@code hostname} decoration when osquery identifies hosts
     * by UUID ({@code --host_identifier=uuid}): other sources name the device by its host name, and one device must
     * get one id.
     */
    String deviceId() {
        if (deviceId == null) {
            String host = JsonFields.requiredText(JsonFields.child(node, "hostIdentifier"), "$.hostIdentifier");
            JsonNode decorations = JsonFields.child(node, "decorations");
            JsonNode hostname = decorations == null || !decorations.isObject() ? null
                    : JsonFields.child(decorations, "hostname");
            if (UUID.matcher(host.strip()).matches() && hostname != null && hostname.isTextual()
                    && !hostname.asText().isBlank()) {
                host = hostname.asText();
            }
            deviceId = context.deviceIds().of(host);
        }
        return deviceId;
    }

    /** When the query ran on the device: {@code unixTime} (number or string), else {@code calendarTime}. */
    Instant observedAt() {
        Long unixTime = JsonFields.integer(JsonFields.child(node, "unixTime"), "$.unixTime");
        if (unixTime != null) {
            return checked(epochSeconds(unixTime, "$.unixTime"), "$.unixTime");
        }
        String calendarTime = JsonFields.text(JsonFields.child(node, "calendarTime"), "$.calendarTime");
        if (calendarTime == null || calendarTime.isBlank()) {
            throw new BadField("$.unixTime", "is required (or calendarTime)");
        }
        String text = calendarTime.strip().replaceAll("\\s+", " ");
        if (text.endsWith(" UTC")) {
            text = text.substring(0, text.length() - 4);
        }
        try {
            return checked(LocalDateTime.parse(text, CALENDAR_TIME).toInstant(ZoneOffset.UTC), "$.calendarTime");
        } catch (DateTimeParseException e) {
            throw new BadField("$.calendarTime", "expected a time such as 'Tue Jan  9 18:04:11 2024 UTC', got '"
                    + JsonFields.abbreviate(calendarTime) + "'");
        }
    }

    /** When the collector received the input. */
    Instant receivedAt() {
        return context.receivedAt();
    }

    /** Unix seconds as an instant, or a problem at {@code path} when no device could mean them. */
    static Instant epochSeconds(long seconds, String path) {
        if (seconds < 0 || seconds > MAX_EPOCH_SECONDS) {
            throw new BadField(path, "unix time out of range: " + seconds);
        }
        return Instant.ofEpochSecond(seconds);
    }

    /** The same bounds the pipeline puts on event times: no clock errors, nothing from the future. */
    private Instant checked(Instant time, String path) {
        if (time.isBefore(EventValidator.EARLIEST)) {
            throw new BadField(path, time + " is before " + EventValidator.EARLIEST + ": a device clock error");
        }
        if (time.isAfter(context.receivedAt().plus(EventValidator.CLOCK_SKEW))) {
            throw new BadField(path, time + " is more than " + EventValidator.CLOCK_SKEW.toHours()
                    + " h after it was received (" + context.receivedAt() + ")");
        }
        return time;
    }
}
