package io.patchpulse.collector.parse.osquery;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.EventIds;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.values.ErrorCode;
import io.patchpulse.schemas.values.KbId;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rows of {@code windows_update_history} (the Windows Update Agent's {@code IUpdateHistoryEntry}): one install result
 * each. Only {@code operation} Installation is read; {@code result_code} Succeeded and SucceededWithErrors become
 * {@code SUCCEEDED}, Failed {@code FAILED}, Aborted {@code OTHER} (an attempt that neither failed nor succeeded);
 * NotStarted, InProgress and the empty code (osquery's value for codes it does not know) are not results yet and are
 * skipped. {@code hresult} is a signed 32-bit decimal; 0 means no error.
 */
final class UpdateHistoryRows {

    private UpdateHistoryRows() {
    }

    /** WUA's {@code OperationResultCode}, by osquery's token and by number. */
    private enum ResultCode {
        NOT_STARTED("NotStarted", null),
        IN_PROGRESS("InProgress", null),
        SUCCEEDED("Succeeded", Outcome.SUCCEEDED),
        SUCCEEDED_WITH_ERRORS("SucceededWithErrors", Outcome.SUCCEEDED),
        FAILED("Failed", Outcome.FAILED),
        ABORTED("Aborted", Outcome.OTHER);

        private final String token;
        private final Outcome outcome;

        ResultCode(String token, Outcome outcome) {
            this.token = token;
            this.outcome = outcome;
        }

        /** The code in {@code text}: a token (case and spaces ignored) or its number 0-5; null for empty. */
        static ResultCode of(String text, String path) {
            String wanted = text.replace(" ", "").strip();
            if (wanted.isEmpty()) {
                return null;
            }
            for (ResultCode code : values()) {
                if (code.token.equalsIgnoreCase(wanted) || String.valueOf(code.ordinal()).equals(wanted)) {
                    return code;
                }
            }
            throw new BadField(path, "expected Succeeded, SucceededWithErrors, Failed, Aborted, InProgress, NotStarted"
                    + " or their numbers 0-5, got '" + JsonFields.abbreviate(text) + "'");
        }
    }

    static List<CollectedRecord> read(Row row) {
        if (!isInstallation(row)) {
            return List.of();
        }
        if (!row.has("result_code")) {
            throw new BadField(row.path("result_code"), "is required");
        }
        String resultText = row.text("result_code");
        ResultCode result = resultText == null ? null : ResultCode.of(resultText, row.path("result_code"));
        if (result == null || result.outcome == null) {
            return List.of();
        }
        Long date = row.integer("date");
        if (date == null) {
            throw new BadField(row.path("date"), "is required");
        }
        Instant occurredAt = ResultLine.epochSeconds(date, row.path("date"));
        String title = OsqueryText.decodeByteEscapes(row.nonBlankText("title"));
        String updateId = row.nonBlankText("update_id");
        String guid = updateId == null ? null : updateId.replace("{", "").replace("}", "").toLowerCase(Locale.ROOT);
        Long revision = row.integer("update_revision");
        Long hresult = row.integer("hresult");
        boolean hasError = hresult != null && hresult != 0;
        String deviceId = row.line().deviceId();

        InstallEvent event = InstallEvent.newBuilder()
                // Numbers as numbers and the result as its token: the same history row gets the same id in every
                // snapshot, with numerics on or off, so the pipeline counts it once.
                // Without update_id the title tells two updates apart.
                .setEventId(guid != null
                        ? EventIds.of("q-", deviceId, guid, revision, date, result.token, hresult)
                        : EventIds.of("q-", deviceId, null, revision, date, result.token, hresult, title))
                .setDeviceId(deviceId)
                .setOccurredAt(occurredAt)
                .setReceivedAt(row.line().receivedAt())
                .setSource(InputFormat.OSQUERY.source())
                .setOutcome(result.outcome)
                .setKb(title == null ? null : KbId.extract(title).orElse(null))
                .setUpdateGuid(guid)
                .setUpdateTitle(title)
                .setRawErrorCode(hasError ? row.text("hresult").strip() : null)
                .setErrorCode(hasError ? canonical(hresult) : null)
                .build();
        EventChecks.check(event, row.line().receivedAt(), Map.of(
                "occurredAt", row.path("date"),
                "kb", row.path("title"),
                "deviceId", "$.hostIdentifier",
                "key", "$.hostIdentifier"));
        return List.of(new CollectedRecord.Event(event));
    }

    /**
     * True for an installation; false for an uninstallation or the empty operation osquery writes for operations it
     * does not know. The column is required: without it an uninstallation would pass for an install.
     */
    private static boolean isInstallation(Row row) {
        if (row.get("operation") == null) {
            throw new BadField(row.path("operation"), "is required (Installation or Uninstallation)");
        }
        String operation = row.text("operation").strip();
        if (operation.equalsIgnoreCase("Installation") || operation.equals("1")) {
            return true;
        }
        if (operation.isEmpty() || operation.equalsIgnoreCase("Uninstallation") || operation.equals("2")) {
            return false;
        }
        throw new BadField(row.path("operation"), "expected Installation or Uninstallation, got '"
                + JsonFields.abbreviate(operation) + "'");
    }

    /**
     * The canonical spelling of an HRESULT osquery wrote as a decimal. Read from the number, not the text: the text
     * {@code 80070643} is ambiguous to {@link ErrorCode#parse}, the number is not. Out-of-range numbers have no
     * canonical form (the raw value is kept).
     */
    private static String canonical(long hresult) {
        if (hresult < Integer.MIN_VALUE || hresult > 0xFFFF_FFFFL) {
            return null;
        }
        return new ErrorCode((int) hresult).canonical();
    }
}
