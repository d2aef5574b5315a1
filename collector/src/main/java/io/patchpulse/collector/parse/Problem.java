package io.patchpulse.collector.parse;

import java.util.Objects;

/**
 * Why one input item (a line, an event, a CSV row) was refused: where it starts ({@code line}, 1-based; 0 when the
 * problem concerns the whole input), the field at fault (a JSON path such as {@code $.winlog.event_id}, a CSV
 * column, an XML element; may be null) and a sentence for a person.
 */
public record Problem(long line, String field, String message) {

    /** The message is required; the line is 0 or more. */
    public Problem {
        Objects.requireNonNull(message, "message");
        if (line < 0) {
            throw new IllegalArgumentException("line must be 0 or more, got " + line);
        }
    }

    /** {@code line 3: $.columns.hresult: expected an integer, got 'abc'}. */
    @Override
    public String toString() {
        String where = line == 0 ? "input" : "line " + line;
        return field == null ? where + ": " + message : where + ": " + field + ": " + message;
    }
}
