package io.patchpulse.collector.ingest;

import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseResult;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads documents that shippers write to a Kafka topic themselves (Winlogbeat's {@code output.kafka}, one JSON
 * document per record) and feeds them to the {@link Ingestor} like a file: host names are pseudonymized, bad
 * documents go to the dead-letter topic, good ones to the pipeline's topics.
 *
 * <p>The read position of each partition is stored in the spool in the same synced write as the records read up
 * to it, and a partition assigned to this collector resumes from there: a crash neither loses nor repeats a
 * document. Offsets are also committed to the consumer group (after the spool write) so that its lag shows in the
 * usual tools; they are only a fallback for partitions the spool has never seen.
 */
public final class KafkaInput implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaInput.class);

    /** One input: a topic and the format of its record values. */
    public record Source(String topic, InputFormat format) {
        public Source {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(format, "format");
        }

        /**
         * {@code format:topic}, for example {@code winlogbeat:patchpulse.winlogbeat}.
         *
         * @throws IllegalArgumentException naming the entry when it is not of that form
         */
        public static Source parse(String entry) {
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("Kafka input '" + entry + "' is not format:topic, for example "
                        + "winlogbeat:patchpulse.winlogbeat");
            }
            return new Source(entry.substring(colon + 1).strip(), InputFormat.of(entry.substring(0, colon)));
        }
    }

    private final Source source;
    private final Ingestor ingestor;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;

    /**
     * @param consumerProperties bootstrap servers and any client settings (TLS, SASL); the group id given here
     *                           is used for lag reporting only
     */
    public KafkaInput(Source source, Ingestor ingestor, Map<String, Object> consumerProperties) {
        this.source = Objects.requireNonNull(source, "source");
        this.ingestor = Objects.requireNonNull(ingestor, "ingestor");
        Map<String, Object> properties = new LinkedHashMap<>(consumerProperties);
        // Positions live in the spool, written with the records; the group's offsets only mirror them.
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        properties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "patchpulse-collector-input-" + source.topic());
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "patchpulse-kafka-input-" + source.topic());
        this.thread.setDaemon(true);
    }

    /** Starts reading. */
    public KafkaInput start() {
        started = true;
        LOG.info("Reading {} documents from Kafka topic {}", source.format().id(), source.topic());
        thread.start();
        return this;
    }

    private String key(TopicPartition partition) {
        return "kafka:" + source.format().id() + ":" + partition.topic() + ":" + partition.partition();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(source.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    for (TopicPartition partition : partitions) {
                        try {
                            long next = ingestor.spool().position(key(partition));
                            if (next >= 0) {
                                consumer.seek(partition, next);
                            }
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException("cannot read the stored position of " + partition, e);
                        }
                    }
                }
            });
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (TopicPartition partition : records.partitions()) {
                    ingest(partition, records.records(partition));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Reading Kafka topic {} stopped: {}", source.topic(), e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5)); // the consumer is not thread-safe: closed by its own thread
        }
    }

    /** One partition's batch: all documents as one NDJSON input, and the partition's next offset, in one write. */
    private void ingest(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            byte[] value = record.value() == null ? new byte[0] : record.value();
            // One document per line, so line N of the input is the N-th record of the batch.
            for (byte b : value) {
                body.write(b == '\n' || b == '\r' ? ' ' : b);
            }
            body.write('\n');
        }
        long first = records.get(0).offset();
        long next = records.get(records.size() - 1).offset() + 1;
        String input = "kafka:" + partition + " (line N is offset " + first + " + N - 1)";
        while (running) {
            try {
                ParseResult result = ingestor.ingest(source.format(), body.toByteArray(), input,
                        Map.of(key(partition), next), Ingestor.Mode.FILE);
                if (result.rejected() > 0) {
                    LOG.warn("{}: {} documents rejected (kept in the dead-letter topic), first: {}", input,
                            result.rejected(), result.problems().get(0));
                }
                consumer.commitAsync(Map.of(partition, new OffsetAndMetadata(next)), null);
                return;
            } catch (java.io.IOException e) {
                // Spool full or not writable: wait, keep the place, try again (the records are still in Kafka).
                LOG.warn("Cannot spool documents from {} yet: {}", partition, e.getMessage());
                sleepQuietly();
            } catch (Ingestor.Refused e) {
                throw new IllegalStateException("FILE mode refuses nothing", e);
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close(Duration.ofSeconds(5));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
