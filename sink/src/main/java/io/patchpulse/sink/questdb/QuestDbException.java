package io.patchpulse.sink.questdb;

/**
 * A QuestDB request failed: QuestDB's own message, the SQL (when there is one), the HTTP status (0 when no answer
 * came) and whether trying again may help (I/O errors, time-outs, HTTP 5xx) or not (the SQL or the data is wrong).
 */
public class QuestDbException extends io.patchpulse.sink.StoreException {

    private static final long serialVersionUID = 1L;

    private final String sql;

    public QuestDbException(String message, String sql, int httpStatus, boolean retriable, Throwable cause) {
        super(message, httpStatus, retriable, cause);
        this.sql = sql;
    }

    /** The SQL that failed, or {@code null} when the failure was not about one statement. */
    public String sql() {
        return sql;
    }
}
