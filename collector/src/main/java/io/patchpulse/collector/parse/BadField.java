package io.patchpulse.collector.parse;

/**
 * Thrown inside a parser when one field of one item is unusable; the parser turns it into a {@link Problem} for that
 * item and moves on. Never escapes a {@link FormatParser}.
 */
public final class BadField extends RuntimeException {

    private final String field;

    /** {@code field} is a path such as {@code $.columns.hresult} or a column name. */
    public BadField(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** This as a problem of the item at {@code line}. */
    public Problem at(long line) {
        return new Problem(line, field, getMessage());
    }
}
