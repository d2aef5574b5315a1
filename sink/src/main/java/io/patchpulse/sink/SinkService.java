package io.patchpulse.sink;

import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.sink.alertmanager.AlertmanagerWriter;
import io.patchpulse.sink.metrics.CohortRateGauges;
import io.patchpulse.sink.questdb.QuestDbRecordWriter;
import io.patchpulse.sink.questdb.QuestDbTables;
import io.patchpulse.sink.victoriametrics.VictoriaMetricsWriter;
import io.patchpulse.sink.metrics.SinkMetrics;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbTrendWriter;
import io.patchpulse.sink.questdb.TrendTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the topology's outputs and keeps the stores equal to them: each {@link SinkRoute} names a topic and the
 * {@link RecordWriter}s its values go to (QuestDB tables, metrics stores, Alertmanager).
 *
 * <p>One consumer thread polls committed records only ({@code read_committed}: the producer is transactional),
 * writes each topic's part of the batch with its writers, waits for every store's acknowledgement, and only then
 * commits the offsets. A crash between write and commit re-delivers the batch, and the writers' upserts make that
 * harmless: the stores end up with exactly-once totals.
 *
 * <p>Failure policy (back-pressure, never loss): a write failing for a reason that may pass (I/O, time-out, HTTP
 * 5xx) is retried with doubling back-off up to 30 s, by default until the store answers ({@code write.retries=-1});
 * meanwhile nothing is committed, the consumer keeps its group membership by polling with every partition paused,
 * and {@value SinkMetrics#WRITE_RETRIES} counts the attempts. If a rebalance takes partitions away meanwhile, their
 * records leave the pending batch before the next attempt: their new owner reads them again from the last commit,
 * and a late write of ours could put an older total over the newer one it wrote. Commits cover owned partitions
 * only. On an error retrying cannot fix, or when a finite
 * {@code write.retries} is used up, the service stops, logs why, and {@link #failure()} says so. A record whose value
 * cannot be decoded is logged with its topic, partition and offset, counted ({@value SinkMetrics#SKIPPED_RECORDS})
 * and skipped.
 */
public final class SinkService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(1);

    private final SinkConfig config;
    private final List<SinkRoute<?>> routes;
    private final Supplier<Consumer<String, byte[]>> consumerFactory;
    private final Runnable tableSetup;
    private final SinkMetrics metrics;
    private final MeterRegistry registry;
    private final BeforeCommit beforeCommitHook;
    private io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerMetrics;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicLong recordsWritten = new AtomicLong();
    private final AtomicLong recordsSkipped = new AtomicLong();

    private volatile boolean running;
    private volatile SinkException failure;
    private Consumer<String, byte[]> consumer;
    private Thread thread;
    private boolean closed;

    /**
     * The sink of the whole topology, with its meters in {@code registry}: trends to QuestDB
     * ({@code failure_trends}, {@code failure_errors}) and to live per-cohort gauges ({@link CohortRateGauges});
     * release progress, remediations, alerts and device statuses to their QuestDB tables ({@link QuestDbTables});
     * trends and progress to VictoriaMetrics and alerts to Alertmanager when their URLs are configured.
     */
    public SinkService(SinkConfig config, MeterRegistry registry) {
        this(config, registry, NO_HOOK);
    }

    private static final BeforeCommit NO_HOOK = (records, positions) -> { };

    /**
     * The same sink, calling {@code beforeCommit} on its thread after each poll's records are in every store and
     * before their offsets are committed: the window in which a crash re-delivers records the stores already hold.
     * For fault tests, which stop the process there; production code uses {@link #SinkService(SinkConfig,
     * MeterRegistry)}.
     */
    public SinkService(SinkConfig config, MeterRegistry registry, BeforeCommit beforeCommit) {
        this(config, registry, null, defaultRoutes(config, registry), () -> {
            QuestDbHttp http = new QuestDbHttp(config.questDbHttpUrl());
            TrendTables.defaults().createIfMissing(http);
            QuestDbTables.defaults().createIfMissing(http);
        }, java.util.stream.Stream.concat(TrendTables.defaults().names().stream(),
                QuestDbTables.defaults().names().stream()).toList(), beforeCommit);
    }

    private static List<SinkRoute<?>> defaultRoutes(SinkConfig config, MeterRegistry registry) {
        String sender = config.questDbSenderConfig();
        QuestDbTables tables = QuestDbTables.defaults();
        Topics topics = config.topics();
        List<RecordWriter<FailureTrend>> trends = new ArrayList<>(List.of(
                new QuestDbTrendWriter(sender, TrendTables.defaults()),
                new CohortRateGauges(registry, CohortRateGauges.DEFAULT_MAX_COHORTS)));
        List<RecordWriter<ReleaseProgress>> progress = new ArrayList<>(List.of(
                new QuestDbRecordWriter<>(sender, tables.releaseProgress())));
        List<RecordWriter<SpikeAlert>> alerts = new ArrayList<>(List.of(
                new QuestDbRecordWriter<>(sender, tables.alerts())));
        config.victoriaMetricsUrl().ifPresent(url -> {
            trends.add(VictoriaMetricsWriter.trends(url));
            progress.add(VictoriaMetricsWriter.releaseProgress(url));
        });
        config.alertmanagerUrl().ifPresent(url -> alerts.add(new AlertmanagerWriter(url)));
        return List.of(
                new SinkRoute<>(topics.failureTrends, trends),
                new SinkRoute<>(topics.releaseProgress, progress),
                new SinkRoute<>(topics.alerts, alerts),
                new SinkRoute<>(topics.remediations, List.of(new QuestDbRecordWriter<>(sender, tables.remediations()))),
                new SinkRoute<>(topics.deviceStatus, List.of(new QuestDbRecordWriter<>(sender, tables.deviceStatus()))));
    }

    /**
     * Told when a poll's records are written and not yet committed (see {@link #SinkService(SinkConfig,
     * MeterRegistry, BeforeCommit)}).
     */
    @FunctionalInterface
    public interface BeforeCommit {

        /**
         * Called on the sink thread after {@code records} records of one poll reached every store and before the
         * consumer commits {@code positions}; blocking here holds the commit back.
         */
        void written(int records, Map<TopicPartition, Long> positions);
    }

    /**
     * For tests and other stores: the routes, the table setup run once before consuming, and the table names the
     * meters are tagged with. A {@code null} consumer factory means a {@link KafkaConsumer} built from
     * {@code config}.
     */
    SinkService(SinkConfig config, MeterRegistry registry, Supplier<Consumer<String, byte[]>> consumerFactory,
            List<SinkRoute<?>> routes, Runnable tableSetup, List<String> tables) {
        this(config, registry, consumerFactory, routes, tableSetup, tables, NO_HOOK);
    }

    SinkService(SinkConfig config, MeterRegistry registry, Supplier<Consumer<String, byte[]>> consumerFactory,
            List<SinkRoute<?>> routes, Runnable tableSetup, List<String> tables, BeforeCommit beforeCommit) {
        this.beforeCommitHook = Objects.requireNonNull(beforeCommit, "beforeCommit");
        this.config = Objects.requireNonNull(config, "config");
        this.routes = List.copyOf(routes);
        if (this.routes.isEmpty()) {
            throw new IllegalArgumentException("the sink needs at least one route");
        }
        this.consumerFactory = consumerFactory != null ? consumerFactory : this::newKafkaConsumer;
        this.tableSetup = Objects.requireNonNull(tableSetup, "tableSetup");
        this.metrics = new SinkMetrics(tables);
        this.registry = Objects.requireNonNull(registry, "registry");
        metrics.bindTo(registry);
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
        LOG.info("Sink starting: topics {}, group {}, brokers {}, QuestDB {}", topicNames(), config.groupId(),
                config.bootstrapServers(), config.questDbHttpUrl());
        Optional<Boolean> tablesReady = withRetries("create the tables", () -> {
            tableSetup.run();
            return Boolean.TRUE;
        });
        if (tablesReady.isEmpty() || stopRequested.getCount() == 0) {
            throw new IllegalStateException("sink service was closed while starting");
        }
        for (SinkRoute<?> route : routes) {
            restore(route);
        }
        consumer = consumerFactory.get();
        if (consumer instanceof KafkaConsumer<String, byte[]> kafka) {
            // The consumer's own meters, among them kafka.consumer.fetch.manager.records.lag.max: how far behind.
            consumerMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(kafka);
            consumerMetrics.bindTo(registry);
        }
        running = true;
        thread = new Thread(this::run, "patchpulse-sink-" + config.groupId());
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
            closeWriters();
        }
        metrics.close();
    }

    private void run() {
        try {
            consumer.subscribe(topicNames(), new DropRevoked());
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(config.pollTimeout());
                // After the poll, not before: a partition revoked and assigned again within this poll returns
                // records read from the last commit, and those are ours to write.
                revokedSincePoll.clear();
                if (!records.isEmpty()) {
                    if (!process(records)) {
                        break;
                    }
                    if (beforeCommitHook != NO_HOOK) {
                        beforeCommitHook.written(records.count(), positions());
                    }
                }
                commitPositions();
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (SinkException e) {
            fail(e);
        } catch (RuntimeException | Error e) {
            fail(new SinkException("sink stopped on an unexpected error reading " + topicNames() + ": " + e, e));
        } finally {
            running = false;
            if (consumerMetrics != null) {
                consumerMetrics.close();
            }
            try {
                consumer.close(CONSUMER_CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.warn("Closing the sink's consumer failed: {}", e.toString());
            }
            closeWriters();
        }
    }

    /** Writes one poll's records, topic by topic; false when stopping in the middle (nothing is committed then). */
    private boolean process(ConsumerRecords<String, byte[]> records) {
        metrics.recordConsumed(records.count());
        for (SinkRoute<?> route : routes) {
            if (!write(route, records.records(route.topic().name()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes one topic's records and hands them to each of its writers; false when closing meanwhile. Each attempt
     * takes only the records of partitions still owned: one revoked while a store was down is dropped (see
     * {@link DropRevoked}).
     */
    private <V> boolean write(SinkRoute<V> route, Iterable<ConsumerRecord<String, byte[]>> records) {
        Deserializer<V> deserializer = route.topic().valueSerde().deserializer();
        Map<TopicPartition, List<V>> pending = new LinkedHashMap<>();
        Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            ranges.computeIfAbsent(partition, p -> new long[] {record.offset(), record.offset()})[1] = record.offset();
            V value = decode(record, deserializer);
            if (value != null) {
                pending.computeIfAbsent(partition, p -> new ArrayList<>()).add(value);
            }
        }
        for (RecordWriter<V> writer : route.writers()) {
            List<V> batch = owned(pending, ranges);
            if (batch.isEmpty()) {
                return true;
            }
            String what = batch.size() + " records from " + describe(ranges) + " to " + writer.store();
            long started = System.nanoTime();
            Optional<WriteResult> result;
            try {
                result = withRetries("write " + what, () -> {
                    List<V> stillOwned = owned(pending, ranges);
                    return stillOwned.isEmpty() ? WriteResult.empty() : writer.write(stillOwned);
                });
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
        }
        recordsWritten.addAndGet(owned(pending, ranges).size());
        return true;
    }

    /**
     * The pending values of partitions not revoked since the poll, in order; drops the others from {@code pending}
     * and {@code ranges} (logging what it drops), so they are neither written nor described again.
     */
    private <V> List<V> owned(Map<TopicPartition, List<V>> pending, Map<TopicPartition, long[]> ranges) {
        for (TopicPartition partition : revokedSincePoll) {
            List<V> dropped = pending.remove(partition);
            long[] range = ranges.remove(partition);
            if (range != null) {
                LOG.info("Partition {} was revoked while its records {}..{} waited for a store; {} records dropped "
                        + "from the batch, its new owner reads them again from the last commit", partition, range[0],
                        range[1], dropped == null ? 0 : dropped.size());
            }
        }
        List<V> batch = new ArrayList<>();
        pending.values().forEach(batch::addAll);
        return batch;
    }

    /** Hands the latest value per key of the whole topic to the route's writers that keep state across restarts. */
    private <V> void restore(SinkRoute<V> route) {
        List<RecordWriter<V>> stateful = route.writers().stream().filter(RecordWriter::restoresFromTopic).toList();
        if (stateful.isEmpty()) {
            return;
        }
        List<V> latest = readLatest(route);
        LOG.info("Restored {} latest records of {} for {}", latest.size(), route.topic().name(),
                stateful.stream().map(RecordWriter::store).toList());
        stateful.forEach(writer -> writer.restore(latest));
    }

    /** Reads a (compacted) topic from its beginning to its end, committed records only; the last value per key. */
    private <V> List<V> readLatest(SinkRoute<V> route) {
        Deserializer<V> deserializer = route.topic().valueSerde().deserializer();
        Map<String, Object> props = new HashMap<>(config.consumerOverrides());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-restore");
        Map<String, V> latest = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(route.topic().name(), RESTORE_TIMEOUT).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions, RESTORE_TIMEOUT);
            long deadline = System.nanoTime() + RESTORE_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> reader.position(p, RESTORE_TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new SinkException("could not read " + route.topic().name() + " to its end within "
                            + RESTORE_TIMEOUT + " to restore " + route.writers().get(0).store(), null);
                }
                for (ConsumerRecord<String, byte[]> record : reader.poll(config.pollTimeout())) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                        continue;
                    }
                    V value = decode(record, deserializer);
                    if (value != null) {
                        latest.put(record.key(), value);
                    }
                }
            }
        }
        return new ArrayList<>(latest.values());
    }

    private void closeWriters() {
        for (SinkRoute<?> route : routes) {
            for (RecordWriter<?> writer : route.writers()) {
                try {
                    writer.close();
                } catch (RuntimeException e) {
                    LOG.warn("Closing the {} writer for {} failed: {}", writer.store(), route.topic().name(),
                            e.toString());
                }
            }
        }
    }

    private List<String> topicNames() {
        return routes.stream().map(route -> route.topic().name()).toList();
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

    /** The consumer's position in each assigned partition: what {@link #commitPositions()} commits. */
    private Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition, consumer.position(partition));
        }
        return positions;
    }

    private <V> V decode(ConsumerRecord<String, byte[]> record, Deserializer<V> deserializer) {
        if (record.value() == null) {
            LOG.debug("Ignoring a tombstone on {}-{} at offset {}", record.topic(), record.partition(),
                    record.offset());
            return null;
        }
        try {
            return deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            recordsSkipped.incrementAndGet();
            metrics.recordSkippedUndecodable();
            // Coordinates only: the key is a device id on most topics, and device ids stay out of logs.
            LOG.warn("Skipping undecodable record on {}-{} at offset {}: {}", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    private final Map<TopicPartition, Long> committedPositions = new HashMap<>();

    /** Partitions revoked (or lost) since the last poll's records came; touched by the consumer thread only. */
    private final Set<TopicPartition> revokedSincePoll = new HashSet<>();

    /**
     * Notes revoked partitions so their records leave the pending batch. The consumer calls it from inside
     * {@code poll}, on the sink thread; while a store is down, that is the paused poll between two attempts. Nothing
     * is committed on revocation: the records since the last commit are not in the store yet, and the new owner
     * reads them again. Lost partitions (the default {@code onPartitionsLost}) are treated the same.
     */
    private final class DropRevoked implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revokedSincePoll.addAll(partitions);
            committedPositions.keySet().removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Nothing to do: an assigned partition is read from its last commit.
        }
    }

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
        } catch (org.apache.kafka.common.errors.RetriableException e) {
            // A coordinator moving, a broker restarting: the next poll's commit covers these positions too.
            LOG.warn("Offsets {} not committed yet ({}); trying again after the next poll", offsets, e.toString());
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
                if (config.writeRetries() >= 0 && retry >= config.writeRetries()) {
                    throw new SinkException("sink stopped: could not " + what + " after " + (retry + 1)
                            + " attempts (write.retries=" + config.writeRetries() + "): " + e.getMessage(), e);
                }
                retry++;
                metrics.recordWriteRetry();
                Duration backoff = backoff(retry);
                LOG.warn("Could not {} (attempt {}{}), retrying in {} ms: {}", what, retry,
                        config.writeRetries() < 0 ? "" : " of " + (config.writeRetries() + 1), backoff.toMillis(),
                        e.getMessage());
                if (consumer == null ? awaitStop(backoff) : pollPaused(backoff)) {
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

    /**
     * Waits up to {@code duration} while a store is down, polling with every partition paused so the group does not
     * take the partitions away for want of a poll (a sink may wait for a store for hours). A partition assigned
     * meanwhile is not paused, and what it returns is given back (seek to its first offset), so nothing is skipped.
     * Partitions are resumed before returning. True when a stop was requested meanwhile.
     */
    private boolean pollPaused(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            while (true) {
                if (stopRequested.getCount() == 0) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                consumer.pause(consumer.assignment());
                ConsumerRecords<String, byte[]> unwanted = consumer.poll(Duration.ofNanos(
                        Math.min(left, config.pollTimeout().toNanos())));
                for (TopicPartition partition : unwanted.partitions()) {
                    consumer.seek(partition, unwanted.records(partition).get(0).offset());
                }
            }
        } finally {
            // Only what is still assigned: a partition revoked meanwhile cannot be resumed (MockConsumer still
            // lists it as paused; KafkaConsumer forgets it).
            Set<TopicPartition> paused = new HashSet<>(consumer.paused());
            paused.retainAll(consumer.assignment());
            consumer.resume(paused);
        }
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

    /** The sink consumer's default {@code fetch.min.bytes}: see {@link #newKafkaConsumer()}. */
    static final int BATCH_MIN_BYTES = 1 << 20;
    /** The sink consumer's default {@code fetch.max.wait.ms}. */
    static final int BATCH_MAX_WAIT_MS = 250;

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
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId());
        // Bigger batches, fewer store transactions: every batch is one commit per table in QuestDB, so a trickle of
        // small polls costs QuestDB more than the rows themselves. The broker answers once 1 MiB is ready or 250 ms
        // have passed (consumer.fetch.min.bytes / consumer.fetch.max.wait.ms override it).
        props.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, BATCH_MIN_BYTES);
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, BATCH_MAX_WAIT_MS);
        // Values stay bytes here and are decoded per record, so one bad record is skipped, not a poll failure.
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
