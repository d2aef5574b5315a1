package io.patchpulse.bench.latency;

import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.schemas.topics.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Publishes install events to {@code install-events} the way the collector's {@code KafkaPublisher} does (same
 * settings, same key and record time), and tells the caller when the broker acknowledged a given record: that moment
 * is "accepted" for the latency measurements. The publisher itself has no per-record callback, hence this class.
 */
final class AckTimedProducer implements AutoCloseable {

    private final Topic<String, InstallEvent> topic;
    private final Serializer<String> keys;
    private final Serializer<InstallEvent> values;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    AckTimedProducer(String bootstrapServers, Topics topics) {
        this.topic = topics.installEvents;
        this.keys = topic.keySerde().serializer();
        this.values = topic.valueSerde().serializer();
        this.producer = new KafkaProducer<>(new java.util.HashMap<>(settings(bootstrapServers)),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The producer settings: the collector's own ({@code KafkaPublisher.producerProperties}: idempotent, acks=all,
     * linger 20 ms, lz4), so the load reaches the broker as collected records do.
     */
    static Map<String, String> settings(String bootstrapServers) {
        Map<String, String> settings = new LinkedHashMap<>();
        KafkaPublisher.producerProperties(bootstrapServers,
                Map.of(ProducerConfig.CLIENT_ID_CONFIG, "patchpulse-bench-latency"))
                .forEach((key, value) -> settings.put(key, String.valueOf(value)));
        return settings;
    }

    /** The settings that shape latency, for the result (no addresses). */
    static Map<String, String> reportedSettings() {
        Map<String, String> reported = new LinkedHashMap<>(settings("-"));
        reported.remove(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        reported.remove(ProducerConfig.CLIENT_ID_CONFIG);
        return reported;
    }

    /**
     * Sends {@code event}; {@code onAck} (may be null) gets {@link System#nanoTime()} of its acknowledgement, on the
     * producer's I/O thread. A failed send is remembered and makes {@link #flush()} throw.
     */
    void send(InstallEvent event, LongConsumer onAck) {
        Exception failure = firstFailure.get();
        if (failure != null) {
            throw new IllegalStateException("an earlier send failed: " + failure, failure);
        }
        byte[] key = keys.serialize(topic.name(), event.getDeviceId());
        byte[] value = values.serialize(topic.name(), event);
        sent.incrementAndGet();
        producer.send(new ProducerRecord<>(topic.name(), null, event.getOccurredAt().toEpochMilli(), key, value),
                (metadata, exception) -> {
                    long now = System.nanoTime();
                    if (exception != null) {
                        firstFailure.compareAndSet(null, exception);
                        return;
                    }
                    acknowledged.incrementAndGet();
                    if (onAck != null) {
                        onAck.accept(now);
                    }
                });
    }

    /** Waits until every record sent so far is acknowledged or failed; throws on the first failure. */
    void flush() {
        producer.flush();
        Exception failure = firstFailure.get();
        if (failure != null) {
            throw new IllegalStateException("publishing to " + topic.name() + " failed: " + failure, failure);
        }
    }

    long sent() {
        return sent.get();
    }

    long acknowledged() {
        return acknowledged.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
