package io.patchpulse.streams.query;

/** A store cannot be read right now (rebalancing, restoring, not started): retry shortly, the API says 503. */
public final class NotQueryableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NotQueryableException(String message) {
        super(message);
    }

    public NotQueryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
