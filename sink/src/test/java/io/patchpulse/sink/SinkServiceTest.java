package io.patchpulse.sink;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.TrendFixtures.smallPartitionTrend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.sink.metrics.SinkMetrics;
import io.patchpulse.sink.questdb.QuestDbException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The consume-write-commit loop with Kafka's MockConsumer and a scripted writer: no broker, no store. */
class SinkServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TOPIC = "test.failure-trends";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final ScriptedWriter writer = new ScriptedWriter();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SinkService service;

    @AfterEach
    void closeService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldWriteTheBatchThenCommitItsOffsets() {
        SinkConfig config = config(5);
        service = service(config);
        deliver(config, trend(1), trend(2), trend(3));

        service.start();

        await().atMost(WAIT).until(() -> committedOffset() == 3);
        assertThat(writer.written()).extracting(FailureTrend::getAttempts).containsExactly(1L, 2L, 3L);
        assertThat(service.recordsWritten()).isEqualTo(3);
        assertThat(counter(SinkMetrics.CONSUMED_RECORDS)).isEqualTo(3);
        assertThat(registry.get(SinkMetrics.WRITTEN_ROWS).tag("table", "failure_trends").functionCounter().count())
                .isEqualTo(3);
        assertThat(registry.get(SinkMetrics.NEWEST_WINDOW_START).gauge().value())
                .isEqualTo(WINDOW.getEpochSecond());
        assertThat(service.isRunning()).isTrue();
    }

    @Test
    void shouldCallTheBeforeCommitHookAfterTheWriteWithThePositionsItIsAboutToCommit() {
        SinkConfig config = config(5);
        List<String> seen = new CopyOnWriteArrayList<>();
        service = new SinkService(config, registry, () -> consumer,
                List.of(new SinkRoute<>(config.topics().failureTrends, List.of(writer))), () -> { },
                List.of("failure_trends", "failure_errors"), (records, positions) -> seen.add(records + " written, "
                        + writer.written().size() + " in the store, " + positions + " to commit, "
                        + consumer.commits.size() + " commits so far"));
        deliver(config, trend(1), trend(2), trend(3));

        service.start();

        await().atMost(WAIT).until(() -> committedOffset() == 3);
        assertThat(seen).containsExactly(
                "3 written, 3 in the store, {" + PARTITION + "=3} to commit, 0 commits so far");
    }

    @Test
    void shouldSkipAnUndecodableRecordCountItAndKeepGoing() {
        SinkConfig config = config(5);
        service = service(config);
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(PARTITION));
            consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
            consumer.addRecord(record(0, encode(config, trend(1))));
            consumer.addRecord(record(1, "not avro".getBytes(StandardCharsets.UTF_8)));
            consumer.addRecord(record(2, encode(config, trend(3))));
        });

        service.start();

        await().atMost(WAIT).until(() -> committedOffset() == 3);
        assertThat(writer.written()).extracting(FailureTrend::getAttempts).containsExactly(1L, 3L);
        assertThat(service.recordsSkipped()).isEqualTo(1);
        assertThat(registry.get(SinkMetrics.SKIPPED_RECORDS).tag("reason", "undecodable").functionCounter().count())
                .isEqualTo(1);
        assertThat(service.failure()).isEmpty();
        assertThat(service.isRunning()).isTrue();
    }

    @Test
    void shouldRetryARetriableWriteErrorThenCommit() {
        SinkConfig config = config(5);
        service = service(config);
        writer.failNext(2, true);
        deliver(config, trend(1));

        service.start();

        await().atMost(WAIT).until(() -> committedOffset() == 1);
        assertThat(writer.attempts()).isEqualTo(3);
        assertThat(writer.written()).hasSize(1);
        assertThat(counter(SinkMetrics.WRITE_RETRIES)).isEqualTo(2);
        assertThat(service.failure()).isEmpty();
    }

    @Test
    void shouldHoldTheBatchUncommittedWhileTheStoreIsDownKeepPollingPausedAndWriteOnceItAnswers() {
        SinkConfig config = config(-1); // the default: retry until the store answers
        service = service(config);
        writer.failNext(10, true);
        deliver(config, trend(1), trend(2));

        service.start();

        await().atMost(WAIT).until(() -> committedOffset() == 2);
        assertThat(writer.attempts()).isEqualTo(11);
        assertThat(writer.commitsBeforeSuccess()).isZero();
        assertThat(consumer.pausedPolls.get()).as("polls while waiting for the store").isPositive();
        assertThat(consumer.paused()).as("resumed once written").isEmpty();
        assertThat(writer.written()).extracting(FailureTrend::getAttempts).containsExactly(1L, 2L);
        assertThat(counter(SinkMetrics.WRITE_RETRIES)).isEqualTo(10);
        assertThat(service.failure()).isEmpty();
        assertThat(service.isRunning()).isTrue();
    }

    @Test
    void shouldDropTheRecordsOfAPartitionRevokedWhileTheStoreIsDownAndCommitOnlyTheOwnedOnes() {
        SinkConfig config = config(-1);
        service = service(config);
        TopicPartition taken = new TopicPartition(TOPIC, 1);
        AtomicBoolean rebalanced = new AtomicBoolean();
        writer.failWhile(() -> !rebalanced.get());
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(PARTITION, taken));
            consumer.updateBeginningOffsets(Map.of(PARTITION, 0L, taken, 0L));
            consumer.addRecord(record(0, 0, encode(config, trend(1))));
            consumer.addRecord(record(1, 0, encode(config, trend(2))));
            consumer.addRecord(record(0, 1, encode(config, trend(3))));
        });
        // The next poll is a paused one, while the store is down: another sink instance joins and takes partition 1.
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(PARTITION));
            rebalanced.set(true);
        });

        service.start();

        await().atMost(WAIT).until(() -> committedOffset() == 2);
        // Partition 0 held trends 1 and 3; trend 2 on partition 1 is its new owner's to write.
        assertThat(writer.written()).extracting(FailureTrend::getAttempts).containsExactly(1L, 3L);
        assertThat(consumer.commits).isNotEmpty().allSatisfy(commit -> assertThat(commit).doesNotContainKey(taken));
        assertThat(service.recordsWritten()).isEqualTo(2);
        assertThat(service.failure()).isEmpty();
        assertThat(service.isRunning()).isTrue();
    }

    @Test
    void shouldStopWithAFailureWhenRetriesAreUsedUpAndCommitNothing() {
        SinkConfig config = config(2);
        service = service(config);
        writer.failNext(Integer.MAX_VALUE, true);
        deliver(config, trend(1));

        service.start();

        await().atMost(WAIT).until(() -> !service.isRunning());
        assertThat(service.failure()).hasValueSatisfying(e -> {
            assertThat(e).hasMessageContaining("after 3 attempts").hasMessageContaining(TOPIC + "-0@0..0");
            assertThat(e).hasRootCauseInstanceOf(QuestDbException.class);
        });
        assertThat(writer.attempts()).isEqualTo(3);
        assertThat(counter(SinkMetrics.WRITE_RETRIES)).isEqualTo(2);
        assertThat(consumer.closed()).isTrue();
        assertThat(consumer.commits).isEmpty();
    }

    @Test
    void shouldStopAtOnceOnAWriteErrorRetryingCannotFix() {
        SinkConfig config = config(5);
        service = service(config);
        writer.failNext(1, false);
        deliver(config, trend(1));

        service.start();

        await().atMost(WAIT).until(() -> !service.isRunning());
        assertThat(service.failure()).hasValueSatisfying(e -> assertThat(e).hasMessageContaining("retrying cannot help"));
        assertThat(writer.attempts()).isEqualTo(1);
        assertThat(counter(SinkMetrics.WRITE_RETRIES)).isZero();
    }

    @Test
    void shouldStopPromptlyOnCloseAndReleaseItsMeters() {
        service = service(config(5));
        service.start();
        await().atMost(WAIT).until(() -> consumer.subscription().contains(TOPIC));

        service.close();

        assertThat(service.isRunning()).isFalse();
        assertThat(service.failure()).isEmpty();
        assertThat(consumer.closed()).isTrue();
        assertThat(writer.closed()).isTrue();
        assertThat(registry.find(SinkMetrics.CONSUMED_RECORDS).meter()).isNull();
    }

    @Test
    void shouldFailToStartWhenTheTablesCannotBeCreated() {
        SinkConfig config = config(1);
        AtomicInteger setups = new AtomicInteger();
        service = new SinkService(config, registry, () -> consumer,
                List.of(new SinkRoute<>(config.topics().failureTrends, List.of(writer))), () -> {
            setups.incrementAndGet();
            throw new QuestDbException("QuestDB at http://127.0.0.1:1 did not answer", "CREATE TABLE", 0, true, null);
        }, List.of("failure_trends", "failure_errors"));

        assertThatThrownBy(service::start)
                .isInstanceOf(SinkException.class)
                .hasMessageContaining("create the tables")
                .hasMessageContaining("after 2 attempts");
        assertThat(setups).hasValue(2);
        assertThat(service.isRunning()).isFalse();
    }

    @Test
    void shouldTellRetriableErrorsFromFatalOnes() {
        assertThat(SinkService.isRetriable(new QuestDbException("5xx", null, 503, true, null))).isTrue();
        assertThat(SinkService.isRetriable(new RuntimeException(new java.net.ConnectException("refused")))).isTrue();
        assertThat(SinkService.isRetriable(new QuestDbException("bad", null, 400, false,
                new java.io.IOException("not the verdict")))).isFalse();
        assertThat(SinkService.isRetriable(new IllegalArgumentException("bad value"))).isFalse();
    }

    private SinkService service(SinkConfig config) {
        return new SinkService(config, registry, () -> consumer,
                List.of(new SinkRoute<>(config.topics().failureTrends, List.of(writer))), () -> { },
                List.of("failure_trends", "failure_errors"));
    }

    private void deliver(SinkConfig config, FailureTrend... trends) {
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(PARTITION));
            consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
            for (int i = 0; i < trends.length; i++) {
                consumer.addRecord(record(i, encode(config, trends[i])));
            }
        });
    }

    private long committedOffset() {
        return consumer.commits.stream()
                .map(commit -> commit.get(PARTITION))
                .filter(Objects::nonNull)
                .mapToLong(OffsetAndMetadata::offset)
                .max()
                .orElse(0);
    }

    private double counter(String name) {
        return registry.get(name).functionCounter().count();
    }

    private static SinkConfig config(int retries) {
        Map<String, Object> props = new HashMap<>();
        props.put(SinkConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        props.put(SinkConfig.TOPIC_PREFIX_CONFIG, "test.");
        props.put(SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, "http::addr=127.0.0.1:9;");
        props.put(SinkConfig.QUESTDB_HTTP_URL_CONFIG, "http://127.0.0.1:9");
        props.put(SinkConfig.POLL_TIMEOUT_MS_CONFIG, 10);
        props.put(SinkConfig.WRITE_RETRIES_CONFIG, retries);
        props.put(SinkConfig.WRITE_RETRY_BACKOFF_MS_CONFIG, 1);
        return new SinkConfig(props);
    }

    private static FailureTrend trend(long attempts) {
        return smallPartitionTrend(WINDOW, attempts, 0, attempts, 0, attempts, Map.of());
    }

    private static byte[] encode(SinkConfig config, FailureTrend trend) {
        return config.topics().failureTrends.valueSerde().serializer().serialize(TOPIC, trend);
    }

    private static ConsumerRecord<String, byte[]> record(long offset, byte[] value) {
        return record(0, offset, value);
    }

    private static ConsumerRecord<String, byte[]> record(int partition, long offset, byte[] value) {
        return new ConsumerRecord<>(TOPIC, partition, offset, "key-" + partition + "-" + offset, value);
    }

    /** MockConsumer that remembers every synchronous commit (readable after close, unlike committed()). */
    private static final class RecordingConsumer extends MockConsumer<String, byte[]> {
        final List<Map<TopicPartition, OffsetAndMetadata>> commits = new CopyOnWriteArrayList<>();

        final AtomicInteger pausedPolls = new AtomicInteger();

        RecordingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized org.apache.kafka.clients.consumer.ConsumerRecords<String, byte[]> poll(Duration timeout) {
            if (!paused().isEmpty()) {
                pausedPolls.incrementAndGet();
            }
            return super.poll(timeout);
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            super.commitSync(offsets);
            commits.add(Map.copyOf(offsets));
        }
    }

    /** A writer that fails the next N attempts (retriable or not), then records what it is given. */
    private final class ScriptedWriter implements RecordWriter<FailureTrend> {
        private final List<FailureTrend> written = new CopyOnWriteArrayList<>();
        private final AtomicInteger attempts = new AtomicInteger();
        private volatile int failuresLeft;
        private volatile BooleanSupplier downWhile = () -> false;
        private volatile boolean retriable;
        private volatile boolean closed;
        private volatile int commitsBeforeSuccess = -1;

        void failNext(int times, boolean retriable) {
            this.failuresLeft = times;
            this.retriable = retriable;
        }

        /** Fails every attempt (retriably) while {@code condition} holds. */
        void failWhile(BooleanSupplier condition) {
            this.downWhile = condition;
            this.retriable = true;
        }

        @Override
        public String store() {
            return "scripted";
        }

        @Override
        public WriteResult write(List<FailureTrend> trends) {
            attempts.incrementAndGet();
            boolean down = downWhile.getAsBoolean();
            if (down || failuresLeft > 0) {
                if (!down) {
                    failuresLeft--;
                }
                throw new QuestDbException("QuestDB answered HTTP " + (retriable ? 503 : 400), null,
                        retriable ? 503 : 400, retriable, null);
            }
            commitsBeforeSuccess = consumer.commits.size();
            written.addAll(trends);
            Instant newest = trends.stream().map(FailureTrend::getWindowStart).max(Instant::compareTo).orElseThrow();
            return new WriteResult(Map.of("failure_trends", (long) trends.size()), Optional.of(newest));
        }

        @Override
        public void close() {
            closed = true;
        }

        List<FailureTrend> written() {
            return written;
        }

        int attempts() {
            return attempts.get();
        }

        int commitsBeforeSuccess() {
            return commitsBeforeSuccess;
        }

        boolean closed() {
            return closed;
        }
    }
}
