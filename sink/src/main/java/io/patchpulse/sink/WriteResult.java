package io.patchpulse.sink;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What one {@link RecordWriter#write} put into the store.
 *
 * @param rowsByTable rows written per table (or measurement); tables without rows may be absent
 * @param newestWindowStart the latest window start in the batch, empty for an empty batch
 */
public record WriteResult(Map<String, Long> rowsByTable, Optional<Instant> newestWindowStart) {

    public WriteResult {
        rowsByTable = Map.copyOf(rowsByTable);
    }

    /** Nothing written. */
    public static WriteResult empty() {
        return new WriteResult(Map.of(), Optional.empty());
    }

    /** Rows written to {@code table}, 0 when none. */
    public long rows(String table) {
        return rowsByTable.getOrDefault(table, 0L);
    }
}
