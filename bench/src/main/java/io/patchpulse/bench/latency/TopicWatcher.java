package io.patchpulse.bench.latency;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ObjLongConsumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a topic from its end on a thread of its own, committed records only (what the sink reads: under
 * exactly-once a record exists once the transaction that wrote it committed), and hands each value with
 * {@link System#nanoTime()} of its arrival to a callback. No consumer group: nothing is committed.
 */
final class TopicWatcher<V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicWatcher.class);

    private final String bootstrapServers;
    private final String topic;
    private final Deserializer<V> values;
    private final ObjLongConsumer<V> onValue;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch positioned = new CountDownLatch(1);
    private final Thread thread;
    private volatile String error;

    TopicWatcher(String bootstrapServers, String topic, Deserializer<V> values, ObjLongConsumer<V> onValue) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.values = values;
        this.onValue = onValue;
        this.thread = new Thread(this::read, "watch-" + topic);
        this.thread.setDaemon(true);
    }

    /** Starts reading and returns once the reader stands at the topic's end: every later record will be seen. */
    TopicWatcher<V> start(Duration timeout) throws InterruptedException {
        thread.start();
        if (!positioned.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            close();
            throw new IllegalStateException("could not start reading " + topic + " within " + timeout
                    + (error == null ? "" : ": " + error));
        }
        if (error != null) {
            throw new IllegalStateException("could not start reading " + topic + ": " + error);
        }
        return this;
    }

    /** The failure that stopped the reader, or null. */
    String error() {
        return error;
    }

    private void read() {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.CLIENT_ID_CONFIG, "patchpulse-bench-watch-" + topic);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, before anything is published
            positioned.countDown();
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(10))) {
                    long now = System.nanoTime();
                    V value = record.value() == null ? null : values.deserialize(topic, record.value());
                    if (value != null) {
                        onValue.accept(value, now);
                    }
                }
            }
        } catch (RuntimeException e) {
            error = e.toString();
            LOG.warn("reading {} failed: {}", topic, e.toString());
        } finally {
            positioned.countDown();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(10_000);
    }
}
