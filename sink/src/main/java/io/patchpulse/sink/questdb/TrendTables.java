package io.patchpulse.sink.questdb;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The QuestDB tables the trends land in (ARCHITECTURE.md, "Trend definitions"), their DDL and their column names.
 *
 * <p>Both are WAL tables with {@code DEDUP UPSERT KEYS} on window start and cohort (plus error code), so writing the
 * same key again replaces the row: a {@code failure-trends} record carries the totals so far, and a re-delivered or
 * newer record for a key must never add to the previous one.
 *
 * @param failureTrends name of the per-cohort table (default {@value #DEFAULT_FAILURE_TRENDS})
 * @param failureErrors name of the per-cohort-and-error table (default {@value #DEFAULT_FAILURE_ERRORS})
 */
public record TrendTables(String failureTrends, String failureErrors) {

    public static final String DEFAULT_FAILURE_TRENDS = "failure_trends";
    public static final String DEFAULT_FAILURE_ERRORS = "failure_errors";

    /** Designated timestamp: the window start. */
    public static final String TS = "ts";
    public static final String KB = "kb";
    public static final String SIZE_BUCKET = "size_bucket";
    public static final String FREE_BUCKET = "free_bucket";
    public static final String BITLOCKER = "bitlocker";
    public static final String ATTEMPTS = "attempts";
    public static final String FAILURES = "failures";
    public static final String DEVICES_ATTEMPTED = "devices_attempted";
    public static final String DEVICES_FAILED = "devices_failed";
    public static final String DEVICES_SUCCEEDED = "devices_succeeded";
    public static final String ERROR_CODE = "error_code";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,126}");

    public TrendTables {
        checkName("failureTrends", failureTrends);
        checkName("failureErrors", failureErrors);
        if (failureTrends.equalsIgnoreCase(failureErrors)) {
            throw new IllegalArgumentException("the two trend tables need different names, both were " + failureTrends);
        }
    }

    /** {@value #DEFAULT_FAILURE_TRENDS} and {@value #DEFAULT_FAILURE_ERRORS}. */
    public static TrendTables defaults() {
        return new TrendTables(DEFAULT_FAILURE_TRENDS, DEFAULT_FAILURE_ERRORS);
    }

    /** Both table names, trends first. */
    public List<String> names() {
        return List.of(failureTrends, failureErrors);
    }

    /** {@code CREATE TABLE IF NOT EXISTS} for the per-cohort table. */
    public String failureTrendsDdl() {
        return "CREATE TABLE IF NOT EXISTS " + failureTrends + " ("
                + TS + " TIMESTAMP, "
                + KB + " SYMBOL, "
                + SIZE_BUCKET + " SYMBOL, "
                + FREE_BUCKET + " SYMBOL, "
                + BITLOCKER + " SYMBOL, "
                + ATTEMPTS + " LONG, "
                + FAILURES + " LONG, "
                + DEVICES_ATTEMPTED + " LONG, "
                + DEVICES_FAILED + " LONG, "
                + DEVICES_SUCCEEDED + " LONG"
                + ") TIMESTAMP(" + TS + ") PARTITION BY DAY WAL "
                + "DEDUP UPSERT KEYS(" + failureTrendsKeys() + ")";
    }

    /** {@code CREATE TABLE IF NOT EXISTS} for the per-cohort-and-error table. */
    public String failureErrorsDdl() {
        return "CREATE TABLE IF NOT EXISTS " + failureErrors + " ("
                + TS + " TIMESTAMP, "
                + KB + " SYMBOL, "
                + ERROR_CODE + " SYMBOL, "
                + SIZE_BUCKET + " SYMBOL, "
                + FREE_BUCKET + " SYMBOL, "
                + BITLOCKER + " SYMBOL, "
                + DEVICES_FAILED + " LONG"
                + ") TIMESTAMP(" + TS + ") PARTITION BY DAY WAL "
                + "DEDUP UPSERT KEYS(" + failureErrorsKeys() + ")";
    }

    /**
     * Creates both tables when missing, and (re)enables deduplication on them: a table that line-protocol writes
     * created on their own would otherwise lack it and add rows where it should replace them.
     *
     * @throws QuestDbException when QuestDB refuses (an existing table of another shape, say) or cannot be reached
     */
    public void createIfMissing(QuestDbHttp http) {
        Objects.requireNonNull(http, "http");
        http.execute(failureTrendsDdl());
        http.execute("ALTER TABLE " + failureTrends + " DEDUP ENABLE UPSERT KEYS(" + failureTrendsKeys() + ")");
        http.execute(failureErrorsDdl());
        http.execute("ALTER TABLE " + failureErrors + " DEDUP ENABLE UPSERT KEYS(" + failureErrorsKeys() + ")");
    }

    private static String failureTrendsKeys() {
        return String.join(", ", TS, KB, SIZE_BUCKET, FREE_BUCKET, BITLOCKER);
    }

    private static String failureErrorsKeys() {
        return String.join(", ", TS, KB, ERROR_CODE, SIZE_BUCKET, FREE_BUCKET, BITLOCKER);
    }

    private static void checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be a plain table name (letters, digits, _), was " + name);
        }
    }
}
