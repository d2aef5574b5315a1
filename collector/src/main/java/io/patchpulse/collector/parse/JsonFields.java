package io.patchpulse.collector.parse;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of JSON fields that tolerate the drift real senders show and name the field when they cannot:
 * numbers that arrive as strings (osquery without {@code numerics}, Winlogbeat 8's {@code event_id}), strings that
 * arrive as numbers, Windows PowerShell 5.1 dates ({@code "\/Date(1704806400000)\/"}). Every failure is a
 * {@link BadField} with the path given by the caller.
 */
public final class JsonFields {

    private static final Pattern PS_DATE = Pattern.compile("^/Date\\((-?\\d{1,15})([+-]\\d{4})?\\)/$");

    private JsonFields() {
    }

    /** The child {@code name} of {@code node}, or null when absent or JSON null. */
    public static JsonNode child(JsonNode node, String name) {
        JsonNode child = node == null ? null : node.get(name);
        return child == null || child.isNull() || child.isMissingNode() ? null : child;
    }

    /** {@code node} must be an object. */
    public static JsonNode object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new BadField(path, "expected an object, got " + describe(node));
        }
        return node;
    }

    /** Text of a string, number or boolean; null when absent. */
    public static String text(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isValueNode()) {
            return node.asText();
        }
        throw new BadField(path, "expected a string, got " + describe(node));
    }

    /** Like {@link #text} but required and not blank. */
    public static String requiredText(JsonNode node, String path) {
        String text = text(node, path);
        if (text == null || text.isBlank()) {
            throw new BadField(path, "is required");
        }
        return text;
    }

    /** A whole number given as a JSON number or a decimal string; null when absent or empty. */
    public static Long integer(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw new BadField(path, "number out of range: " + node.asText());
            }
            return node.longValue();
        }
        if (node.isFloatingPointNumber()) {
            double value = node.doubleValue();
            if (value == Math.rint(value) && Math.abs(value) < 9.0e15) {
                return (long) value;
            }
            throw new BadField(path, "expected a whole number, got " + node.asText());
        }
        if (node.isTextual()) {
            String text = node.asText().strip();
            if (text.isEmpty()) {
                return null;
            }
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new BadField(path, "expected a whole number, got '" + abbreviate(text) + "'");
            }
        }
        throw new BadField(path, "expected a whole number, got " + describe(node));
    }

    /** {@link #integer} that must fit an int. */
    public static Integer int32(JsonNode node, String path) {
        Long value = integer(node, path);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new BadField(path, "number out of range: " + value);
        }
        return value.intValue();
    }

    /** A boolean given as JSON boolean, {@code "true"/"false"}, or 0/1; null when absent. */
    public static Boolean bool(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        String text = node.isValueNode() ? node.asText().strip() : "";
        switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "true":
            case "1":
                return true;
            case "false":
            case "0":
                return false;
            default:
                throw new BadField(path, "expected true or false, got " + describe(node));
        }
    }

    /**
     * An instant given as ISO-8601 text (with offset or {@code Z}), a PowerShell 5.1 {@code \/Date(ms)\/} string, or
     * epoch milliseconds as a number; null when absent.
     */
    public static Instant instant(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return Instant.ofEpochMilli(integer(node, path));
        }
        if (!node.isTextual()) {
            throw new BadField(path, "expected a date-time, got " + describe(node));
        }
        String text = node.asText().strip();
        Matcher ps = PS_DATE.matcher(text);
        if (ps.matches()) {
            // The optional +hhmm is the sender's zone for display only: the milliseconds are UTC already.
            return Instant.ofEpochMilli(Long.parseLong(ps.group(1)));
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new BadField(path, "expected an ISO-8601 date-time with offset or \\/Date(ms)\\/, got '"
                        + abbreviate(text) + "'");
            }
        }
    }

    /** {@code node} as an array; a single value where an array was expected (PowerShell 5.1) becomes one element. */
    public static java.util.List<JsonNode> list(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return java.util.List.of();
        }
        if (node.isArray()) {
            java.util.List<JsonNode> items = new java.util.ArrayList<>();
            node.forEach(items::add);
            return items;
        }
        return java.util.List.of(node);
    }

    /** A short description of a node for messages. */
    public static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isTextual()) {
            return "'" + abbreviate(node.asText()) + "'";
        }
        return node.toString();
    }

    /** At most 64 characters of {@code text}. */
    public static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
