package io.patchpulse.bench.latency;

/**
 * A probe's evidence never showed up within its time-out: the run measured nothing trustworthy. A missing
 * observation is an error, never a number; what was measured until then travels with the exception for diagnosis.
 */
public final class ProbeIncompleteException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final transient Object partialResult;

    ProbeIncompleteException(String message, Object partialResult) {
        super(message);
        this.partialResult = partialResult;
    }

    /** The result as far as it went: a {@link LatencyResult} or an {@link AlertDelayResult}. */
    public Object partialResult() {
        return partialResult;
    }
}
