package io.patchpulse.sink;

import io.patchpulse.schemas.avro.FailureTrend;
import java.util.List;

/**
 * Writes batches of {@code failure-trends} values to a store, idempotently: writing a value whose window and cohort
 * the store already holds replaces the stored totals, so a re-delivered record never counts twice.
 *
 * <p>{@link #write} returns only once the batch is durable in the store (the caller commits Kafka offsets next);
 * on failure it throws, and the whole batch may be written again. Implementations are used by one thread.
 */
public interface TrendWriter extends AutoCloseable {

    /**
     * Writes the batch and flushes it. When the batch holds several values for one key, the last one wins.
     *
     * @throws RuntimeException when the store did not take the batch; {@link io.patchpulse.sink.questdb.QuestDbException}
     *     tells whether trying again may help
     */
    WriteResult write(List<FailureTrend> trends);

    /** Releases connections; rows not yet flushed are discarded. */
    @Override
    void close();
}
