package io.patchpulse.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TopicSetup#ensure} returns only when the brokers serve the partitions it created. Before, the first write
 * right after it was answered NOT_LEADER_OR_FOLLOWER on every round here and retried; once in CI, kafka-clients'
 * idempotent producer then let a retried batch expire after two minutes, and the release catalog lost a record.
 */
class TopicSetupIT {

    private static final int ROUNDS = 20;

    @TempDir
    Path dir;

    @Test
    void shouldLetTheFirstWriteToEveryCreatedPartitionSucceedWithoutARetry() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            for (int round = 0; round < ROUNDS; round++) {
                // Given topics just created by ensure (a new prefix each round: a fresh set of topics)
                Topics topics = new Topics("round" + round + ".");
                TopicSetup.ensure(admin, topics, 3, (short) 1);

                // When an idempotent producer writes to every partition of each at once
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
                    for (Topic<?, ?> topic : topics.all()) {
                        for (int partition = 0; partition < 3; partition++) {
                            byte[] one = {1}; // a key too: the compacted topics refuse records without one
                            producer.send(new ProducerRecord<>(topic.name(), partition, one, one));
                        }
                    }
                    producer.flush();

                    // Then every record went through on its first attempt
                    assertThat(total(producer, "record-retry-total")).as("records retried, round %d", round)
                            .isZero();
                    assertThat(total(producer, "record-send-total")).as("sends, round %d", round)
                            .isEqualTo(topics.all().size() * 3.0);
                    assertThat(total(producer, "record-error-total")).as("records failed, round %d", round)
                            .isZero();
                }
            }
        }
    }

    @Test
    void shouldNameTheTopicsAndTheTimeWhenTheBrokersDoNotServeThem() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            // A topic nobody created stays unknown to the brokers: a retriable error until the time is up
            assertThatThrownBy(() -> TopicSetup.awaitServed(admin, List.of("never.created"), Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("[never.created]").hasMessageContaining("within 1 s");
        }
    }

    private static double total(KafkaProducer<?, ?> producer, String name) {
        for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
            if (metric.getKey().group().equals("producer-metrics") && metric.getKey().name().equals(name)) {
                return ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no producer metric " + name);
    }
}
