package io.patchpulse.collector.parse.wufb;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One row of a WUfB report table, whatever carried it (a CSV line, a JSON object, a row of a query response): the
 * line it starts on and its values by column name. Column names are matched case-insensitively and without the
 * zone suffix the portal appends to date columns ({@code TimeGenerated [UTC]} is {@code TimeGenerated}); the suffix
 * is kept as the column's zone label for {@link WufbTimes}.
 */
final class WufbRow {

    /** Greedy name, stripped in code: a lazy name before {@code \s*} backtracks quadratically on long blank runs. */
    private static final Pattern ZONE_SUFFIX = Pattern.compile("^(.*)\\[([^\\]]*)\\]$");

    /** A column as a header spells it: its name and the zone label in brackets, if any. */
    record Column(String name, String zoneLabel) {

        /** {@code TimeGenerated [UTC]} is column {@code TimeGenerated} in zone {@code UTC}. */
        static Column of(String header) {
            String text = header.replace("\uFEFF", "").strip();
            if (text.length() > 256) {
                return new Column(text, null); // no real column name is this long
            }
            Matcher m = ZONE_SUFFIX.matcher(text);
            if (m.matches() && !m.group(1).isBlank()) {
                return new Column(m.group(1).strip(), m.group(2).strip());
            }
            return new Column(text, null);
        }
    }

    private final long line;
    private final Map<String, String> values;
    private final Map<String, String> zones;

    private WufbRow(long line, Map<String, String> values, Map<String, String> zones) {
        this.line = line;
        this.values = values;
        this.zones = zones;
    }

    /** Builds a row value by value; the first value of a column wins. */
    static final class Builder {
        private final long line;
        private final Map<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private final Map<String, String> zones = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

        Builder(long line) {
            this.line = line;
        }

        Builder put(Column column, String value) {
            if (column.name().isEmpty() || values.containsKey(column.name())) {
                return this;
            }
            values.put(column.name(), value);
            if (column.zoneLabel() != null) {
                zones.put(column.name(), column.zoneLabel());
            }
            return this;
        }

        WufbRow build() {
            return new WufbRow(line, Collections.unmodifiableMap(values), Collections.unmodifiableMap(zones));
        }
    }

    long line() {
        return line;
    }

    /** The value of {@code column}, stripped; null when the column is absent or blank. */
    String text(String column) {
        String value = values.get(column);
        if (value == null) {
            return null;
        }
        String stripped = value.strip();
        return stripped.isEmpty() ? null : stripped;
    }

    /** True when {@code column} has a non-blank value. */
    boolean has(String column) {
        return text(column) != null;
    }

    /** The instant in {@code column}; null when blank. */
    Instant instant(String column) {
        String text = text(column);
        return text == null ? null : WufbTimes.parse(text, zones.get(column), column);
    }
}
