package io.patchpulse.collector.parse.wufb;

import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.EventIds;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.validate.EventValidator;
import io.patchpulse.schemas.values.ErrorCode;
import io.patchpulse.schemas.values.KbId;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one row of {@code UCClientUpdateStatus} or {@code UCUpdateAlert} means as an {@link InstallEvent}
 * (DOMAIN.md sections 2 and 3). See {@link WufbParser} for the rules; this class applies them to one row.
 *
 * <p>Event ids hash what identifies the observation (device, update, outcome, the time of the state or the alert
 * id), never {@code TimeGenerated}: the reports resend every row in each daily snapshot, and a row read again
 * tomorrow must give the same id so that the pipeline counts it once.
 */
final class WufbEvents {

    static final String STATUS_ID_PREFIX = "u-";

    private static final Pattern GUID = Pattern.compile(
            "\\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}?");
    private static final String ZERO_GUID = "00000000-0000-0000-0000-000000000000";

    // States are compared in lower case without separators, so "InProgress", "In progress" and "IN_PROGRESS" agree.
    private static final Set<String> FAILED_STATES = Set.of("failed", "installfailed", "error");
    private static final Set<String> FAILED_SUBSTATES = Set.of("installfailed", "updatefailed", "failed");
    private static final Set<String> INSTALLED_STATES = Set.of("installed", "updateinstalled", "succeeded");
    private static final Set<String> INSTALLED_SUBSTATES = Set.of("updateinstalled", "installed");
    private static final Set<String> NOT_ATTEMPTED_STATES = Set.of("unknown", "offering", "offerready", "offered",
            "onhold", "canceled", "cancelled", "uninstalling", "uninstalled", "deferred", "pending", "scheduled");
    private static final Set<String> IN_PROGRESS_STATES = Set.of("installing", "inprogress", "downloading",
            "downloaded", "pendingrestart", "pendingreboot", "restartrequired", "rebootrequired");
    private static final Set<String> REBOOT_PENDING_SUBSTATES = Set.of("restartrequired", "restartpending",
            "rebootrequired", "rebootpending", "pendingrestart", "pendingreboot", "restartinitiated",
            "installedpendingreboot", "installedpendingrestart");
    private static final Set<String> REBOOT_DONE_SUBSTATES = Set.of("updateinstalled", "restartcomplete",
            "rebootcomplete");
    private static final Set<String> REBOOT_ALERT_SUBTYPES = Set.of("installsetuprestartrequired", "restartissue");

    private WufbEvents() {
    }

    /**
     * The install event {@code row} stands for; empty when the row is read fine but is no install observation.
     *
     * @throws BadField naming the column at fault
     */
    static Optional<InstallEvent> toEvent(WufbRow row, ParseContext context) {
        String type = row.text("Type");
        if (type != null && WufbTable.named(type).isEmpty()) {
            return Optional.empty(); // a row of another table in the same export (UCDeviceAlert, UCClient, ...)
        }
        WufbTable table = WufbTable.of(row).orElseThrow(() -> new BadField(null,
                "cannot tell which table this row is from: it has no value in the " + WufbTable.describeMarkers()));
        return table == WufbTable.UPDATE_ALERT ? alert(row, context) : status(row, context);
    }

    private static Optional<InstallEvent> status(WufbRow row, ParseContext context) {
        String state = token(row.text("ClientState"));
        String substate = token(row.text("ClientSubstate"));
        Outcome outcome;
        if (FAILED_STATES.contains(state) || FAILED_SUBSTATES.contains(substate)) {
            outcome = Outcome.FAILED;
        } else if (INSTALLED_STATES.contains(state) || INSTALLED_SUBSTATES.contains(substate)) {
            outcome = Outcome.SUCCEEDED;
        } else if (NOT_ATTEMPTED_STATES.contains(state)) {
            return Optional.empty();
        } else if (REBOOT_PENDING_SUBSTATES.contains(substate) || substate.startsWith("install")) {
            outcome = Outcome.STARTED;
        } else if (substate.startsWith("download") && !substate.endsWith("failed")) {
            outcome = Outcome.DOWNLOAD_STARTED;
        } else if (IN_PROGRESS_STATES.contains(state) && !substate.startsWith("offer")) {
            outcome = Outcome.STARTED;
        } else {
            return Optional.empty(); // offered, not started, or a state this parser does not know: no attempt seen
        }
        String deviceId = deviceId(row, context);
        String kb = kb(row, "TargetKBNumber");
        if (kb == null) {
            kb = KbId.extract(row.text("UpdateDisplayName")).orElse(null);
        }
        Instant at = outcome == Outcome.SUCCEEDED ? eventTime(row, "UpdateInstalledTime", context) : null;
        if (at == null) {
            at = eventTime(row, "ClientSubstateTime", context);
        }
        if (at == null) {
            throw outcome == Outcome.SUCCEEDED
                    ? new BadField("UpdateInstalledTime", "is required for an installed update (ClientSubstateTime, "
                            + "the fallback, is empty too)")
                    : new BadField("ClientSubstateTime", "is required: it is the time of the " + outcome + " state");
        }
        Boolean rebootPending = REBOOT_PENDING_SUBSTATES.contains(substate) || REBOOT_PENDING_SUBSTATES.contains(state)
                ? Boolean.TRUE
                : REBOOT_DONE_SUBSTATES.contains(substate) ? Boolean.FALSE : null;
        String updateId = guid(row.text("UpdateId"));
        // kb first; feature updates and drivers have none, then the update id or the target build names the update.
        String update = firstNonNull(kb, updateId, row.text("TargetBuild"), row.text("TargetVersion"),
                row.text("UpdateDisplayName"));
        return Optional.of(InstallEvent.newBuilder()
                .setEventId(outcome == Outcome.FAILED
                        ? failureId(deviceId, update, at)
                        : EventIds.of(STATUS_ID_PREFIX, WufbTable.CLIENT_UPDATE_STATUS.tableName(), deviceId, update,
                                outcome.name(), at.toEpochMilli()))
                .setDeviceId(deviceId)
                .setOccurredAt(at)
                .setReceivedAt(context.receivedAt())
                .setSource(InputFormat.WUFB.source())
                .setKb(kb)
                .setUpdateGuid(updateId)
                .setUpdateTitle(row.text("UpdateDisplayName"))
                .setOutcome(outcome)
                .setRebootPending(rebootPending)
                .build());
    }

