package io.patchpulse.sink.victoriametrics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds InfluxDB line-protocol text ({@code measurement,tag=value field=1i 1704808800000000000}), one line per call
 * chain {@link #measurement} ... {@link #at}, and counts lines per measurement.
 *
 * <p>Escaping follows the line-protocol rules: in measurements a backslash, comma or space is escaped; in tag keys,
 * tag values and field keys also an equals sign. Line breaks cannot be escaped in line protocol, so they become
 * spaces. An empty tag value is not allowed by the protocol and is written as {@code unknown}. Integers carry the
 * {@code i} suffix; doubles are written in plain decimal notation without trailing zeros (a float without the {@code i} suffix), and NaN or infinite doubles are left out (the
 * protocol has no spelling for them). Timestamps are nanoseconds since the epoch. Not thread-safe.
 */
public final class LineProtocol {

    /** Written for an empty tag value, which line protocol cannot express. */
    public static final String EMPTY_TAG_VALUE = "unknown";

    private final StringBuilder text = new StringBuilder();
    private final Map<String, Long> linesByMeasurement = new LinkedHashMap<>();
    private String measurement;
    private int fields;

    /** Starts a line. The previous line must have been ended with {@link #at}. */
    public LineProtocol measurement(String name) {
        if (measurement != null) {
            throw new IllegalStateException("line for " + measurement + " not ended with at(...)");
        }
        measurement = Objects.requireNonNull(name, "name");
        fields = 0;
        escape(name, false);
        return this;
    }

    /** Adds a tag (a label in VictoriaMetrics); tags must come before the first field. */
    public LineProtocol tag(String key, String value) {
        requireLine();
        if (fields > 0) {
            throw new IllegalStateException("tag " + key + " after a field");
        }
        text.append(',');
        escape(key, true);
        text.append('=');
        escape(value == null || value.isEmpty() ? EMPTY_TAG_VALUE : value, true);
        return this;
    }

    /** Adds an integer field. */
    public LineProtocol field(String key, long value) {
        startField(key);
        text.append(value).append('i');
        return this;
    }

    /** Adds a double field, or nothing when {@code value} is null, NaN or infinite. */
    public LineProtocol field(String key, Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return this;
        }
        startField(key);
        // Plain notation: parsers differ on exponents ("1.0E-4"), none on "0.0001".
        text.append(BigDecimal.valueOf(value).stripTrailingZeros().toPlainString());
        return this;
    }

    /** Ends the line with its timestamp, in nanoseconds since the epoch. */
    public LineProtocol at(Instant timestamp) {
        requireLine();
        if (fields == 0) {
            throw new IllegalStateException("line for " + measurement + " has no field");
        }
        long nanos = Math.addExact(Math.multiplyExact(timestamp.getEpochSecond(), 1_000_000_000L), timestamp.getNano());
        text.append(' ').append(nanos).append('\n');
        linesByMeasurement.merge(measurement, 1L, Long::sum);
        measurement = null;
        return this;
    }

    /** The text of all ended lines, each ending with a line feed. */
    public String text() {
        return text.toString();
    }

    /** Ended lines per measurement, in the order measurements first appeared. */
    public Map<String, Long> linesByMeasurement() {
        return Map.copyOf(linesByMeasurement);
    }

    /** True when no line has been ended yet. */
    public boolean isEmpty() {
        return linesByMeasurement.isEmpty();
    }

    private void startField(String key) {
        requireLine();
        text.append(fields == 0 ? ' ' : ',');
        escape(key, true);
        text.append('=');
        fields++;
    }

    private void requireLine() {
        if (measurement == null) {
            throw new IllegalStateException("no line started: call measurement(...) first");
        }
    }

    private void escape(String value, boolean escapeEquals) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n', '\r' -> text.append("\\ ");
                case ',', ' ', '\\' -> text.append('\\').append(c);
                case '=' -> {
                    if (escapeEquals) {
                        text.append('\\');
                    }
                    text.append(c);
                }
                default -> text.append(c);
            }
        }
    }
}
