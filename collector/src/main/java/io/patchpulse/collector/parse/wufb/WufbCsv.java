package io.patchpulse.collector.parse.wufb;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.patchpulse.collector.parse.LineIndex;
import io.patchpulse.collector.parse.ParseResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Splits a CSV export into rows with the physical line each starts on (a quoted value may span lines: Log Analytics
 * quotes the localized {@code Description} and {@code Recommendation} texts, which hold commas, quotes and line
 * breaks). The first non-blank row is the header.
 *
 * <p>Quirks handled: the separator is taken from the header line (comma as the portal writes it; semicolon or tab
 * after a round trip through a localized Excel), or from Excel's {@code sep=;} hint line before it; blank lines are ignored; a second header row (two daily exports
 * concatenated) is ignored; a row with more values than the header has columns is refused, one with fewer is read
 * with the missing trailing values empty. A CSV syntax error (text after a closing quote, a quote never closed)
 * refuses the row it is in and reading resumes on the line after the error.
 *
 * <p>Rows are read as token arrays from Jackson's CSV parser rather than bound through a header schema: that gives
 * each row's start line, keeps the header's zone suffixes for {@link WufbTimes}, and lets a bad row be refused
 * without losing the rest.
 */
final class WufbCsv {

    private static final CsvMapper CSV = new CsvMapper(CsvFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(1 << 20)
                    .maxNumberLength(64)
                    .build())
            .build());

    private WufbCsv() {
    }

    /** Reads {@code text}, handing each data row to {@code rows}; header and syntax problems go to {@code result}. */
    static void read(String text, ParseResult.Builder result, Consumer<WufbRow> rows) {
        char[] chars = text.toCharArray();
        int[] lineStarts = lineStarts(chars);
        LineIndex lines = new LineIndex(text);
        CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(separator(text));
        State state = new State();
        int startLine = 0; // 0-based index of the line the current parser starts on
        while (startLine < lineStarts.length) {
            long rowLine = startLine + 1;
            try (CsvParser parser = (CsvParser) CSV.getFactory().createParser(chars, lineStarts[startLine],
                    chars.length - lineStarts[startLine])) {
                parser.setSchema(schema);
                List<String> values = new ArrayList<>();
                JsonToken token;
                while ((token = parser.nextToken()) != null) {
                    if (token == JsonToken.START_ARRAY) {
                        // At the array start the parser stands at the row's first character.
                        rowLine = startLine + parser.currentLocation().getLineNr();
                        values.clear();
                    } else if (token == JsonToken.END_ARRAY) {
                        if (!state.row(rowLine, values, result, rows)) {
                            return;
                        }
                    } else if (token.isScalarValue()) {
                        if (values.isEmpty()) {
                            // Jackson's line numbers also break at a lone CR; the first value's offset does not.
                            rowLine = lines.lineOf(parser.currentTokenLocation(), lineStarts[startLine], rowLine);
                        }
                        values.add(parser.getText());
                    }
                }
                return;
            } catch (JsonProcessingException e) {
                JsonLocation where = e.getLocation();
                long errorLine = where == null || where.getLineNr() < 1 ? rowLine
                        : lines.lineOf(where, lineStarts[startLine], startLine + where.getLineNr());
                result.reject(rowLine, null, "not valid CSV: " + e.getOriginalMessage()
                        + (errorLine != rowLine ? " (at line " + errorLine + ")" : ""));
                // Resume right after the bad row's first line, not after the error: an unclosed quote makes the
                // error show only at the end of the input and would hide every row after it.
                startLine = (int) Math.max(rowLine, startLine + 1L);
            } catch (IOException e) {
                throw new IllegalStateException("reading CSV from memory cannot fail with I/O", e);
            } catch (RuntimeException e) {
                // Not expected from Jackson on any text; kept so that no input can escape the parser's contract.
                result.reject(rowLine, null, "could not be read (" + e.getClass().getSimpleName() + ": "
                        + e.getMessage() + ")");
                startLine = (int) Math.max(rowLine, startLine + 1L);
            }
        }
    }

    /** The header and what has been read so far. */
    private static final class State {
        private List<WufbRow.Column> header;
        private List<String> rawHeader;

        /** Handles one row; false when reading must stop (a header that names no WUfB columns). */
        boolean row(long line, List<String> values, ParseResult.Builder result, Consumer<WufbRow> rows) {
            if (values.stream().allMatch(String::isBlank)) {
                return true;
            }
            if (header == null && values.size() <= 2
                    && values.get(0).strip().toLowerCase(Locale.ROOT).startsWith("sep=")) {
                return true; // Excel's separator hint line
            }
            if (header == null) {
                rawHeader = values.stream().map(String::strip).toList();
                header = values.stream().map(WufbRow.Column::of).toList();
                if (!WufbTable.anyMarker(header.stream().map(WufbRow.Column::name).toList())) {
                    result.reject(line, null, "the header names no column of the WUfB report tables: expected "
                            + WufbTable.describeMarkers() + "; nothing in this input was read");
                    return false;
                }
                return true;
            }
            if (values.stream().map(String::strip).toList().equals(rawHeader)) {
                return true; // the header of the next export, when daily exports are concatenated
            }
            if (values.size() > header.size()) {
                result.reject(line, null, "has " + values.size() + " values but the header has " + header.size()
                        + " columns (a value with the separator in it, not quoted?)");
                return true;
            }
            WufbRow.Builder row = new WufbRow.Builder(line);
            for (int i = 0; i < values.size(); i++) {
                row.put(header.get(i), values.get(i));
            }
            rows.accept(row.build());
            return true;
        }
    }

    /** The separator of the first non-blank line: comma, semicolon or tab, whichever occurs most; comma on a tie. */
    static char separator(String text) {
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end);
            if (!line.isBlank()) {
                String hint = line.strip();
                if (hint.length() == 5 && hint.toLowerCase(Locale.ROOT).startsWith("sep=")) {
                    return hint.charAt(4);
                }
                long commas = line.chars().filter(c -> c == ',').count();
                long semicolons = line.chars().filter(c -> c == ';').count();
                long tabs = line.chars().filter(c -> c == '\t').count();
                if (semicolons > commas && semicolons >= tabs) {
                    return ';';
                }
                return tabs > commas && tabs > semicolons ? '\t' : ',';
            }
            start = end + 1;
        }
        return ',';
    }

    private static int[] lineStarts(char[] chars) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] == '\n' && i + 1 < chars.length) {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }
}
