package io.patchpulse.collector.parse.wufb;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.FormatParser;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.TextInput;
import io.patchpulse.schemas.avro.InstallEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Windows Update for Business reports exported from Log Analytics / Azure Monitor: rows of
 * {@code UCClientUpdateStatus} and {@code UCUpdateAlert} (DOMAIN.md section 3), as CSV or JSON.
 *
 * <h2>Shapes</h2>
 * The first non-blank character decides: <code>{</code> or {@code [} is JSON, anything else CSV.
 * <ul>
 *   <li>CSV ({@link WufbCsv}): the portal's "Export to CSV" (date columns headed {@code TimeGenerated [UTC]}, dates
 *       as the portal displays them, {@code 1/9/2024, 6:04:11.123 PM}) and CSV from Kusto or the API (plain
 *       headers, ISO dates). Quoted values may hold separators, quotes and line breaks; a row's line is the physical
 *       line it starts on.</li>
 *   <li>JSON ({@link WufbJson}): an array of row objects, NDJSON, or the query API response
 *       {@code {"tables":[{"name","columns","rows"}]}}; a row's line is the line its object or array starts on.</li>
 * </ul>
 * Date-times in every spelling these routes produce are read by {@link WufbTimes}. Each row's table is told by its
 * {@code Type} value or by its columns ({@code UCUpdateAlert}: AlertId, AlertStatus, AlertSubtype, AlertType,
 * ErrorCode; {@code UCClientUpdateStatus}: ClientState, ClientSubstate), so an export of both tables at once is read.
 *
 * <h2>Meaning</h2>
 * <ul>
 *   <li>{@code UCClientUpdateStatus}: an installed state ({@code ClientState} Installed or {@code ClientSubstate}
 *       UpdateInstalled) is {@code SUCCEEDED} at {@code UpdateInstalledTime}, else {@code ClientSubstateTime}; a
 *       failed state ({@code Failed}, {@code InstallFailed}) is {@code FAILED} at {@code ClientSubstateTime}, without
 *       an error code (the table has none: the matching {@code UCUpdateAlert} row carries it). An attempt under way
 *       is reported too, at {@code ClientSubstateTime}, because a state change is news: a download substate is
 *       {@code DOWNLOAD_STARTED}, an install or restart substate {@code STARTED}. States with no attempt (offered,
 *       on hold, canceled, uninstalled, unknown) and state names this parser does not know are skipped.
 *       {@code rebootPending} is true when the substate waits for a restart (RestartRequired, RestartInitiated,
 *       ...), false when the restart is done (UpdateInstalled, RestartComplete), absent otherwise.</li>
 *   <li>{@code UCUpdateAlert}: a client update alert with an {@code ErrorCode} is {@code FAILED} at
 *       {@code StartTime}; {@code rawErrorCode} is the code as given and {@code errorCode} the canonical HRESULT of
 *       its part before the underscore that introduces an extended code ({@code 0x80070643_C3FD}); a code in no
 *       known spelling stays raw only. Resolved alerts are read as well: the failure happened at {@code StartTime}
 *       whatever came after, and the event id does not depend on the status, so an alert seen active yesterday and
 *       resolved today is one event. Deleted alerts, alerts without an error code and service, device and
 *       deployment alerts are skipped. {@code rebootPending} is true when the alert's {@code ClientSubstate} waited
 *       for a restart or its subtype is InstallSetupRestartRequired or RestartIssue (the April 2025 false-failure
 *       pattern, DOMAIN.md rule 5).</li>
 *   <li>Device: {@code DeviceName}; when it is empty or hidden ({@code #}), {@code AzureADDeviceId} (unless all
 *       zeros), then {@code GlobalDeviceId}; always through {@code context.deviceIds()}.</li>
 *   <li>KB: {@code TargetKBNumber} ({@code 5034441} or {@code KB5034441}), else found by pattern in
 *       {@code UpdateDisplayName}; a {@code TargetKBNumber} that is no KB number refuses the row.</li>
 * </ul>
 *
 * <h2>Daily snapshots</h2>
 * The reports resend every row in every daily snapshot with a new {@code TimeGenerated}. Event ids are therefore
 * made only of what identifies the observation (DOMAIN.md rule 3), never of {@code TimeGenerated} or the file:
 * {@code u-} + hash of (table, device id, update, outcome, state time in ms) for status rows, where update is the
 * KB or else the update id, target build or version or display name; and of (table, device id, {@code AlertId}), or
 * without an alert id (table, device id, KB, error code, {@code StartTime} in ms), for alerts. A snapshot read again
 * tomorrow gives the same events with the same ids, and downstream keeps one per device and event id. Within one
 * input the parser drops repeats itself (several days exported at once, concatenated files): a row whose event id
 * was already produced is counted as skipped.
 *
 * <h2>Problems</h2>
 * A row that cannot be used is refused with its line and column ({@code StartTime}: "expected a date-time ..."),
 * and reading goes on. Event times before 2000 or more than a day after receipt are refused here, naming the
 * column. A CSV header or query-response table with no column of either table is one problem, and its rows are not
 * read. Stateless and thread-safe.
 */
public final class WufbParser implements FormatParser {

    private static final Logger LOG = LoggerFactory.getLogger(WufbParser.class);

    @Override
    public InputFormat format() {
        return InputFormat.WUFB;
    }

    @Override
    public ParseResult parse(InputStream input, ParseContext context) throws IOException {
        String text = TextInput.read(input);
        ParseResult.Builder result = ParseResult.builder(context.receivedAt());
        Map<String, Pending> kept = new LinkedHashMap<>();
        java.util.function.Consumer<WufbRow> rows = row -> handle(row, context, result, kept);
        if (isJson(text)) {
            WufbJson.read(text, result, rows);
        } else {
            WufbCsv.read(text, result, rows);
        }
        kept.values().stream().sorted(java.util.Comparator.comparingLong(Pending::line))
                .forEach(p -> result.accept(p.line(), new CollectedRecord.Event(p.event())));
        return result.build();
    }

    /** An event kept for the end of the input, where repeats of it are known. */
    private record Pending(long line, InstallEvent event) {
    }

    /**
     * Repeats of one observation in one input are skipped (another day's snapshot); of a failure reported by a
     * status row and by an alert, the alert is kept, since it carries the error code.
     */
    private static void handle(WufbRow row, ParseContext context, ParseResult.Builder result,
                               Map<String, Pending> kept) {
        try {
            Optional<InstallEvent> event = WufbEvents.toEvent(row, context);
            if (event.isEmpty()) {
                result.skip(row.line());
                return;
            }
            Pending earlier = kept.get(event.get().getEventId());
            if (earlier == null) {
                kept.put(event.get().getEventId(), new Pending(row.line(), event.get()));
            } else if (earlier.event().getErrorCode() == null && event.get().getErrorCode() != null) {
                kept.put(event.get().getEventId(), new Pending(row.line(), event.get()));
                result.skip(earlier.line());
            } else {
                result.skip(row.line());
            }
        } catch (BadField e) {
            result.reject(e.at(row.line()));
        } catch (RuntimeException e) {
            LOG.warn("WUfB parser failed on the row at line {}; it is rejected", row.line(), e);
            result.reject(row.line(), null, "could not be read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
    }

    /** JSON when the first non-blank character opens an object or array. */
    static boolean isJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && c != '\uFEFF') {
                return c == '{' || c == '[';
            }
        }
        return false;
    }
}
