package io.patchpulse.bench.endtoend;

import io.patchpulse.deploy.cli.ProgressLine;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * B_raw: the records through a fresh broker and back with no processing. The pipeline's topics are created as the
 * pipeline creates them (same partitions and configs), a plain consumer is positioned at their start, then the file
 * is produced as in the pipeline phase while the consumer reads. Measured from the first send to the moment the
 * consumer holds the last record.
 */
final class RawRoundTrip {

    static final String CONSUMER_ID = "patchpulse-bench-consumer";

    /**
     * The outcome.
     *
     * @param consumed        records consumed (all of them, or the phase fails)
     * @param produceSeconds  first send to last acknowledgement
     * @param usage           resources from the first send to the last record consumed (its seconds are B_raw's)
     */
    record Result(long consumed, double produceSeconds, ResourceMeter.Usage usage) {

        double eventsPerSecond() {
            return consumed / usage.seconds();
        }
    }

    private RawRoundTrip() {
    }

    static Result run(Path dataDir, RecordFile file, int partitions, Duration timeout, java.io.PrintWriter out)
            throws InterruptedException {
        Topics topics = Topics.defaults();
        long expected = file.summary().records();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), Duration.ofSeconds(60))) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                TopicSetup.ensure(admin, topics, partitions, (short) 1);
                PipelineRun.awaitLeaders(admin, topics, Duration.ofSeconds(60));
            }
            List<TopicPartition> assigned = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                assigned.add(new TopicPartition(topics.installEvents.name(), p));
                assigned.add(new TopicPartition(topics.deviceInventory.name(), p));
            }
            CountDownLatch positioned = new CountDownLatch(1);
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<long[]> consumed = new CompletableFuture<>();
            Thread consumer = new Thread(() -> consume(kafka.bootstrapServers(), assigned, expected, positioned,
                    stop, consumed), CONSUMER_ID);
            consumer.start();
            try {
                if (!positioned.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the raw consumer did not start within 60 s");
                }
                ResourceMeter[] meter = new ResourceMeter[1];
                RecordProducer.Sent sent = RecordProducer.send(kafka.bootstrapServers(), file,
                        topics.installEvents.name(), topics.deviceInventory.name(), () -> meter[0] = new ResourceMeter(),
                        new ProgressLine(out, "B_raw: producing", expected, "records"));
                long[] done = consumed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                ResourceMeter.Usage usage = meter[0].stop();
                // The meter started just before the first send and stopped after the last record came back; its
                // clock is replaced by the consumer's exact moment.
                double seconds = (done[1] - sent.firstSendNanos()) / 1e9;
                return new Result(done[0], sent.seconds(), usage.withSeconds(seconds));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("the raw round trip did not complete: " + e, e);
            } finally {
                stop.set(true);
                consumer.join(30_000);
            }
        }
    }

    /** Reads until {@code expected} records came back; completes with {count, nanoTime of the last}. */
    private static void consume(String bootstrapServers, List<TopicPartition> partitions, long expected,
            CountDownLatch positioned, AtomicBoolean stop, CompletableFuture<long[]> result) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, CONSUMER_ID,
                // As the streams app reads under exactly_once_v2.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            partitions.forEach(consumer::position);
            positioned.countDown();
            long count = 0;
            while (count < expected && !stop.get()) {
                count += consumer.poll(Duration.ofMillis(100)).count();
            }
            result.complete(new long[] {count, System.nanoTime()});
        } catch (RuntimeException e) {
            positioned.countDown();
            result.completeExceptionally(e);
        }
    }
}
