package io.patchpulse.collector.parse.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.JsonFields;

/**
 * One result row: its columns, the line it came in, and its JSON path ({@code $.columns}, {@code $.snapshot[3]},
 * {@code $.diffResults.added[0]}) so that a problem names {@code $.snapshot[3].date}. Column values are read with
 * {@link JsonFields}, which takes numbers as numbers or strings ({@code numerics} true or false).
 */
record Row(ResultLine line, String path, JsonNode columns) {

    /** The path of {@code column} in this row. */
    String path(String column) {
        return path + "." + column;
    }

    /** True when the row has the column, even as JSON null. */
    boolean has(String column) {
        return columns.has(column);
    }

    /** The value of {@code column}, or null when absent or JSON null. */
    JsonNode get(String column) {
        return JsonFields.child(columns, column);
    }

    /** Text of {@code column}; null when absent. */
    String text(String column) {
        return JsonFields.text(get(column), path(column));
    }

    /** Text of {@code column}, null when absent or blank. */
    String nonBlankText(String column) {
        String text = text(column);
        return text == null || text.isBlank() ? null : text.strip();
    }

    /** Whole number in {@code column}, as a number or a string; null when absent or empty. */
    Long integer(String column) {
        return JsonFields.integer(get(column), path(column));
    }
}
