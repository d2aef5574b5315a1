package io.patchpulse.sink.questdb;

import io.patchpulse.sink.RecordWriter;
import io.patchpulse.sink.WriteResult;
import io.questdb.client.Sender;
import io.questdb.cutlass.line.LineSenderException;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes one topic's values into one {@link QuestDbTable}, one row per value, with the line-protocol {@link Sender}
 * over HTTP. Each batch ends with a flush, which over HTTP returns only after QuestDB committed the rows.
 *
 * <p>Idempotent through the table's {@code DEDUP UPSERT KEYS}: within a batch the last value per key is the only one
 * sent, and a value whose key the table holds replaces that row. Create the table first
 * ({@link QuestDbTable#createIfMissing}, or {@link QuestDbTables#createIfMissing} for all of them); line-protocol
 * writes would otherwise create it without deduplication.
 *
 * <p>After a failed write the sender is dropped with its buffer, and the next write opens a new one, so a retried
 * batch is written whole and exactly once into the buffer. Not thread-safe.
 *
 * @param <V> the topic's value type
 */
public final class QuestDbRecordWriter<V> implements RecordWriter<V> {

    private final String senderConfig;
    private final QuestDbTable<V> table;
    private Sender sender;

    /**
     * A writer for the given {@link Sender} configuration ({@code http::addr=host:port;...}) into {@code table}.
     * Connects on the first write.
     */
    public QuestDbRecordWriter(String senderConfig, QuestDbTable<V> table) {
        this.senderConfig = Objects.requireNonNull(senderConfig, "senderConfig");
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public String store() {
        return "questdb";
    }

    /** The table this writer fills. */
    public QuestDbTable<V> table() {
        return table;
    }

    @Override
    public WriteResult write(List<V> values) {
        if (values.isEmpty()) {
            return WriteResult.empty();
        }
        Map<String, V> latestByKey = new LinkedHashMap<>();
        for (V value : values) {
            latestByKey.put(table.key(value), value);
        }
        try {
            Sender out = sender();
            Optional<Instant> newest = Optional.empty();
            for (V value : latestByKey.values()) {
                table.append(out, value);
                Optional<Instant> window = table.windowStart(value);
                if (window.isPresent() && (newest.isEmpty() || window.get().isAfter(newest.get()))) {
                    newest = window;
                }
            }
            out.flush();
            return new WriteResult(Map.of(table.name(), (long) latestByKey.size()), newest);
        } catch (LineSenderException e) {
            // Errors while rows are buffered are the data's fault (bad name, say); flush errors carry isRetryable().
            discardSender();
            throw new QuestDbException("QuestDB line-protocol write of " + latestByKey.size() + " rows into "
                    + table.name() + " failed: " + e.getMessage(), null, 0, isRetriable(e), e);
        } catch (RuntimeException e) {
            discardSender();
            throw e;
        }
    }

    @Override
    public void close() {
        discardSender();
    }

    private Sender sender() {
        if (sender == null) {
            try {
                sender = Sender.fromConfig(senderConfig);
            } catch (LineSenderException e) {
                // Without protocol_version in the config, creating a sender asks the server for it, and an
                // unreachable server surfaces here as "not retryable": it is an outage like any other.
                throw new QuestDbException("cannot open a QuestDB line-protocol sender (" + e.getMessage() + ")",
                        null, 0, true, e);
            }
        }
        return sender;
    }

    private void discardSender() {
        Sender current = sender;
        sender = null;
        if (current == null) {
            return;
        }
        try {
            // Drop the buffered rows first: close() would try to flush them once more.
            current.reset();
            current.close();
        } catch (RuntimeException ignored) {
            // The sender is unusable either way; the write's own error is the one worth reporting.
        }
    }

    private static boolean isRetriable(LineSenderException e) {
        if (e.isRetryable()) {
            return true;
        }
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
