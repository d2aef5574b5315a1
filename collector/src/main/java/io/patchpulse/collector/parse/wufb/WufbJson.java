package io.patchpulse.collector.parse.wufb;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.LineIndex;
import io.patchpulse.collector.parse.ParseResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Splits a JSON export into rows with their lines. Shapes read:
 *
 * <ul>
 *   <li>an array of row objects, or NDJSON, or several arrays in a row (daily exports concatenated): what the
 *       portal's JSON export, {@code az monitor log-analytics query} (every value a string, plus a
 *       {@code TableName}) and {@code Invoke-AzOperationalInsightsQuery | ConvertTo-Json} write; read through
 *       {@link JsonItems}, so a syntax error costs only its item;</li>
 *   <li>the Log Analytics query API response, {@code {"tables":[{"name":"PrimaryResult","columns":[{"name",
 *       "type"}],"rows":[[...]]}]}}, read by streaming so that each row keeps its own line when the response is
 *       pretty-printed. The Azure Data Explorer v1 spelling ({@code Tables}, {@code TableName}, {@code Columns}
 *       with {@code ColumnName}, {@code Rows}) is read too. A syntax error ends the response (its rows have no
 *       line structure to resume at); the rows before it are kept. An input that starts with a query response
 *       holds query responses only.</li>
 * </ul>
 * Values become text: numbers and booleans as JSON writes them, objects and arrays ({@code dynamic} columns) as JSON.
 */
final class WufbJson {

    private WufbJson() {
    }

    /** Reads {@code text}, handing each row to {@code rows}; syntax and shape problems go to {@code result}. */
    static void read(String text, ParseResult.Builder result, Consumer<WufbRow> rows) {
        if (startsWithQueryResponse(text)) {
            readResponses(text, result, rows);
            return;
        }
        JsonItems.read(text, result, (line, item) -> {
            JsonNode object = JsonFields.object(item, "$");
            if (field(object, "tables") != null) {
                // A query response after other items: its rows have no lines of their own here.
                tablesFromTree(line, field(object, "tables"), result, rows);
                return;
            }
            rows.accept(rowOf(line, object));
        });
    }

    /** True when the first value of {@code text} is an object with a {@code tables} member. */
    private static boolean startsWithQueryResponse(String text) {
        try (JsonParser parser = JsonItems.MAPPER.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                if (parser.currentName().equalsIgnoreCase("tables")) {
                    return true;
                }
                parser.nextToken();
                parser.skipChildren();
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // not JSON of that shape: the item reader will say what is wrong
        }
    }

    private static void readResponses(String text, ParseResult.Builder result, Consumer<WufbRow> rows) {
        LineIndex lines = new LineIndex(text);
        long line = 1;
        try (JsonParser parser = JsonItems.MAPPER.getFactory().createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                line = lines.lineOf(parser.currentTokenLocation(), 0, 1);
                if (token != JsonToken.START_OBJECT) {
                    String got = token == JsonToken.START_ARRAY ? "an array" : "'" + JsonFields.abbreviate(parser.getText()) + "'";
                    parser.skipChildren();
                    result.reject(line, "$", "expected a query response object {\"tables\": [...]}, got " + got);
                    continue;
                }
                long objectLine = line;
                boolean tables = false;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    line = lines.lineOf(parser.currentTokenLocation(), 0, 1);
                    if (name.equalsIgnoreCase("tables") && value == JsonToken.START_ARRAY) {
                        tables = true;
                        readTables(parser, lines, result, rows);
                    } else {
                        parser.skipChildren();
                    }
                }
                if (!tables) {
                    result.reject(objectLine, "tables", "expected a query response with a tables array");
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            long errorLine = where == null || where.getLineNr() < 1 ? line : lines.lineOf(where, 0, where.getLineNr());
            result.reject(Math.max(errorLine, 1), null, "not valid JSON: " + e.getOriginalMessage()
                    + "; the rest of the query response is not read");
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from memory cannot fail with I/O", e);
        } catch (RuntimeException e) {
            // Not expected from Jackson on any text; kept so that no input can escape the parser's contract.
            result.reject(Math.max(line, 1), null, "could not be read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); the rest of the query response is not read");
        }
    }

