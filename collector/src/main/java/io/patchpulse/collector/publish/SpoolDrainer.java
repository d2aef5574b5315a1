package io.patchpulse.collector.publish;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves spooled records to Kafka, oldest first, and removes them from the spool only once every one of a batch is
 * acknowledged ({@code acks=all}, idempotent producer). When Kafka is unreachable the batch stays in the spool and
 * is retried with growing back-off (1 s up to 30 s); when Kafka is back the spool drains in order.
 *
 * <p>A batch that was partly acknowledged before a failure is sent again as a whole: those records reach Kafka
 * twice and downstream drops the replay by device + event id. Nothing is ever dropped here. The same holds for a
 * batch Kafka acknowledged whole when the collector dies before the spool removed it (the window
 * {@link AfterSend} opens for tests): the next start sends it again.
 */
public final class SpoolDrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolDrainer.class);
    private static final int BATCH_RECORDS = 5_000;
    private static final long BATCH_BYTES = 8L << 20;
    private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * Told when Kafka has acknowledged every record of a batch and the spool still holds it (see {@link
     * #SpoolDrainer(Spool, String, Map, AfterSend)}).
     */
    @FunctionalInterface
    public interface AfterSend {

        /**
         * Called on the drainer thread after Kafka acknowledged every record of {@code batch} and before the spool
         * removes it; blocking here holds the removal back. An exception fails the batch like a failed send: it
         * stays in the spool and is sent again.
         */
        void sent(List<Spool.Entry> batch);

        /** No hook: the spool removes a batch as soon as Kafka acknowledged it. */
        AfterSend NONE = batch -> { };
    }

    private final Spool spool;
    private final Supplier<Producer<byte[], byte[]>> producerFactory;
    private final AfterSend afterSendHook;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile Producer<byte[], byte[]> producer;

    /**
     * A drainer for {@code spool}; call {@link #start()}.
     *
     * @param extraProperties producer properties passed through (TLS, SASL, timeouts); the guarantees stay pinned
     *                        as in {@link KafkaPublisher#producerProperties}
     */
    public SpoolDrainer(Spool spool, String bootstrapServers, Map<String, ?> extraProperties) {
        this(spool, bootstrapServers, extraProperties, AfterSend.NONE);
    }

    /**
     * The same drainer, calling {@code afterSend} on its thread after Kafka acknowledged a batch and before the spool
     * removes it: the window in which a crash makes the next start send records Kafka already holds. For fault
     * tests, which stop the process there; production code uses {@link #SpoolDrainer(Spool, String, Map)}.
     */
    public SpoolDrainer(Spool spool, String bootstrapServers, Map<String, ?> extraProperties, AfterSend afterSend) {
        this.spool = Objects.requireNonNull(spool, "spool");
        this.afterSendHook = Objects.requireNonNull(afterSend, "afterSend");
        Map<String, Object> defaults = new LinkedHashMap<>();
        // An outage must surface as a failed batch within seconds, not block the drainer for minutes.
        defaults.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        defaults.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        defaults.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        defaults.put(ProducerConfig.CLIENT_ID_CONFIG, "patchpulse-collector-spool");
        if (extraProperties != null) {
            defaults.putAll(extraProperties);
        }
        Map<String, Object> producerProperties = KafkaPublisher.producerProperties(bootstrapServers, defaults);
        this.producerFactory = () -> new KafkaProducer<>(producerProperties, new ByteArraySerializer(),
                new ByteArraySerializer());
        try {
            this.producer = newProducer();
        } catch (org.apache.kafka.common.KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("the Kafka producer settings are not usable: " + cause.getMessage(), e);
        }
        this.thread = new Thread(this::run, "patchpulse-spool-drainer");
        this.thread.setDaemon(true);
    }

    /** For tests: a drainer whose producers come from {@code producerFactory} (e.g. a {@code MockProducer}). */
    SpoolDrainer(Spool spool, Supplier<Producer<byte[], byte[]>> producerFactory, AfterSend afterSend) {
        this.spool = Objects.requireNonNull(spool, "spool");
        this.producerFactory = Objects.requireNonNull(producerFactory, "producerFactory");
        this.afterSendHook = Objects.requireNonNull(afterSend, "afterSend");
        this.producer = newProducer();
        this.thread = new Thread(this::run, "patchpulse-spool-drainer");
        this.thread.setDaemon(true);
    }

    /** Starts draining in the background. */
    public SpoolDrainer start() {
        thread.start();
        return this;
    }

    /** Records acknowledged by Kafka and removed from the spool, since start. */
    public long sent() {
        return sent.get();
    }

    /** Batches that failed (and were kept for a retry), since start. */
    public long failures() {
        return failures.get();
    }

    /** The last error, or null after a success. */
    public String lastError() {
        return lastError.get();
    }

    /** When a batch last reached Kafka, or null. */
    public Instant lastSuccess() {
        return lastSuccess.get();
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        boolean failing = false;
        while (running) {
            try {
                if (!spool.awaitRecords(500)) {
                    continue;
                }
                List<Spool.Entry> batch = spool.oldest(BATCH_RECORDS, BATCH_BYTES);
                if (batch.isEmpty()) {
                    continue;
                }
                send(batch);
                if (afterSendHook != AfterSend.NONE) {
                    afterSendHook.sent(List.copyOf(batch));
                }
                spool.removeThrough(batch.get(batch.size() - 1).sequence());
                sent.addAndGet(batch.size());
                lastSuccess.set(Instant.now());
                lastError.set(null);
                if (failing) {
                    LOG.info("Kafka is reachable again; the spool is draining ({} records waiting)", spool.size());
                    failing = false;
                }
                backoff = MIN_BACKOFF;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failures.incrementAndGet();
                lastError.set(e.toString());
                if (!failing) {
                    LOG.warn("Cannot reach Kafka; {} records stay in the spool and are retried: {}", spool.size(),
                            e.toString());
                    failing = true;
                }
                closeProducer();
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private void send(List<Spool.Entry> batch) throws Exception {
        if (producer == null) {
            producer = newProducer();
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        for (Spool.Entry entry : batch) {
            Outgoing record = entry.record();
            ProducerRecord<byte[], byte[]> producerRecord = new ProducerRecord<>(record.topic(), null,
                    record.timestampMs(), record.keyBytes(), record.value());
            record.headers().forEach((name, value) ->
                    producerRecord.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
            acks.add(producer.send(producerRecord));
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            ack.get(); // throws the send's failure
        }
    }

    private Producer<byte[], byte[]> newProducer() {
        return producerFactory.get();
    }

    private void sleep(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        while (running && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("closing the failed producer", e);
            }
            producer = null;
        }
    }

    /**
     * Stops after the batch in flight (waiting up to {@code timeout} for it); what is not acknowledged stays in
     * the spool for the next start.
     */
    public void close(Duration timeout) {
        running = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        join(Math.min(timeout.toMillis(), 2_000));
        Producer<byte[], byte[]> current = producer;
        if (thread.isAlive() && current != null) {
            // Still in a batch after 2 s: Kafka is slow or unreachable, and a send waiting for metadata would hold
            // the stop for max.block.ms. Closing the producer fails the batch, which simply stays in the spool.
            current.close(Duration.ZERO);
        }
        join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (thread.isAlive()) {
            thread.interrupt();
            join(5_000);
        }
        closeProducer();
    }

    private void join(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
