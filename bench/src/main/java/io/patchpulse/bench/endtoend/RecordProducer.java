package io.patchpulse.bench.endtoend;

import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.deploy.cli.ProgressLine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the record file as fast as one producer goes, with the collector's producer settings, so that the raw round
 * trip and the pipeline get their input the same way the collector would hand it over.
 */
final class RecordProducer {

    /** Client id: the bench's own producer threads are told from the pipeline's by it. */
    static final String CLIENT_ID = "patchpulse-bench-producer";

    private RecordProducer() {
    }

    /** KafkaPublisher's own producer settings (the collector's), with the bench's client id. */
    static Map<String, Object> properties(String bootstrapServers) {
        return new LinkedHashMap<>(KafkaPublisher.producerProperties(bootstrapServers,
                Map.of(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID)));
    }

    /** The producer settings as reported: ours plus the Kafka defaults that matter for throughput. */
    static Map<String, Object> reported() {
        Map<String, Object> settings = new LinkedHashMap<>(properties("<broker>"));
        settings.remove(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, "16384 (Kafka default, as KafkaPublisher)");
        settings.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "33554432 (Kafka default, as KafkaPublisher)");
        return settings;
    }

    /**
     * What a send took.
     *
     * @param firstSendNanos {@link System#nanoTime()} just before the first send
     * @param lastAckNanos   when the last acknowledgement had arrived (after flush)
     * @param records        records acknowledged
     */
    record Sent(long firstSendNanos, long lastAckNanos, long records) {

        double seconds() {
            return (lastAckNanos - firstSendNanos) / 1e9;
        }
    }

    /**
     * Sends every record of {@code file}: install events to {@code eventsTopic}, inventories to
     * {@code inventoryTopic}, with the simulator's event time as record timestamp. {@code onFirstSend} runs once,
     * right before the first send (the phase clock starts there).
     *
     * @throws IllegalStateException when a send failed
     */
    static Sent send(String bootstrapServers, RecordFile file, String eventsTopic, String inventoryTopic,
            Runnable onFirstSend, ProgressLine progress) {
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long first;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties(bootstrapServers),
                new ByteArraySerializer(), new ByteArraySerializer());
                RecordFile.Reader reader = file.open()) {
            // Metadata first: the first send would otherwise wait for it inside the measured time.
            producer.partitionsFor(eventsTopic);
            producer.partitionsFor(inventoryTopic);
            onFirstSend.run();
            first = System.nanoTime();
            for (RecordFile.Entry entry = reader.next(); entry != null; entry = reader.next()) {
                String topic = entry.kind() == RecordFile.INSTALL_EVENT ? eventsTopic : inventoryTopic;
                producer.send(new ProducerRecord<>(topic, null, entry.timestamp(), entry.key(), entry.value()),
                        (metadata, exception) -> {
                            if (exception != null) {
                                failure.compareAndSet(null, exception);
                            } else {
                                acknowledged.incrementAndGet();
                            }
                        });
                progress.advance();
                if (failure.get() != null) {
                    break;
                }
            }
            producer.flush();
        }
        long last = System.nanoTime();
        progress.done();
        if (failure.get() != null) {
            throw new IllegalStateException("a send failed: " + failure.get(), failure.get());
        }
        return new Sent(first, last, acknowledged.get());
    }
}
