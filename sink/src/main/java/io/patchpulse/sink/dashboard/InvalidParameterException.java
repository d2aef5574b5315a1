package io.patchpulse.sink.dashboard;

/** A request parameter the dashboard API refuses; answered 400 with the parameter's name and what was wrong. */
final class InvalidParameterException extends RuntimeException {

    private final String parameter;

    InvalidParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The name of the offending query or path parameter. */
    String parameter() {
        return parameter;
    }
}
