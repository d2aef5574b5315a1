package io.patchpulse.collector.parse.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.FormatParser;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * osquery result logs ({@code osqueryd.results.log}, one JSON object per line, as the filesystem logger writes them
 * and file shippers or Fleet forward them), in the three shapes osquery writes:
 * <ul>
 *   <li>event format ("differential", and snapshots with {@code --logger_snapshot_event_type}): one row per line in
 *       {@code columns}, with {@code action} {@code added}, {@code removed} or {@code snapshot};</li>
 *   <li>snapshot format: {@code snapshot}, an array of rows, {@code action: "snapshot"};</li>
 *   <li>batched format: {@code diffResults} with {@code added} and {@code removed} arrays.</li>
 * </ul>
 * Every row is its own item (one line of the snapshot or batched shape holds many; they all carry that line's
 * number), so one bad row costs only itself. Rows that were {@code removed} are not new observations and are skipped.
 *
 * <p>The table of a row is recognized by its columns, because the query {@code name} is the user's choice
 * ({@code pack_patchpulse_windows_update_history}); the name decides only when the columns fit no table, so a query
 * named after a table whose row lacks a column PatchPulse needs is rejected naming that column. Tables read:
 * {@code windows_update_history} (install results), {@code bitlocker_info} (BitLocker state of {@code C:}) and
 * {@code windows_eventlog} / the evented {@code windows_events} (Windows events, mapped by
 * {@link io.patchpulse.collector.parse.windows.WindowsEventMapper}); rows of any other table are skipped.
 *
 * <p>Quirks handled: values are strings unless {@code numerics} is true, and {@code unixTime} is a number or a
 * string, so every number is read in both spellings (and the same row gets the same event id either way); HRESULTs
 * are signed decimals; {@code result_code} is a token ({@code Failed}) or, in some versions, the WUA number (4);
 * osquery before 5.22 writes every non-ASCII byte of a string column as the text {@code \xHH}
 * ({@code f\xC3\xBCr} for "für", which also makes the {@code data} column of {@code windows_eventlog} invalid JSON):
 * these are turned back into UTF-8; osquery resends whole tables in snapshot mode, so event ids are built from what
 * identifies the row, never from the line, and the same history row in every snapshot gets the same id. The device
 * id is the keyed hash of {@code hostIdentifier} (a host name or a UUID, as osquery's {@code --host_identifier}
 * says); osquery status-log lines that end up in the same file are skipped.
 */
public final class OsqueryParser implements FormatParser {

    private static final Logger LOG = LoggerFactory.getLogger(OsqueryParser.class);

    @Override
    public InputFormat format() {
        return InputFormat.OSQUERY;
    }

    @Override
    public ParseResult parse(InputStream input, ParseContext context) throws IOException {
        ParseResult.Builder result = ParseResult.builder(context.receivedAt());
        JsonItems.read(input, result, (line, item) -> readLine(line, JsonFields.object(item, "$"), context, result));
        return result.build();
    }

    private static void readLine(long line, JsonNode node, ParseContext context, ParseResult.Builder result) {
        ResultLine envelope = new ResultLine(node, context);
        JsonNode columns = JsonFields.child(node, "columns");
        JsonNode snapshot = JsonFields.child(node, "snapshot");
        JsonNode diff = JsonFields.child(node, "diffResults");
        if (columns != null) {
            String action = JsonFields.text(JsonFields.child(node, "action"), "$.action");
            String wanted = action == null ? "added" : action.strip().toLowerCase(Locale.ROOT);
            switch (wanted) {
                case "removed":
                    result.skip(line); // a row that left the result set: nothing new happened on the device
                    return;
                case "added":
                case "snapshot":
                    readRow(line, envelope, "$.columns", columns, result);
                    return;
                default:
                    throw new BadField("$.action", "expected added, removed or snapshot, got '"
                            + JsonFields.abbreviate(action) + "'");
            }
        }
        if (snapshot != null) {
            List<JsonNode> rows = rows(snapshot, "$.snapshot");
            for (int i = 0; i < rows.size(); i++) {
                readRow(line, envelope, "$.snapshot[" + i + "]", rows.get(i), result);
            }
            return;
        }
        if (diff != null) {
            JsonFields.object(diff, "$.diffResults");
            List<JsonNode> added = rows(JsonFields.child(diff, "added"), "$.diffResults.added");
            List<JsonNode> removed = rows(JsonFields.child(diff, "removed"), "$.diffResults.removed");
            for (int i = 0; i < added.size(); i++) {
                readRow(line, envelope, "$.diffResults.added[" + i + "]", added.get(i), result);
            }
            removed.forEach(row -> result.skip(line));
            return;
        }
        if (node.has("severity") && node.has("message")) {
            result.skip(line); // a status-log line (--logger_plugin with JSON status logs) in the results file
            return;
        }
        throw new BadField("$", "not an osquery result line: expected columns, snapshot or diffResults");
    }

    /** The rows of a {@code snapshot} or {@code diffResults} array (absent: none). */
    private static List<JsonNode> rows(JsonNode array, String path) {
        if (array == null) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new BadField(path, "expected an array of rows, got " + JsonFields.describe(array));
        }
        return JsonFields.list(array);
    }

    private static void readRow(long line, ResultLine envelope, String path, JsonNode node,
                                ParseResult.Builder result) {
        try {
            JsonNode columns = JsonFields.object(node, path);
            Optional<OsqueryTable> table = OsqueryTable.of(envelope.name(), columns);
            if (table.isEmpty()) {
                result.skip(line);
                return;
            }
            List<CollectedRecord> records = table.get().read(new Row(envelope, path, columns));
            if (records.isEmpty()) {
                result.skip(line);
            } else {
                result.accept(line, records);
            }
        } catch (BadField e) {
            result.reject(e.at(line));
        } catch (RuntimeException e) {
            // Caught per row, not per line, so that one unreadable row does not cost the others of a snapshot.
            LOG.warn("osquery row {} of line {} could not be read; it is rejected", path, line, e);
            result.reject(line, path,
                    "could not be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }
}
