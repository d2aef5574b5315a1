package io.patchpulse.sink.questdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * SQL over QuestDB's HTTP endpoint {@code /exec?query=...}: reads as rows of column name to value, DDL and other
 * statements without rows, and a wait for a WAL table to catch up. Thread-safe.
 *
 * <p>Values are converted by QuestDB column type: BYTE, SHORT, INT, LONG to {@link Long}; FLOAT, DOUBLE to
 * {@link Double}; BOOLEAN to {@link Boolean}; DATE, TIMESTAMP, TIMESTAMP_NS to {@link Instant}; SQL NULL to
 * {@code null}; anything else to its JSON text ({@link String}).
 *
 * <p>Failures are {@link QuestDbException}s carrying QuestDB's message and the SQL; I/O errors, time-outs and HTTP 5xx
 * are marked retriable.
 */
public final class QuestDbHttp {

    /** Time allowed to open a connection unless told otherwise. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Time allowed for one statement's answer unless told otherwise. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration WAL_POLL_INTERVAL = Duration.ofMillis(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final Duration requestTimeout;
    private final HttpClient client;

    /** A client for the QuestDB HTTP server at {@code baseUrl} (e.g. {@code http://127.0.0.1:9000}), default time-outs. */
    public QuestDbHttp(String baseUrl) {
        this(baseUrl, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /** A client for the QuestDB HTTP server at {@code baseUrl} with the given time-outs. */
    public QuestDbHttp(String baseUrl, Duration connectTimeout, Duration requestTimeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        URI uri = URI.create(baseUrl);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("QuestDB HTTP URL must look like http://host:port, was " + baseUrl);
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.client = HttpClient.newBuilder()
                // QuestDB speaks HTTP/1.1 only; skip the h2c upgrade attempt.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
                .build();
    }

    /** The base URL requests go to. */
    public String baseUrl() {
        return baseUrl;
    }

    /** Runs a query and returns its rows in order, each a map from column name to value (in column order). */
    public List<Map<String, Object>> query(String sql) {
        JsonNode answer = exec(sql);
        JsonNode columns = answer.path("columns");
        JsonNode dataset = answer.path("dataset");
        if (!columns.isArray() || !dataset.isArray()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(columns.size());
        List<String> types = new ArrayList<>(columns.size());
        for (JsonNode column : columns) {
            names.add(column.path("name").asText());
            types.add(column.path("type").asText().toUpperCase(Locale.ROOT));
        }
        List<Map<String, Object>> rows = new ArrayList<>(dataset.size());
        for (JsonNode values : dataset) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                row.put(names.get(i), convert(values.get(i), types.get(i), sql));
            }
            rows.add(Collections.unmodifiableMap(row));
        }
        return List.copyOf(rows);
    }

    /** Runs a statement that returns no rows (DDL, INSERT, UPDATE ...). */
    public void execute(String ddl) {
        exec(ddl);
    }

    /**
     * Waits until every transaction committed to {@code table}'s WAL has been applied ({@code wal_tables()} shows
     * {@code writerTxn == sequencerTxn}), so that reads see all committed rows.
     *
     * @throws QuestDbException when the table is suspended (QuestDB's error attached), or when it is not caught up
     *     (or not found) within {@code timeout}
     */
    public void awaitWalApplied(String table, Duration timeout) {
        String sql = "SELECT name, suspended, writerTxn, sequencerTxn, errorMessage FROM wal_tables() WHERE name = '"
                + table.replace("'", "''") + "'";
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not listed in wal_tables() (missing, or not a WAL table)";
        while (true) {
            List<Map<String, Object>> rows = query(sql);
            if (!rows.isEmpty()) {
                Map<String, Object> row = rows.get(0);
                if (Boolean.TRUE.equals(row.get("suspended"))) {
                    throw new QuestDbException("WAL table " + table + " is suspended: " + row.get("errorMessage"),
                            sql, 200, false, null);
                }
                Object writerTxn = row.get("writerTxn");
                Object sequencerTxn = row.get("sequencerTxn");
                if (writerTxn instanceof Long writer && sequencerTxn instanceof Long sequencer && writer >= sequencer) {
                    return;
                }
                last = "writerTxn " + writerTxn + ", sequencerTxn " + sequencerTxn;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new QuestDbException("WAL of table " + table + " not applied within " + timeout + ": " + last,
                        sql, 200, true, null);
            }
            pause(WAL_POLL_INTERVAL, sql);
        }
    }

    private JsonNode exec(String sql) {
        Objects.requireNonNull(sql, "sql");
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(baseUrl + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Covers HttpTimeoutException and connection refused: the server may be back on the next try.
            throw new QuestDbException("QuestDB at " + baseUrl + " did not answer (" + e + ") to: " + sql,
                    sql, 0, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuestDbException("interrupted while waiting for QuestDB at " + baseUrl + " to answer: " + sql,
                    sql, 0, false, e);
        }
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status / 100 != 2 || body.hasNonNull("error")) {
            String message = body.hasNonNull("error") ? body.get("error").asText() : abbreviate(response.body());
            String position = body.hasNonNull("position") ? " at position " + body.get("position").asInt() : "";
            throw new QuestDbException("QuestDB rejected the SQL (HTTP " + status + "): " + message + position
                    + "; SQL: " + sql, sql, status, status >= 500, null);
        }
        return body;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            // Not JSON (a proxy's error page, say): the caller reports the raw text.
            return JSON.createObjectNode();
        }
    }

    private static Object convert(JsonNode value, String type, String sql) {
        if (value == null || value.isNull()) {
            return null;
        }
        switch (type) {
            case "BYTE", "SHORT", "INT", "LONG":
                return value.asLong();
            case "FLOAT", "DOUBLE":
                return value.asDouble();
            case "BOOLEAN":
                return value.asBoolean();
            case "DATE", "TIMESTAMP", "TIMESTAMP_NS":
                try {
                    return Instant.parse(value.asText());
                } catch (DateTimeParseException e) {
                    throw new QuestDbException("unexpected " + type + " value '" + value.asText()
                            + "' from QuestDB for: " + sql, sql, 200, false, e);
                }
            default:
                return value.isTextual() ? value.asText() : value.toString();
        }
    }

    private static void pause(Duration duration, String sql) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuestDbException("interrupted while waiting for the WAL to be applied", sql, 0, false, e);
        }
    }

    private static String abbreviate(String text) {
        if (text == null || text.isBlank()) {
            return "(empty answer)";
        }
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
