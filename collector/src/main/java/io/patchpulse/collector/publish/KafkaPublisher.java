package io.patchpulse.collector.publish;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.serde.CanonicalJson;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.schemas.topics.Topics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes simulated (and later parsed) records to Kafka with an idempotent producer: install events to
 * {@code install-events}, inventories to {@code device-inventory}, key = device id, record timestamp = event time
 * ({@code occurredAt} / {@code observedAt}).
 *
 * <p>Nothing is lost silently: the first failed send is remembered, {@link #publish} refuses further records once a
 * send has failed, and {@link #flush()} (and {@link #close()}, if no one was told yet) throws a
 * {@link PublishException} naming it. {@link #acknowledged()} counts records the brokers acknowledged.
 *
 * <p>Optionally ({@code eventsOut}), every acknowledged record is written, in acknowledgement order, as one line of
 * canonical JSON: {@code {"topic":"<full topic name>","key":"<deviceId>","value":{...}}}. The file is flushed by
 * {@link #flush()} and closed by {@link #close()}.
 *
 * <p>The progress hook receives the acknowledged count after each acknowledgement, on the producer's I/O thread:
 * it must be quick and must not block.
 */
public final class KafkaPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Topic<String, InstallEvent> installEvents;
    private final Topic<String, DeviceInventory> deviceInventory;
    private final Serializer<String> keySerializer;
    private final Serializer<InstallEvent> eventSerializer;
    private final Serializer<DeviceInventory> inventorySerializer;
    private final Producer<byte[], byte[]> producer;
    private final BufferedWriter eventsOut;
    private final LongConsumer onAcknowledged;
    private final Object ackLock = new Object();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Failure> firstFailure = new AtomicReference<>();
    private final AtomicBoolean failureReported = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A publisher without events-out file and without progress hook. */
    public KafkaPublisher(String bootstrapServers, Topics topics, Map<String, ?> extraProperties) {
        this(bootstrapServers, topics, extraProperties, null, null);
    }

    /**
     * A publisher.
     *
     * @param bootstrapServers brokers to start from, {@code host:port[,host:port...]}
     * @param topics           the topic registry (names and serdes)
     * @param extraProperties  further producer properties passed through as given (TLS, SASL, tuning); they may not
     *                         change the settings the guarantees rest on (idempotence, acks, serializers)
     * @param eventsOut        file to write acknowledged records to (created or truncated), or null for none
     * @param onAcknowledged   called with the acknowledged count after each acknowledgement, or null
     * @throws IllegalArgumentException when an extra property conflicts with a pinned setting
     * @throws UncheckedIOException     when the events-out file cannot be opened
     */
    public KafkaPublisher(String bootstrapServers, Topics topics, Map<String, ?> extraProperties, Path eventsOut,
                          LongConsumer onAcknowledged) {
        this(topics, producerProperties(bootstrapServers, extraProperties), eventsOut, onAcknowledged);
    }

    private KafkaPublisher(Topics topics, Map<String, Object> properties, Path eventsOut,
                           LongConsumer onAcknowledged) {
        Objects.requireNonNull(topics, "topics");
        this.installEvents = topics.installEvents;
        this.deviceInventory = topics.deviceInventory;
        this.keySerializer = installEvents.keySerde().serializer();
        this.eventSerializer = installEvents.valueSerde().serializer();
        this.inventorySerializer = deviceInventory.valueSerde().serializer();
        this.onAcknowledged = onAcknowledged;
        this.eventsOut = eventsOut == null ? null : open(eventsOut);
        try {
            this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (RuntimeException e) {
            closeQuietly(this.eventsOut);
            throw e;
        }
    }

    /**
     * The producer configuration: our settings, then {@code extraProperties}.
     *
     * @throws IllegalArgumentException when an extra property would weaken a pinned setting
     */
    public static Map<String, Object> producerProperties(String bootstrapServers, Map<String, ?> extraProperties) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must be given (host:port[,host:port...])");
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Retries must never duplicate or reorder a record: the broker de-duplicates by producer id and sequence.
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // A record counts as acknowledged only once every in-sync replica has it.
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        // Names the collector in broker logs, quotas and client metrics.
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "patchpulse-collector");
        // Simulator runs and backlogs arrive in bursts: wait a little longer to send fuller batches.
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        // Repetitive Avro telemetry compresses well; lz4 costs little CPU.
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        if (extraProperties == null) {
            return properties;
        }
        for (Map.Entry<String, ?> entry : extraProperties.entrySet()) {
            String key = entry.getKey();
            String value = String.valueOf(entry.getValue());
            switch (key) {
                case ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG:
                    requirePinned(key, value.strip().toLowerCase(Locale.ROOT).equals("true"), "true",
                            "retries must not duplicate records");
                    break;
                case ProducerConfig.ACKS_CONFIG:
                    String acks = value.strip().toLowerCase(Locale.ROOT);
                    requirePinned(key, acks.equals("all") || acks.equals("-1"), "all",
                            "a record counts only once all in-sync replicas have it");
                    break;
                case ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG:
                case ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG:
                    throw new IllegalArgumentException(key + " cannot be set: the publisher serializes with the"
                            + " topic registry's serdes");
                case ProducerConfig.BOOTSTRAP_SERVERS_CONFIG:
                    requirePinned(key, value.equals(bootstrapServers), bootstrapServers,
                            "give the brokers once, as the bootstrap-servers argument");
                    break;
                default:
                    properties.put(key, entry.getValue());
            }
        }
        return properties;
    }

    private static void requirePinned(String key, boolean same, String pinned, String why) {
        if (!same) {
            throw new IllegalArgumentException(key + " is fixed to " + pinned + " by the publisher (" + why + ")");
        }
    }

    /**
     * Sends one record; returns once it is handed to the producer (acknowledgement comes later).
     *
     * @throws PublishException      when an earlier send already failed
     * @throws IllegalStateException after {@link #close()}
     */
    public void publish(CollectedRecord record) {
        Objects.requireNonNull(record, "record");
        if (record instanceof CollectedRecord.Event) {
            InstallEvent event = ((CollectedRecord.Event) record).event();
            send(installEvents.name(), event.getDeviceId(), event.getOccurredAt(),
                    eventSerializer.serialize(installEvents.name(), event), event);
        } else {
            DeviceInventory inventory = ((CollectedRecord.Inventory) record).inventory();
            send(deviceInventory.name(), inventory.getDeviceId(), inventory.getObservedAt(),
                    inventorySerializer.serialize(deviceInventory.name(), inventory), inventory);
        }
    }

    /**
     * Sends {@code value} to a topic of the registry other than the two of {@link #publish(CollectedRecord)} (the
     * release catalog), keyed by {@code key}, with {@code timestamp} as record time.
     *
     * @throws PublishException      when an earlier send already failed
     * @throws IllegalStateException after {@link #close()}
     */
    public <V extends org.apache.avro.specific.SpecificRecord> void publish(Topic<String, V> topic, String key,
                                                                            Instant timestamp, V value) {
        Objects.requireNonNull(value, "value");
        send(topic.name(), key, timestamp, topic.valueSerde().serializer().serialize(topic.name(), value), value);
    }

    private void send(String topic, String key, Instant timestamp, byte[] value, IndexedRecord record) {
        if (closed.get()) {
            throw new IllegalStateException("the publisher is closed");
        }
        throwIfFailed();
        String line = eventsOut == null ? null : eventsOutLine(topic, key, record);
        ProducerRecord<byte[], byte[]> producerRecord = new ProducerRecord<>(topic, null, timestamp.toEpochMilli(),
                keySerializer.serialize(topic, key), value);
        sent.incrementAndGet();
        Callback callback = (metadata, exception) -> completed(topic, key, line, exception);
        try {
            producer.send(producerRecord, callback);
        } catch (RuntimeException e) {
            // Failed before reaching the producer's buffer (for example max.block.ms elapsed): the callback never runs.
            completed(topic, key, line, e);
            throw failure();
        }
    }

    private void completed(String topic, String key, String line, Exception exception) {
        if (exception != null) {
            failed.incrementAndGet();
            if (firstFailure.compareAndSet(null, new Failure(topic, key, exception))) {
                LOG.error("Kafka did not acknowledge a record for topic {}: {}", topic, exception.toString());
            }
            return;
        }
        synchronized (ackLock) {
            if (line != null) {
                try {
                    eventsOut.write(line);
                    eventsOut.write('\n');
                } catch (IOException e) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, new Failure(topic, key,
                            new UncheckedIOException("cannot write the events-out file", e)));
                    return;
                }
            }
            long count = acknowledged.incrementAndGet();
            if (onAcknowledged != null) {
                try {
                    onAcknowledged.accept(count);
                } catch (RuntimeException e) {
                    LOG.warn("progress hook failed at {} acknowledged records", count, e);
                }
            }
        }
    }

    /**
     * Waits until every record sent so far is acknowledged or failed, and flushes the events-out file.
     *
     * @throws PublishException when any send failed
     */
    public void flush() {
        producer.flush();
        flushEventsOut();
        throwIfFailed();
    }

    /** Records the brokers acknowledged so far. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Records handed to the producer so far. */
    public long sent() {
        return sent.get();
    }

    /** Records whose send failed so far. */
    public long failed() {
        return failed.get();
    }

    /**
     * Flushes and closes the producer (waiting up to a minute; records still unacknowledged then count as failed)
     * and the events-out file.
     *
     * @throws PublishException     when a send failed and neither {@link #publish} nor {@link #flush()} reported it
     * @throws UncheckedIOException when the events-out file cannot be completed
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            producer.close(CLOSE_TIMEOUT);
        } finally {
            if (eventsOut != null) {
                synchronized (ackLock) {
                    try {
                        eventsOut.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot complete the events-out file", e);
                    }
                }
            }
        }
        if (firstFailure.get() != null && !failureReported.get()) {
            throw failure();
        }
    }

    /** One events-out line: the topic, the key and the canonical JSON of the value. */
    static String eventsOutLine(String topic, String key, IndexedRecord value) {
        ObjectNode line = NODES.objectNode();
        line.put("topic", topic);
        line.put("key", key);
        line.set("value", CanonicalJson.toTree(value));
        return line.toString();
    }

    private void throwIfFailed() {
        if (firstFailure.get() != null) {
            throw failure();
        }
    }

    private PublishException failure() {
        Failure first = firstFailure.get();
        failureReported.set(true);
        long failedNow = failed.get();
        return new PublishException(failedNow + " of " + sent.get() + " records failed to publish ("
                + acknowledged.get() + " acknowledged by Kafka); first failure on topic " + first.topic()
                + " for key " + first.key() + ": " + first.cause(), failedNow, first.cause());
    }

    private void flushEventsOut() {
        if (eventsOut == null) {
            return;
        }
        synchronized (ackLock) {
            try {
                eventsOut.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot flush the events-out file", e);
            }
        }
    }

    private static BufferedWriter open(Path path) {
        try {
            return Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the events-out file " + path, e);
        }
    }

    private static void closeQuietly(BufferedWriter writer) {
        if (writer == null) {
            return;
        }
        try {
            writer.close();
        } catch (IOException e) {
            LOG.error("cannot close the events-out file", e);
        }
    }

    /** The first send that failed. */
    private record Failure(String topic, String key, Exception cause) {
    }
}
