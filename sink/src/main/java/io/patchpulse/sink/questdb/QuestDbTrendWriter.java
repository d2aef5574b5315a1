package io.patchpulse.sink.questdb;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.sink.RecordWriter;
import io.patchpulse.sink.WriteResult;
import io.questdb.client.Sender;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes {@code failure-trends} values to QuestDB with the line-protocol {@link Sender} over HTTP: one row per value in
 * the trends table, one row per entry of {@code devicesFailedByError} in the errors table, the window start as
 * designated timestamp. Each batch ends with a flush, which over HTTP returns only after QuestDB committed the rows.
 *
 * <p>The tables' {@code DEDUP UPSERT KEYS} (see {@link TrendTables}) make a rewrite of a key an update. Create the
 * tables first ({@link TrendTables#createIfMissing}); line-protocol writes would otherwise create them without
 * deduplication.
 *
 * <p>After a failed write the sender is dropped with its buffer, and the next write opens a new one, so a retried
 * batch is written whole and exactly once into the buffer. Not thread-safe.
 */
public final class QuestDbTrendWriter implements RecordWriter<FailureTrend> {

    private final LineSession session;
    private final TrendTables tables;

    /**
     * A writer for the given {@link Sender} configuration ({@code http::addr=host:port;...}) into {@code tables}.
     * Connects on the first write.
     */
    public QuestDbTrendWriter(String senderConfig, TrendTables tables) {
        this.session = new LineSession(senderConfig);
        this.tables = Objects.requireNonNull(tables, "tables");
    }

    @Override
    public String store() {
        return "questdb";
    }

    @Override
    public WriteResult write(List<FailureTrend> trends) {
        if (trends.isEmpty()) {
            return WriteResult.empty();
        }
        Map<String, FailureTrend> latestByKey = new LinkedHashMap<>();
        for (FailureTrend trend : trends) {
            latestByKey.put(key(trend), trend);
        }
        return session.write(latestByKey.size() + " trends into " + tables.names(), out -> {
            long errorRows = 0;
            Instant newest = Instant.MIN;
            for (FailureTrend trend : latestByKey.values()) {
                appendTrend(out, trend);
                // Sorted: a stable row order makes a batch's line-protocol text reproducible.
                for (Map.Entry<String, Long> error : new TreeMap<>(trend.getDevicesFailedByError()).entrySet()) {
                    appendError(out, trend, error.getKey(), error.getValue());
                    errorRows++;
                }
                if (trend.getWindowStart().isAfter(newest)) {
                    newest = trend.getWindowStart();
                }
            }
            return new WriteResult(
                    Map.of(tables.failureTrends(), (long) latestByKey.size(), tables.failureErrors(), errorRows),
                    Optional.of(newest));
        });
    }

    @Override
    public void close() {
        session.close();
    }

    private void appendTrend(Sender out, FailureTrend trend) {
        out.table(tables.failureTrends())
                .symbol(TrendTables.KB, trend.getKb())
                .symbol(TrendTables.SIZE_BUCKET, trend.getSizeBucket())
                .symbol(TrendTables.FREE_BUCKET, trend.getFreeBucket())
                .symbol(TrendTables.BITLOCKER, trend.getBitlocker())
                .longColumn(TrendTables.ATTEMPTS, trend.getAttempts())
                .longColumn(TrendTables.FAILURES, trend.getFailures())
                .longColumn(TrendTables.DEVICES_ATTEMPTED, trend.getDevicesAttempted())
                .longColumn(TrendTables.DEVICES_FAILED, trend.getDevicesFailed())
                .longColumn(TrendTables.DEVICES_SUCCEEDED, trend.getDevicesSucceeded())
                .at(trend.getWindowStart());
    }

    private void appendError(Sender out, FailureTrend trend, String errorCode, Long devicesFailed) {
        out.table(tables.failureErrors())
                .symbol(TrendTables.KB, trend.getKb())
                .symbol(TrendTables.ERROR_CODE, errorCode)
                .symbol(TrendTables.SIZE_BUCKET, trend.getSizeBucket())
                .symbol(TrendTables.FREE_BUCKET, trend.getFreeBucket())
                .symbol(TrendTables.BITLOCKER, trend.getBitlocker())
                .longColumn(TrendTables.DEVICES_FAILED, devicesFailed == null ? 0L : devicesFailed)
                .at(trend.getWindowStart());
    }

    private static String key(FailureTrend trend) {
        return trend.getWindowStart().toEpochMilli() + "|" + trend.getKb() + "|" + trend.getSizeBucket() + "|"
                + trend.getFreeBucket() + "|" + trend.getBitlocker();
    }
}