    /** Reads the elements of a {@code tables} array; the parser stands on its START_ARRAY. */
    private static void readTables(JsonParser parser, LineIndex lines, ParseResult.Builder result,
                                   Consumer<WufbRow> rows)
            throws IOException {
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            endOfInput(parser, token);
            long tableLine = lines.lineOf(parser.currentTokenLocation(), 0, 1);
            if (token != JsonToken.START_OBJECT) {
                parser.skipChildren();
                result.reject(tableLine, "tables", "expected a table object with columns and rows");
                continue;
            }
            readTable(parser, lines, tableLine, result, rows);
        }
    }

    /** Reads one table object; rows that come before the columns wait for them. */
    private static void readTable(JsonParser parser, LineIndex lines, long tableLine, ParseResult.Builder result,
                                  Consumer<WufbRow> rows) throws IOException {
        List<WufbRow.Column> columns = null;
        boolean columnsBad = false;
        List<Map.Entry<Long, JsonNode>> waiting = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            long line = lines.lineOf(parser.currentTokenLocation(), 0, 1);
            if (name.equalsIgnoreCase("columns")) {
                JsonNode spec = parser.readValueAsTree();
                try {
                    columns = columns(spec);
                } catch (BadField e) {
                    result.reject(e.at(line));
                    columnsBad = true;
                }
            } else if (name.equalsIgnoreCase("rows") && value == JsonToken.START_ARRAY) {
                JsonToken rowToken;
                while ((rowToken = parser.nextToken()) != JsonToken.END_ARRAY) {
                    endOfInput(parser, rowToken);
                    long rowLine = lines.lineOf(parser.currentTokenLocation(), 0, 1);
                    JsonNode row = parser.readValueAsTree();
                    if (columnsBad) {
                        continue;
                    }
                    if (columns == null) {
                        waiting.add(Map.entry(rowLine, row));
                    } else {
                        deliver(rowLine, row, columns, result, rows);
                    }
                }
            } else {
                if (name.equalsIgnoreCase("rows")) {
                    result.reject(line, "rows", "expected an array of rows, got '"
                            + JsonFields.abbreviate(parser.getText()) + "'");
                }
                parser.skipChildren();
            }
        }
        if (columns == null) {
            if (!columnsBad) {
                result.reject(tableLine, "columns", "a table without columns: its rows cannot be read");
            }
            return;
        }
        for (Map.Entry<Long, JsonNode> row : waiting) {
            deliver(row.getKey(), row.getValue(), columns, result, rows);
        }
    }

    private static void endOfInput(JsonParser parser, JsonToken token) throws JsonProcessingException {
        if (token == null) {
            throw new com.fasterxml.jackson.core.JsonParseException(parser, "unexpected end of input inside an array");
        }
    }

    /** The column names of a table's {@code columns} ({@code name} or {@code ColumnName} of each). */
    private static List<WufbRow.Column> columns(JsonNode spec) {
        if (spec == null || !spec.isArray()) {
            throw new BadField("columns", "expected an array of columns, got " + JsonFields.describe(spec));
        }
        List<WufbRow.Column> columns = new ArrayList<>();
        for (JsonNode column : spec) {
            JsonNode name = column.isObject() ? firstPresent(column, "name", "ColumnName") : column;
            if (name == null || !name.isTextual()) {
                throw new BadField("columns", "expected each column to have a name, got " + JsonFields.describe(column));
            }
            columns.add(WufbRow.Column.of(name.asText()));
        }
        if (!WufbTable.anyMarker(columns.stream().map(WufbRow.Column::name).toList())) {
            throw new BadField("columns", "names no column of the WUfB report tables: expected "
                    + WufbTable.describeMarkers() + "; the rows of this table are not read");
        }
        return columns;
    }

    private static void deliver(long line, JsonNode row, List<WufbRow.Column> columns, ParseResult.Builder result,
                                Consumer<WufbRow> rows) {
        if (!row.isArray()) {
            result.reject(line, "rows", "expected a row as an array of values, got " + JsonFields.describe(row));
            return;
        }
        if (row.size() != columns.size()) {
            result.reject(line, "rows", "has " + row.size() + " values but the table has " + columns.size() + " columns");
            return;
        }
        WufbRow.Builder builder = new WufbRow.Builder(line);
        for (int i = 0; i < columns.size(); i++) {
            builder.put(columns.get(i), text(row.get(i)));
        }
        rows.accept(builder.build());
    }

    private static void tablesFromTree(long line, JsonNode tables, ParseResult.Builder result, Consumer<WufbRow> rows) {
        if (!tables.isArray()) {
            throw new BadField("tables", "expected an array of tables, got " + JsonFields.describe(tables));
        }
        for (JsonNode table : tables) {
            List<WufbRow.Column> columns;
            try {
                columns = columns(firstPresent(table, "columns", "Columns"));
            } catch (BadField e) {
                result.reject(e.at(line));
                continue;
            }
            JsonNode tableRows = firstPresent(table, "rows", "Rows");
            for (JsonNode row : JsonFields.list(tableRows)) {
                deliver(line, row, columns, result, rows);
            }
        }
    }

    private static WufbRow rowOf(long line, JsonNode object) {
        WufbRow.Builder row = new WufbRow.Builder(line);
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            row.put(WufbRow.Column.of(field.getKey()), text(field.getValue()));
        }
        return row.build();
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static JsonNode field(JsonNode object, String name) {
        return firstPresent(object, name, Character.toUpperCase(name.charAt(0)) + name.substring(1));
    }

    private static JsonNode firstPresent(JsonNode object, String... names) {
        if (object == null || !object.isObject()) {
            return null;
        }
        for (String name : names) {
            JsonNode value = JsonFields.child(object, name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
