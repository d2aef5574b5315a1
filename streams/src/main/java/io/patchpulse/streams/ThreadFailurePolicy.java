package io.patchpulse.streams;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an error that kills a stream thread does: the thread is replaced, up to {@value #MAX_REPLACEMENTS} times
 * within {@link #WINDOW}; one more error in that window shuts the client down and is reported as the failure.
 *
 * <p>Why replace: a broker failover can fail a transaction's commit with an error Kafka Streams does not retry
 * itself. Found by BrokerLeaderKillFaultIT: the killed node was the transaction coordinator, the open transaction
 * outlived the 10 s {@code transaction.timeout.ms} during the failover and was aborted by the new coordinator, and the
 * commit that followed got {@code InvalidTxnStateException} (broker log: "state is COMPLETE_ABORT, but received
 * transaction marker result to send: COMMIT"). Under transactions V2 the 4.4.0 broker answers that race with this
 * fatal error instead of a fencing the client recovers from. Shutting the client down for it
 * stopped the pipeline for good, although the transaction had been rolled back and nothing was wrong a moment later.
 * Replacing the thread is safe under exactly-once: the open transaction is aborted when the new thread's producer
 * registers, the tasks' state is restored from the changelogs, and processing resumes from the committed offsets, so
 * nothing is lost or counted twice. Why a bound: an error that comes back at once (a bug, a broker gone for good)
 * must still stop the app and say so, not replace threads forever.
 */
final class ThreadFailurePolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadFailurePolicy.class);
    /** Replacements allowed within {@link #WINDOW}. */
    static final int MAX_REPLACEMENTS = 3;
    /** The window in which replacements are counted. */
    static final Duration WINDOW = Duration.ofMinutes(10);

    private final LongSupplier nanoClock;
    private final Consumer<Throwable> onFatal;
    private final Deque<Long> replacedAt = new ArrayDeque<>();
    private long replacements;
    private Throwable lastError;

    /**
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     * @param onFatal   told the error that shuts the client down
     */
    ThreadFailurePolicy(LongSupplier nanoClock, Consumer<Throwable> onFatal) {
        this.nanoClock = nanoClock;
        this.onFatal = onFatal;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable error) {
        lastError = error;
        if (Thread.currentThread().getName().contains("GlobalStreamThread")) {
            // Kafka Streams cannot replace its global thread: asked to, it shuts the client down without telling
            // anyone. Say it here, so the error is reported as the failure.
            LOG.error("the global stream thread stopped on an error; shutting the streams app down", error);
            onFatal.accept(error);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = nanoClock.getAsLong();
        while (!replacedAt.isEmpty() && now - replacedAt.peekFirst() > WINDOW.toNanos()) {
            replacedAt.removeFirst();
        }
        if (replacedAt.size() < MAX_REPLACEMENTS) {
            replacedAt.addLast(now);
            replacements++;
            LOG.warn("a stream thread stopped on an error; replacing it ({} of {} replacements allowed within {})",
                    replacedAt.size(), MAX_REPLACEMENTS, WINDOW, error);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        LOG.error("a stream thread stopped on an error after {} replacements within {}; shutting the streams app"
                + " down", MAX_REPLACEMENTS, WINDOW, error);
        onFatal.accept(error);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /** The last error a thread stopped on, or null. */
    synchronized Throwable lastError() {
        return lastError;
    }

    /** Threads replaced since start. */
    synchronized long replacements() {
        return replacements;
    }
}
