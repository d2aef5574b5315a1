package io.patchpulse.collector.publish;

/**
 * Records were not acknowledged by Kafka. Carries the first failure as its cause and how many records failed, so a
 * caller can tell the user exactly what was lost.
 */
public final class PublishException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long failedRecords;

    PublishException(String message, long failedRecords, Throwable cause) {
        super(message, cause);
        this.failedRecords = failedRecords;
    }

    /** Records whose send failed (at the time this exception was made). */
    public long failedRecords() {
        return failedRecords;
    }
}