    /**
     * The id of a failure: device, update and time. A {@code Failed} status row and the alert for the same failure
     * are one install result reported twice; with one id the pipeline counts it once. The first to arrive is kept:
     * ingest {@code UCUpdateAlert} (which has the error code) before or with {@code UCClientUpdateStatus}.
     */
    private static String failureId(String deviceId, String update, Instant at) {
        return EventIds.of(STATUS_ID_PREFIX, "failure", deviceId, update, at.toEpochMilli());
    }

    private static Optional<InstallEvent> alert(WufbRow row, ParseContext context) {
        String status = token(row.text("AlertStatus"));
        String type = token(row.text("AlertType"));
        String rawError = row.text("ErrorCode");
        if (status.equals("deleted") || !(status.isEmpty() || status.equals("active") || status.equals("resolved"))) {
            return Optional.empty(); // withdrawn by the service, or a status this parser does not know
        }
        if (!(type.isEmpty() || type.equals("clientupdatealert"))) {
            return Optional.empty(); // service, device and deployment alerts are no install attempts on the client
        }
        if (rawError == null) {
            return Optional.empty(); // informational alerts (safeguard holds, connectivity) carry no failure
        }
        String deviceId = deviceId(row, context);
        String kb = kb(row, "TargetKBNumber");
        Instant at = eventTime(row, "StartTime", context);
        if (at == null) {
            throw new BadField("StartTime", "is required: it is the time of the failure");
        }
        // "0x80070643_C3FD": the extended code after the underscore refines the error; the HRESULT is before it.
        int underscore = rawError.indexOf('_');
        String code = ErrorCode.normalize(underscore < 0 ? rawError : rawError.substring(0, underscore)).orElse(null);
        // From the failure itself, not AlertId: exports that leave that column out give the same id.
        String eventId = failureId(deviceId, kb, at);
        boolean reboot = REBOOT_PENDING_SUBSTATES.contains(token(row.text("ClientSubstate")))
                || REBOOT_ALERT_SUBTYPES.contains(token(row.text("AlertSubtype")));
        return Optional.of(InstallEvent.newBuilder()
                .setEventId(eventId)
                .setDeviceId(deviceId)
                .setOccurredAt(at)
                .setReceivedAt(context.receivedAt())
                .setSource(InputFormat.WUFB.source())
                .setKb(kb)
                .setUpdateGuid(guid(row.text("UpdateId")))
                .setOutcome(Outcome.FAILED)
                .setErrorCode(code)
                .setRawErrorCode(rawError)
                .setRebootPending(reboot ? Boolean.TRUE : null)
                .build());
    }

    /** DeviceName; a hidden name ("#", when the tenant does not collect names) falls back to the Entra or global id. */
    static String deviceId(WufbRow row, ParseContext context) {
        String name = row.text("DeviceName");
        if (name != null && !name.equals("#")) {
            return context.deviceIds().of(name);
        }
        String entraId = row.text("AzureADDeviceId");
        if (entraId != null && !entraId.equals(ZERO_GUID)) {
            return context.deviceIds().of(entraId);
        }
        String globalId = row.text("GlobalDeviceId");
        if (globalId != null) {
            return context.deviceIds().of(globalId);
        }
        throw new BadField("DeviceName", "is required (AzureADDeviceId and GlobalDeviceId are empty too)");
    }

    private static String kb(WufbRow row, String column) {
        String text = row.text(column);
        if (text == null) {
            return null;
        }
        return KbId.normalize(text).orElseThrow(() -> new BadField(column,
                "expected a KB number such as 5034441 or KB5034441, got '" + JsonFields.abbreviate(text) + "'"));
    }

    /** The instant in {@code column}, checked against the pipeline's bounds here so that the problem names the column. */
    private static Instant eventTime(WufbRow row, String column, ParseContext context) {
        Instant at = row.instant(column);
        if (at == null) {
            return null;
        }
        if (at.isBefore(EventValidator.EARLIEST)) {
            throw new BadField(column, at + " is before " + EventValidator.EARLIEST + ": a clock or export error");
        }
        if (at.isAfter(context.receivedAt().plus(EventValidator.CLOCK_SKEW))) {
            throw new BadField(column, at + " is more than " + EventValidator.CLOCK_SKEW.toHours()
                    + " h after the input was received (" + context.receivedAt() + ")");
        }
        return at;
    }

    private static String guid(String text) {
        if (text == null || !GUID.matcher(text).matches()) {
            return null;
        }
        return text.replace("{", "").replace("}", "").toLowerCase(Locale.ROOT);
    }

    private static String token(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder token = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                token.append(Character.toLowerCase(c));
            }
        }
        return token.toString();
    }

    private static String firstNonNull(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
