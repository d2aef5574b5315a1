package io.patchpulse.sink.questdb;

/**
 * A QuestDB request failed: QuestDB's own message, the SQL (when there is one), the HTTP status (0 when no answer
 * came) and whether trying again may help (I/O errors, time-outs, HTTP 5xx) or not (the SQL or the data is wrong).
 */
public class QuestDbException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String sql;
    private final int httpStatus;
    private final boolean retriable;

    public QuestDbException(String message, String sql, int httpStatus, boolean retriable, Throwable cause) {
        super(message, cause);
        this.sql = sql;
        this.httpStatus = httpStatus;
        this.retriable = retriable;
    }

    /** The SQL that failed, or {@code null} when the failure was not about one statement. */
    public String sql() {
        return sql;
    }

    /** The HTTP status QuestDB answered with, or 0 when there was no answer (I/O error, time-out). */
    public int httpStatus() {
        return httpStatus;
    }

    /** True when the same request may succeed later: I/O error, time-out, HTTP 5xx. */
    public boolean isRetriable() {
        return retriable;
    }
}
