package io.patchpulse.streams;

import io.patchpulse.streams.topology.TrendTopology;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams service: builds the topology from its settings and owns the {@link KafkaStreams} lifecycle.
 * A fatal error shuts the client down and is kept for {@link #failure()}; it is never swallowed.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final KafkaStreams streams;
    private final CountDownLatch running = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public StreamsApp(StreamsSettings settings) {
        this.streams = new KafkaStreams(TrendTopology.build(settings.topology()), settings.streamsProperties());
        streams.setStateListener((now, before) -> {
            LOG.info("streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("streams stopped by an unexpected error", error);
            failure.compareAndSet(null, error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    /** Starts processing and waits until the client is RUNNING, or throws after {@code timeout}. */
    public void start(Duration timeout) throws InterruptedException {
        streams.start();
        if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Kafka Streams did not reach RUNNING within " + timeout + " (state "
                    + streams.state() + "); is the broker reachable and are the input topics created?");
        }
    }

    /** Current client state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The error that stopped processing, or null. */
    public Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() {
        // Leave the group on the way out: otherwise the next start waits out the old member's session timeout
        // (45 s by default) before it gets its partitions back.
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
}
