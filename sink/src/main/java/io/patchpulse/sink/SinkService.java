package io.patchpulse.sink;

import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.sink.metrics.SinkMetrics;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbTrendWriter;
import io.patchpulse.sink.questdb.TrendTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code failure-trends} and keeps QuestDB's trend tables equal to the latest record per window and cohort.
 *
 * <p>One consumer thread polls committed records only ({@code read_committed}: the producer is transactional),
 * writes the batch with the {@link RecordWriter}, waits for the store's acknowledgement, and only then commits the
 * offsets. A crash between write and commit re-delivers the batch, and the tables' upserts make that harmless: the
 * store ends up with exactly-once totals.
 *
 * <p>Failure policy: a write failing for a reason that may pass (I/O, time-out, HTTP 5xx) is retried
 * {@code write.retries} times with doubling back-off; after that, or on an error retrying cannot fix, the service
 * stops, logs why, and {@link #failure()} says so. A record whose value cannot be decoded is logged with its topic,
 * partition and offset, counted ({@value SinkMetrics#SKIPPED_RECORDS}) and skipped.
 */
public final class SinkService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final SinkConfig config;
    private final Topic<String, FailureTrend> topic;
    private final Supplier<Consumer<String, byte[]>> consumerFactory;
    private final RecordWriter<FailureTrend> writer;
    private final Runnable tableSetup;
    private final SinkMetrics metrics;
    private final Deserializer<FailureTrend> valueDeserializer;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicLong recordsWritten = new AtomicLong();
    private final AtomicLong recordsSkipped = new AtomicLong();

    private volatile boolean running;
    private volatile SinkException failure;
    private Consumer<String, byte[]> consumer;
    private Thread thread;
    private boolean closed;

    /** A sink writing to QuestDB ({@code failure_trends}, {@code failure_errors}) with meters in {@code registry}. */
    public SinkService(SinkConfig config, MeterRegistry registry) {
        this(config, registry, null, new QuestDbTrendWriter(config.questDbSenderConfig(), TrendTables.defaults()),
                () -> TrendTables.defaults().createIfMissing(new QuestDbHttp(config.questDbHttpUrl())),
                TrendTables.defaults().names());
    }

    /**
     * For tests: another consumer (a {@code MockConsumer}), writer and table setup. A {@code null} consumer factory
     * means a {@link KafkaConsumer} built from {@code config}.
     */
    SinkService(SinkConfig config, MeterRegistry registry, Supplier<Consumer<String, byte[]>> consumerFactory,
            RecordWriter<FailureTrend> writer, Runnable tableSetup, List<String> tables) {
        this.config = Objects.requireNonNull(config, "config");
        this.topic = config.topics().failureTrends;
        this.consumerFactory = consumerFactory != null ? consumerFactory : this::newKafkaConsumer;
        this.writer = Objects.requireNonNull(writer, "writer");
        this.tableSetup = Objects.requireNonNull(tableSetup, "tableSetup");
        this.valueDeserializer = topic.valueSerde().deserializer();
        this.metrics = new SinkMetrics(tables);
        metrics.bindTo(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Creates the tables if missing (retrying like a write), then starts the consumer thread and returns.
     *
     * @throws SinkException when the tables cannot be created
     * @throws IllegalStateException when already started or closed
     */
    public synchronized void start() {
        if (closed || thread != null) {
            throw new IllegalStateException(closed ? "sink service is closed" : "sink service already started");
        }
        LOG.info("Sink starting: topic {}, group {}, brokers {}, QuestDB {}", topic.name(), config.groupId(),
                config.bootstrapServers(), config.questDbHttpUrl());
        Optional<Boolean> tablesReady = withRetries("create the trend tables", () -> {
            tableSetup.run();
            return Boolean.TRUE;
        });
        if (tablesReady.isEmpty() || stopRequested.getCount() == 0) {
            throw new IllegalStateException("sink service was closed while starting");
        }
        consumer = consumerFactory.get();
        running = true;
        thread = new Thread(this::run, "patchpulse-sink-" + topic.name());
        thread.start();
    }

    /** True from {@link #start()} until the loop ends (closed or failed). */
    public boolean isRunning() {
        return running;
    }

    /** Why the service stopped on its own, if it did. */
    public Optional<SinkException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Records written to the store (and then committed, or about to be), since start. */
    public long recordsWritten() {
        return recordsWritten.get();
    }

    /** Records skipped because their value could not be decoded, since start. */
    public long recordsSkipped() {
        return recordsSkipped.get();
    }

    /** Stops the loop (waking the consumer), waits for the thread up to 30 s, releases the writer and the meters. */
    @Override
    public void close() {
        // Before taking the lock: a start() waiting to retry the table setup holds it, and wakes up on this.
        stopRequested.countDown();
        running = false;
        Thread loop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            loop = thread;
        }
        if (loop != null) {
            consumer.wakeup();
            try {
                loop.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (loop.isAlive()) {
                LOG.warn("Sink thread {} did not stop within {}", loop.getName(), CLOSE_TIMEOUT);
            }
        } else {
            writer.close();
        }
        metrics.close();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic.name()));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(config.pollTimeout());
                if (!records.isEmpty() && !process(records)) {
                    break;
                }
                commitPositions();
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (SinkException e) {
            fail(e);
        } catch (RuntimeException | Error e) {
            fail(new SinkException("sink stopped on an unexpected error reading " + topic.name() + ": " + e, e));
        } finally {
            running = false;
            try {
                consumer.close(CONSUMER_CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.warn("Closing the sink's consumer failed: {}", e.toString());
            }
            writer.close();
        }
    }

    /** Writes and commits one poll's records; false when stopping in the middle. */
    private boolean process(ConsumerRecords<String, byte[]> records) {
        metrics.recordConsumed(records.count());
        List<FailureTrend> batch = new ArrayList<>(records.count());
        Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            ranges.computeIfAbsent(partition, p -> new long[] {record.offset(), record.offset()})[1] = record.offset();
            FailureTrend trend = decode(record);
            if (trend != null) {
                batch.add(trend);
            }
        }
        if (!batch.isEmpty()) {
            String what = batch.size() + " trends from " + describe(ranges);
            long started = System.nanoTime();
            Optional<WriteResult> result;
            try {
                result = withRetries("write " + what, () -> writer.write(batch));
            } catch (SinkException e) {
                metrics.recordBatchWrite(Duration.ofNanos(System.nanoTime() - started), false);
                throw e;
            }
            if (result.isEmpty()) {
                return false; // closing: leave the offsets uncommitted, the batch comes again
            }
            metrics.recordBatchWrite(Duration.ofNanos(System.nanoTime() - started), true);
            result.get().rowsByTable().forEach(metrics::recordRowsWritten);
            result.get().newestWindowStart().ifPresent(metrics::recordWindowWritten);
            recordsWritten.addAndGet(batch.size());
        }
        return true;
    }

    /**
     * Commits the consumer's positions, not last offset + 1: behind each transaction of the transactional producer
     * lies a commit marker that the consumer skips but never returns, and a group that commits short of it looks
     * one record behind forever. Called after every poll, written or empty, once its records are in the store.
     */
    private void commitPositions() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            long position = consumer.position(partition);
            Long done = committedPositions.get(partition);
            if (done == null || done != position) {
                offsets.put(partition, new OffsetAndMetadata(position));
            }
        }
        if (!offsets.isEmpty() && commit(offsets)) {
            offsets.forEach((partition, offset) -> committedPositions.put(partition, offset.offset()));
        }
    }

    private FailureTrend decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            LOG.debug("Ignoring a tombstone on {}-{} at offset {}", record.topic(), record.partition(),
                    record.offset());
            return null;
        }
        try {
            return valueDeserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            recordsSkipped.incrementAndGet();
            metrics.recordSkippedUndecodable();
            LOG.warn("Skipping undecodable record on {}-{} at offset {} (key {}): {}", record.topic(),
                    record.partition(), record.offset(), record.key(), e.getMessage());
            return null;
        }
    }

    private final Map<TopicPartition, Long> committedPositions = new HashMap<>();

    /** True when committed; false when a rebalance took the partitions (their new owner re-reads and upserts). */
    private boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
            return true;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The partitions moved on; their new owner re-reads from the last commit and upserts the same rows.
            LOG.warn("Offsets {} not committed ({}); the records will be written again, harmlessly", offsets,
                    e.toString());
            return false;
        }
    }

    /**
     * Runs {@code action}, retrying retriable failures with doubling back-off.
     *
     * @return the result, or empty when the service was closed while waiting to retry
     * @throws SinkException when the error is not retriable, or retries are used up
     */
    private <T> Optional<T> withRetries(String what, Supplier<T> action) {
        int retry = 0;
        while (true) {
            try {
                return Optional.of(action.get());
            } catch (RuntimeException e) {
                if (!isRetriable(e)) {
                    throw new SinkException("sink stopped: could not " + what + ", and retrying cannot help: "
                            + e.getMessage(), e);
                }
                if (retry >= config.writeRetries()) {
                    throw new SinkException("sink stopped: could not " + what + " after " + (retry + 1)
                            + " attempts (write.retries=" + config.writeRetries() + "): " + e.getMessage(), e);
                }
                retry++;
                metrics.recordWriteRetry();
                Duration backoff = backoff(retry);
                LOG.warn("Could not {} (attempt {} of {}), retrying in {} ms: {}", what, retry,
                        config.writeRetries() + 1, backoff.toMillis(), e.getMessage());
                if (awaitStop(backoff)) {
                    return Optional.empty();
                }
            }
        }
    }

    private Duration backoff(int retry) {
        Duration backoff = config.writeRetryBackoff();
        for (int i = 1; i < retry && backoff.compareTo(SinkConfig.MAX_RETRY_BACKOFF) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(SinkConfig.MAX_RETRY_BACKOFF) > 0 ? SinkConfig.MAX_RETRY_BACKOFF : backoff;
    }

    /** Waits up to {@code duration}; true when a stop was requested meanwhile. */
    private boolean awaitStop(Duration duration) {
        try {
            return stopRequested.await(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void fail(SinkException e) {
        failure = e;
        LOG.error("{}", e.getMessage(), e);
    }

    /** Retriable: the first store's verdict in the cause chain, else any I/O error or time-out in it. */
    static boolean isRetriable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof StoreException store) {
                return store.isRetriable();
            }
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException
                    || t instanceof org.apache.kafka.common.errors.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Map<TopicPartition, long[]> ranges) {
        StringJoiner joiner = new StringJoiner(", ");
        ranges.forEach((partition, range) -> joiner.add(partition + "@" + range[0] + ".." + range[1]));
        return joiner.toString();
    }

    private Consumer<String, byte[]> newKafkaConsumer() {
        Map<String, Object> props = new HashMap<>(config.consumerOverrides());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        // Offsets are committed by hand, after the store acknowledged the batch: at-least-once into the store.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The trends producer is transactional (exactly_once_v2): aborted records must never reach the store.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A new group starts from the beginning: the store must hold every window, not only those after startup.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-" + topic.name());
        // Values stay bytes here and are decoded per record, so one bad record is skipped, not a poll failure.
        return new KafkaConsumer<>(props, topic.keySerde().deserializer(), new ByteArrayDeserializer());
    }
}
