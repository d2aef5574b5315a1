package io.patchpulse.collector.parse.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.CollectedRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The osquery tables PatchPulse reads, recognized by the columns of a row (the query name is the user's choice) and,
 * when the columns fit none, by a table name inside the query name.
 */
enum OsqueryTable {

    WINDOWS_UPDATE_HISTORY(List.of("windows_update_history")) {
        @Override
        boolean fits(JsonNode columns) {
            return columns.has("result_code") && (columns.has("hresult") || columns.has("update_id"));
        }

        @Override
        List<CollectedRecord> read(Row row) {
            return UpdateHistoryRows.read(row);
        }
    },

    BITLOCKER_INFO(List.of("bitlocker_info")) {
        @Override
        boolean fits(JsonNode columns) {
            return columns.has("conversion_status") && columns.has("protection_status");
        }

        @Override
        List<CollectedRecord> read(Row row) {
            return BitLockerRows.read(row);
        }
    },

    /** {@code windows_eventlog} (queried) and the evented {@code windows_events}: the same columns that matter. */
    WINDOWS_EVENTLOG(List.of("windows_eventlog", "windows_events")) {
        @Override
        boolean fits(JsonNode columns) {
            return columns.has("eventid") && (columns.has("provider_name") || columns.has("provider_guid"));
        }

        @Override
        List<CollectedRecord> read(Row row) {
            return EventLogRows.read(row);
        }
    };

    private final List<String> names;

    OsqueryTable(List<String> names) {
        this.names = names;
    }

    /** True when a row with these columns comes from this table. */
    abstract boolean fits(JsonNode columns);

    /** The records of one row (none when it is read fine but says nothing new about update installs). */
    abstract List<CollectedRecord> read(Row row);

    /** The table of a row of query {@code queryName} (may be null) with {@code columns}; empty for other tables. */
    static Optional<OsqueryTable> of(String queryName, JsonNode columns) {
        Optional<OsqueryTable> byColumns = Arrays.stream(values()).filter(t -> t.fits(columns)).findFirst();
        if (byColumns.isPresent() || queryName == null) {
            return byColumns;
        }
        String name = queryName.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.names.stream().anyMatch(name::contains)).findFirst();
    }
}
