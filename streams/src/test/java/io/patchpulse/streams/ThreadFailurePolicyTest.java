package io.patchpulse.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailurePolicyTest {

    private final AtomicLong clock = new AtomicLong();
    private final List<Throwable> fatal = new ArrayList<>();
    private final ThreadFailurePolicy policy = new ThreadFailurePolicy(clock::get, fatal::add);

    @Test
    void shouldReplaceTheThreadWhenACommitFailsOnceDuringAFailover() {
        StreamThreadExceptionResponse response = policy.handle(new InvalidTxnStateException("commit failed"));

        assertThat(response).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.replacements()).isEqualTo(1);
        assertThat(fatal).isEmpty();
    }

    @Test
    void shouldShutDownAndReportTheErrorWhenItComesBackBeyondTheBudgetWithinTheWindow() {
        for (int i = 0; i < ThreadFailurePolicy.MAX_REPLACEMENTS; i++) {
            assertThat(policy.handle(new IllegalStateException("again " + i)))
                    .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.addAndGet(ThreadFailurePolicy.WINDOW.toNanos() / 10);
        }
        IllegalStateException last = new IllegalStateException("once too often");

        assertThat(policy.handle(last)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(fatal).containsExactly(last);
        assertThat(policy.replacements()).isEqualTo(ThreadFailurePolicy.MAX_REPLACEMENTS);
    }

    @Test
    void shouldReplaceAgainWhenEarlierReplacementsLieOutsideTheWindow() {
        for (int i = 0; i < ThreadFailurePolicy.MAX_REPLACEMENTS; i++) {
            policy.handle(new IllegalStateException("old " + i));
        }
        clock.addAndGet(ThreadFailurePolicy.WINDOW.toNanos() + 1);

        assertThat(policy.handle(new IllegalStateException("much later")))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(fatal).isEmpty();
    }

    @Test
    void shouldShutDownAndReportTheErrorAtOnceWhenTheGlobalThreadStops() throws Exception {
        // Kafka Streams names it <client id>-GlobalStreamThread and cannot replace it.
        IllegalStateException error = new IllegalStateException("global store restore failed");
        AtomicReference<StreamThreadExceptionResponse> response = new AtomicReference<>();
        Thread global = new Thread(() -> response.set(policy.handle(error)), "app-client-GlobalStreamThread");
        global.start();
        global.join();

        assertThat(response.get()).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(fatal).containsExactly(error);
        assertThat(policy.replacements()).isZero();
        assertThat(policy.lastError()).isSameAs(error);
    }
}
