package io.patchpulse.sink;

/**
 * A store did not take a write or a query: its own message, the HTTP status (0 when no answer came) and whether
 * trying again may help (I/O errors, time-outs, HTTP 5xx, 429) or not (the request or the data is wrong).
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final boolean retriable;

    public StoreException(String message, int httpStatus, boolean retriable, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.retriable = retriable;
    }

    /** The HTTP status the store answered with, or 0 when there was no answer (I/O error, time-out). */
    public int httpStatus() {
        return httpStatus;
    }

    /** True when the same request may succeed later. */
    public boolean isRetriable() {
        return retriable;
    }

    /** Retriable unless the store answered with a 4xx other than 408 and 429. */
    public static boolean retriableStatus(int httpStatus) {
        return httpStatus == 0 || httpStatus == 408 || httpStatus == 429 || httpStatus >= 500;
    }
}
