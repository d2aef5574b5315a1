package io.patchpulse.sink;

import java.util.List;

/**
 * Writes batches of one topic's values to one store (QuestDB, VictoriaMetrics, Alertmanager), idempotently: writing
 * a value whose key the store already holds replaces what it holds, so a re-delivered record never counts twice.
 *
 * <p>{@link #write} returns only once the batch is durable in the store (the sink commits Kafka offsets next); on
 * failure it throws, and the whole batch may be written again. A {@link StoreException} says whether trying again
 * may help; the sink retries those with back-off and stops committing meanwhile (back-pressure, never loss).
 * Implementations are used by one thread.
 *
 * @param <V> the topic's value type
 */
public interface RecordWriter<V> extends AutoCloseable {

    /** Short name of the store for logs and meter tags: {@code questdb}, {@code victoriametrics}, ... */
    String store();

    /**
     * Writes the batch and flushes it. When the batch holds several values for one key, the last one wins.
     *
     * @throws RuntimeException when the store did not take the batch, preferably a {@link StoreException}
     */
    WriteResult write(List<V> values);

    /**
     * True when the writer keeps state that must be rebuilt from the whole (compacted) topic when the sink starts,
     * because the committed offsets skip what came before: the alerts still firing, say. Default false.
     */
    default boolean restoresFromTopic() {
        return false;
    }

    /**
     * Called once before the first {@link #write} when {@link #restoresFromTopic()}, with the latest value of every
     * key of the whole topic. Default: nothing.
     */
    default void restore(List<V> latest) {
    }

    /** Releases connections; rows not yet flushed are discarded. */
    @Override
    void close();
}
