package io.patchpulse.collector.parse.wufb;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The two WUfB report tables PatchPulse reads, told apart by their columns (an export carries no table name unless
 * its query kept the {@code Type} column).
 */
enum WufbTable {
    /** Per device and update: where the update stands on the client. */
    CLIENT_UPDATE_STATUS("UCClientUpdateStatus", List.of("ClientState", "ClientSubstate", "UpdateInstalledTime")),
    /** Per device and update: an alert, often with the client's error code. */
    UPDATE_ALERT("UCUpdateAlert", List.of("AlertId", "AlertStatus", "AlertSubtype", "AlertType", "ErrorCode"));

    private final String tableName;
    private final List<String> markers;

    WufbTable(String tableName, List<String> markers) {
        this.tableName = tableName;
        this.markers = markers;
    }

    String tableName() {
        return tableName;
    }

    /** What the columns of both tables that tell them apart are, for messages. */
    static String describeMarkers() {
        return "UCUpdateAlert columns (" + String.join(", ", UPDATE_ALERT.markers) + ") or UCClientUpdateStatus columns ("
                + String.join(", ", CLIENT_UPDATE_STATUS.markers) + ")";
    }

    /** True when {@code columns} (names without zone suffix) include a marker column of either table. */
    static boolean anyMarker(Collection<String> columns) {
        for (String column : columns) {
            for (WufbTable table : values()) {
                if (table.markers.stream().anyMatch(column::equalsIgnoreCase)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The table called {@code type} (case-insensitive); empty for another or no name. */
    static Optional<WufbTable> named(String type) {
        if (type != null) {
            for (WufbTable table : values()) {
                if (table.tableName.equalsIgnoreCase(type.strip())) {
                    return Optional.of(table);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The table {@code row} belongs to: by its {@code Type} value when it names one of the tables (an export of a
     * union of both), else by the marker columns that hold a value; alert markers first, since
     * {@code UCUpdateAlert} also carries {@code ClientSubstate} and {@code TargetKBNumber}.
     */
    static Optional<WufbTable> of(WufbRow row) {
        Optional<WufbTable> named = named(row.text("Type"));
        if (named.isPresent()) {
            return named;
        }
        if (UPDATE_ALERT.markers.stream().anyMatch(row::has)) {
            return Optional.of(UPDATE_ALERT);
        }
        if (CLIENT_UPDATE_STATUS.markers.stream().anyMatch(row::has)) {
            return Optional.of(CLIENT_UPDATE_STATUS);
        }
        return Optional.empty();
    }
}
