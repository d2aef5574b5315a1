package io.patchpulse.sink.questdb;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.TrendFixtures.smallPartitionTrend;
import static io.patchpulse.sink.TrendFixtures.trend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.sink.WriteResult;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The line-protocol writer against a real embedded QuestDB: upserts by window and cohort, errors per code. */
class QuestDbTrendWriterIT {

    private static final Duration WAL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path root;

    private static EmbeddedQuestDb questDb;
    private static QuestDbHttp http;

    @BeforeAll
    static void startQuestDb() {
        questDb = EmbeddedQuestDb.start(root);
        http = new QuestDbHttp(questDb.httpUrl());
    }

    @AfterAll
    static void stopQuestDb() {
        if (questDb != null) {
            questDb.close();
        }
    }

    @Test
    void shouldKeepOneRowPerKeyWithTheLatestTotals() {
        // Given the default tables
        TrendTables tables = TrendTables.defaults();
        tables.createIfMissing(http);
        Instant nextHour = WINDOW.plus(Duration.ofHours(1));
        FailureTrend first = smallPartitionTrend(WINDOW, 3, 2, 3, 2, 1, Map.of("0x80070643", 2L));
        FailureTrend otherCohort = trend(WINDOW, "KB5034441", ">=1GB", ">=250MB", "off", 5, 0, 5, 0, 5, Map.of());
        FailureTrend laterWindow = smallPartitionTrend(nextHour, 1, 1, 1, 1, 0, Map.of("0x80070643", 1L));
        FailureTrend grown = smallPartitionTrend(WINDOW, 10, 6, 8, 5, 4,
                Map.of("0x80070643", 4L, "0x8024200B", 1L));

        try (QuestDbTrendWriter writer = new QuestDbTrendWriter(questDb.senderConfig(), tables)) {
            // When a batch is written, then the same key again (a re-delivery), then a later, larger total for it
            WriteResult firstBatch = writer.write(List.of(first, otherCohort, laterWindow));
            writer.write(List.of(first));
            WriteResult grownBatch = writer.write(List.of(grown));

            assertThat(firstBatch.rows("failure_trends")).isEqualTo(3);
            assertThat(firstBatch.rows("failure_errors")).isEqualTo(2);
            assertThat(firstBatch.newestWindowStart()).contains(nextHour);
            assertThat(grownBatch.rows("failure_errors")).isEqualTo(2);
        }
        http.awaitWalApplied("failure_trends", WAL_TIMEOUT);
        http.awaitWalApplied("failure_errors", WAL_TIMEOUT);

        // Then each window and cohort has exactly one row, holding the latest totals
        List<Map<String, Object>> trends = http.query(
                "SELECT ts, kb, size_bucket, free_bucket, bitlocker, attempts, failures, devices_attempted,"
                        + " devices_failed, devices_succeeded FROM failure_trends ORDER BY ts, size_bucket");
        assertThat(trends).containsExactly(
                row(WINDOW, "KB5034441", "<500MB", "<250MB", "on-tpm", 10, 6, 8, 5, 4),
                row(WINDOW, "KB5034441", ">=1GB", ">=250MB", "off", 5, 0, 5, 0, 5),
                row(nextHour, "KB5034441", "<500MB", "<250MB", "on-tpm", 1, 1, 1, 1, 0));
        // And one failure_errors row per window, cohort and error code
        List<Map<String, Object>> errors = http.query(
                "SELECT ts, kb, error_code, size_bucket, free_bucket, bitlocker, devices_failed FROM failure_errors"
                        + " ORDER BY ts, error_code");
        assertThat(errors).containsExactly(
                errorRow(WINDOW, "0x80070643", 4),
                errorRow(WINDOW, "0x8024200B", 1),
                errorRow(nextHour, "0x80070643", 1));
    }

    @Test
    void shouldLetTheLastValueWinWhenOneBatchHoldsAKeyTwice() {
        TrendTables tables = new TrendTables("trends_same_batch", "errors_same_batch");
        tables.createIfMissing(http);
        FailureTrend older = smallPartitionTrend(WINDOW, 2, 1, 2, 1, 1, Map.of("0x80070643", 1L));
        FailureTrend newer = smallPartitionTrend(WINDOW, 7, 3, 6, 3, 3, Map.of("0x80070643", 3L));

        try (QuestDbTrendWriter writer = new QuestDbTrendWriter(questDb.senderConfig(), tables)) {
            WriteResult result = writer.write(List.of(older, newer));
            assertThat(result.rows("trends_same_batch")).isEqualTo(1);
        }
        http.awaitWalApplied("trends_same_batch", WAL_TIMEOUT);
        http.awaitWalApplied("errors_same_batch", WAL_TIMEOUT);

        assertThat(http.query("SELECT attempts, devices_failed FROM trends_same_batch"))
                .containsExactly(Map.of("attempts", 7L, "devices_failed", 3L));
        assertThat(http.query("SELECT error_code, devices_failed FROM errors_same_batch"))
                .containsExactly(Map.of("error_code", "0x80070643", "devices_failed", 3L));
    }

