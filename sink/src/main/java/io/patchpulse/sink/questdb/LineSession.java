package io.patchpulse.sink.questdb;

import io.questdb.client.Sender;
import io.questdb.cutlass.line.LineSenderException;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Function;

/**
 * One writer's line-protocol connection to QuestDB: opened on first use, and after a failed write dropped with its
 * buffer, so the next write opens a new one and a retried batch is written whole and exactly once into the buffer.
 * Not thread-safe.
 */
final class LineSession implements AutoCloseable {

    private final String senderConfig;
    private Sender sender;

    /** A session for the {@link Sender} configuration {@code http::addr=host:port;...}; connects on first use. */
    LineSession(String senderConfig) {
        this.senderConfig = Objects.requireNonNull(senderConfig, "senderConfig");
    }

    /**
     * Lets {@code rows} append to the sender, flushes (over HTTP QuestDB answers after its commit) and returns what
     * {@code rows} returned.
     *
     * @param what the batch, for messages ("12 rows into alerts")
     * @throws QuestDbException when QuestDB did not take the batch, retriable when trying again may help
     */
    <T> T write(String what, Function<Sender, T> rows) {
        try {
            Sender out = sender();
            T result = rows.apply(out);
            out.flush();
            return result;
        } catch (LineSenderException e) {
            // Errors while rows are buffered are the data's fault (bad name, say); flush errors carry isRetryable().
            close();
            throw new QuestDbException("QuestDB line-protocol write of " + what + " failed: " + e.getMessage(), null,
                    0, isRetriable(e), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Drops the sender and what it buffered. */
    @Override
    public void close() {
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
