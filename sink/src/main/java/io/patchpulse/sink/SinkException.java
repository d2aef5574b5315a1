package io.patchpulse.sink;

/** Why the sink stopped: a store error that retries did not cure, a fatal store error, or an unexpected fault. */
public class SinkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
