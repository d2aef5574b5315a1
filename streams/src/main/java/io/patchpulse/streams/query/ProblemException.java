package io.patchpulse.streams.query;

/**
 * An answer that is an RFC 9457 problem: the status, what was wrong, and for bad input the query or path
 * parameter at fault (written as the RFC's {@code invalid-params} member).
 */
final class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String parameter;
    private final String reason;

    ProblemException(int status, String detail) {
        super(detail);
        this.status = status;
        this.parameter = null;
        this.reason = null;
    }

    private ProblemException(String parameter, String reason) {
        super(parameter + ": " + reason);
        this.status = 400;
        this.parameter = parameter;
        this.reason = reason;
    }

    /** 400 naming {@code parameter}. */
    static ProblemException badParameter(String parameter, String reason) {
        return new ProblemException(parameter, reason);
    }

    int status() {
        return status;
    }

    /** The parameter at fault, or null. */
    String parameter() {
        return parameter;
    }

    /** What was wrong with the parameter, or null. */
    String reason() {
        return reason;
    }
}
