package io.patchpulse.sink.questdb;

import io.patchpulse.sink.RecordWriter;
import io.patchpulse.sink.WriteResult;
import io.questdb.client.Sender;
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

    private final LineSession session;
    private final QuestDbTable<V> table;

    /**
     * A writer for the given {@link Sender} configuration ({@code http::addr=host:port;...}) into {@code table}.
     * Connects on the first write.
     */
    public QuestDbRecordWriter(String senderConfig, QuestDbTable<V> table) {
        this.session = new LineSession(senderConfig);
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
        return session.write(latestByKey.size() + " rows into " + table.name(), out -> {
            Optional<Instant> newest = Optional.empty();
            for (V value : latestByKey.values()) {
                table.append(out, value);
                Optional<Instant> window = table.windowStart(value);
                if (window.isPresent() && (newest.isEmpty() || window.get().isAfter(newest.get()))) {
                    newest = window;
                }
            }
            return new WriteResult(Map.of(table.name(), (long) latestByKey.size()), newest);
        });
    }

    @Override
    public void close() {
        session.close();
    }
}