    @Test
    void shouldNotDoubleCountABatchWrittenTwice() {
        TrendTables tables = new TrendTables("trends_redelivered", "errors_redelivered");
        tables.createIfMissing(http);
        List<FailureTrend> batch = List.of(
                smallPartitionTrend(WINDOW, 4, 4, 2, 2, 0, Map.of("0x80070643", 2L)),
                smallPartitionTrend(WINDOW.plus(Duration.ofHours(1)), 1, 0, 1, 0, 1, Map.of()));

        try (QuestDbTrendWriter writer = new QuestDbTrendWriter(questDb.senderConfig(), tables)) {
            writer.write(batch);
            writer.write(batch);
        }
        http.awaitWalApplied("trends_redelivered", WAL_TIMEOUT);
        http.awaitWalApplied("errors_redelivered", WAL_TIMEOUT);

        assertThat(http.query("SELECT count() n, sum(attempts) attempts FROM trends_redelivered"))
                .containsExactly(Map.of("n", 2L, "attempts", 5L));
        assertThat(http.query("SELECT count() n, sum(devices_failed) failed FROM errors_redelivered"))
                .containsExactly(Map.of("n", 1L, "failed", 2L));
    }

    @Test
    void shouldCreateTablesWithDedupKeysAndToleratePreviousCreation() {
        TrendTables tables = new TrendTables("trends_ddl", "errors_ddl");

        tables.createIfMissing(http);
        tables.createIfMissing(http);

        assertThat(http.query("SELECT \"column\" FROM table_columns('trends_ddl') WHERE upsertKey"))
                .extracting(r -> r.get("column"))
                .containsExactlyInAnyOrder("ts", "kb", "size_bucket", "free_bucket", "bitlocker");
        assertThat(http.query("SELECT \"column\" FROM table_columns('errors_ddl') WHERE upsertKey"))
                .extracting(r -> r.get("column"))
                .containsExactlyInAnyOrder("ts", "kb", "error_code", "size_bucket", "free_bucket", "bitlocker");
        assertThat(http.query("SELECT designatedTimestamp, partitionBy, walEnabled, dedup FROM tables()"
                + " WHERE table_name = 'trends_ddl'"))
                .containsExactly(Map.of("designatedTimestamp", "ts", "partitionBy", "DAY", "walEnabled", true,
                        "dedup", true));
    }

    @Test
    void shouldReportQuestDbsMessageAndTheSqlForBadSql() {
        String sql = "SELECT no_such_column FROM tables()";

        assertThatThrownBy(() -> http.query(sql))
                .isInstanceOfSatisfying(QuestDbException.class, e -> {
                    assertThat(e.sql()).isEqualTo(sql);
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.isRetriable()).isFalse();
                    assertThat(e.getMessage()).contains("Invalid column").contains(sql);
                });
    }

    @Test
    void shouldFailRetriablyWhenQuestDbIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        FailureTrend trend = smallPartitionTrend(WINDOW, 1, 1, 1, 1, 0, Map.of("0x80070643", 1L));
        // Without protocol_version the sender asks the server for it when created; with it, the flush fails.
        for (String config : List.of("http::addr=127.0.0.1:" + closedPort + ";retry_timeout=0;",
                "http::addr=127.0.0.1:" + closedPort + ";retry_timeout=0;protocol_version=2;")) {
            try (QuestDbTrendWriter writer = new QuestDbTrendWriter(config, TrendTables.defaults())) {
                assertThatThrownBy(() -> writer.write(List.of(trend)))
                        .as(config)
                        .isInstanceOfSatisfying(QuestDbException.class, e -> assertThat(e.isRetriable()).isTrue());
            }
        }
        assertThatThrownBy(() -> new QuestDbHttp("http://127.0.0.1:" + closedPort).query("SELECT 1"))
                .isInstanceOfSatisfying(QuestDbException.class, e -> {
                    assertThat(e.isRetriable()).isTrue();
                    assertThat(e.httpStatus()).isZero();
                });
    }

    private static Map<String, Object> row(Instant ts, String kb, String size, String free, String bitlocker,
            long attempts, long failures, long devicesAttempted, long devicesFailed, long devicesSucceeded) {
        return Map.of("ts", ts, "kb", kb, "size_bucket", size, "free_bucket", free, "bitlocker", bitlocker,
                "attempts", attempts, "failures", failures, "devices_attempted", devicesAttempted,
                "devices_failed", devicesFailed, "devices_succeeded", devicesSucceeded);
    }

    private static Map<String, Object> errorRow(Instant ts, String errorCode, long devicesFailed) {
        return Map.of("ts", ts, "kb", "KB5034441", "error_code", errorCode, "size_bucket", "<500MB",
                "free_bucket", "<250MB", "bitlocker", "on-tpm", "devices_failed", devicesFailed);
    }
}
