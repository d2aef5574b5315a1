package io.patchpulse.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drainer against Kafka's {@link MockProducer}: when its {@link SpoolDrainer.AfterSend} hook runs (Kafka has
 * acknowledged the batch, the spool still holds it), and that a batch not removed is sent again. The kill -9 in that
 * window runs against a real broker in the deploy module ({@code CollectorDrainKillFaultIT}).
 */
class SpoolDrainerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** Every producer the drainer asked for, in order (it makes a new one after a failed batch). */
    private final List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();

    private static List<Outgoing> records(int count) {
        List<Outgoing> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new Outgoing("t", "k" + i, i, ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private static List<String> keys(List<Spool.Entry> entries) {
        return entries.stream().map(e -> e.record().key()).toList();
    }

    private List<String> sentKeys() {
        List<String> keys = new ArrayList<>();
        for (MockProducer<byte[], byte[]> producer : producers) {
            for (ProducerRecord<byte[], byte[]> record : producer.history()) {
                keys.add(new String(record.key(), StandardCharsets.UTF_8));
            }
        }
        return keys;
    }

    /** A producer that acknowledges each record as it is sent. */
    private MockProducer<byte[], byte[]> acknowledging() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        producers.add(producer);
        return producer;
    }

    @Test
    void shouldCallTheHookAfterKafkaAcknowledgedTheBatchAndBeforeTheSpoolRemovesIt() throws Exception {
        List<List<String>> hookBatches = new CopyOnWriteArrayList<>();
        List<List<String>> acknowledgedAtHook = new CopyOnWriteArrayList<>();
        List<List<String>> spooledAtHook = new CopyOnWriteArrayList<>();
        try (Spool spool = Spool.open(dir)) {
            spool.append(records(3), Map.of());
            SpoolDrainer drainer = new SpoolDrainer(spool, this::acknowledging, batch -> {
                hookBatches.add(keys(batch));
                acknowledgedAtHook.add(sentKeys());
                try {
                    spooledAtHook.add(keys(spool.oldest(10, Long.MAX_VALUE)));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            try (drainer) {
                drainer.start();
                await().atMost(WAIT).until(() -> spool.size() == 0);
            }

            assertThat(hookBatches).containsExactly(List.of("k0", "k1", "k2"));
            assertThat(acknowledgedAtHook).as("Kafka acknowledged the batch before the hook")
                    .containsExactly(List.of("k0", "k1", "k2"));
            assertThat(spooledAtHook).as("the spool still held the batch in the hook")
                    .containsExactly(List.of("k0", "k1", "k2"));
            assertThat(drainer.sent()).isEqualTo(3);
        }
    }

    @Test
    void shouldNeitherCallTheHookNorRemoveTheBatchWhenKafkaDoesNotAcknowledgeIt() throws Exception {
        List<List<String>> hookBatches = new CopyOnWriteArrayList<>();
        try (Spool spool = Spool.open(dir)) {
            spool.append(records(3), Map.of());
            SpoolDrainer drainer = new SpoolDrainer(spool, () -> {
                // Every send fails on flush, as one does when Kafka stays unreachable past the delivery time-out.
                MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
                        new ByteArraySerializer()) {
                    @Override
                    public synchronized void flush() {
                        while (errorNext(new TimeoutException("no broker answered"))) {
                            // fail the next pending send
                        }
                    }
                };
                producers.add(producer);
                return producer;
            }, batch -> hookBatches.add(keys(batch)));

            try (drainer) {
                drainer.start();
                await().atMost(WAIT).until(() -> drainer.failures() >= 1);
            }

            assertThat(sentKeys()).as("the batch was handed to the producer").contains("k0", "k1", "k2");
            assertThat(hookBatches).isEmpty();
            assertThat(drainer.sent()).isZero();
            assertThat(keys(spool.oldest(10, Long.MAX_VALUE))).containsExactly("k0", "k1", "k2");
        }
    }

    @Test
    void shouldSendTheBatchAgainWhenTheDrainerStopsBetweenTheAcknowledgementAndTheRemoval() throws Exception {
        List<List<String>> hookBatches = new CopyOnWriteArrayList<>();
        try (Spool spool = Spool.open(dir)) {
            spool.append(records(3), Map.of());
            // The first time, the drainer stops in the window as a crashed collector would: the spool keeps the batch.
            SpoolDrainer drainer = new SpoolDrainer(spool, this::acknowledging, batch -> {
                hookBatches.add(keys(batch));
                if (hookBatches.size() == 1) {
                    throw new IllegalStateException("stopped after Kafka acknowledged, before the removal");
                }
            });

            try (drainer) {
                drainer.start();
                await().atMost(WAIT).until(() -> spool.size() == 0);
            }

            assertThat(hookBatches).containsExactly(List.of("k0", "k1", "k2"), List.of("k0", "k1", "k2"));
            assertThat(sentKeys()).as("Kafka got the batch twice: at least once, never lost")
                    .containsExactly("k0", "k1", "k2", "k0", "k1", "k2");
            assertThat(drainer.failures()).isEqualTo(1);
            assertThat(drainer.sent()).isEqualTo(3);
        }
    }
}
