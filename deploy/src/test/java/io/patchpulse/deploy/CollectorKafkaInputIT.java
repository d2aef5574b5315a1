package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.patchpulse.collector.CollectorService;
import io.patchpulse.collector.CollectorSettings;
import io.patchpulse.security.Tokens;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Winlogbeat writing to Kafka itself ({@code output.kafka}): the collector reads the topic, pseudonymizes the host,
 * and every relevant document reaches install-events once, also across a collector restart.
 */
class CollectorKafkaInputIT {

    private static final String INPUT_TOPIC = "patchpulse.winlogbeat";

    @TempDir
    Path dir;

    private static String document(int recordId, String host, int eventId) {
        Instant at = Instant.now().minusSeconds(3600 - recordId);
        return "{\"@timestamp\":\"" + at + "\",\"host\":{\"name\":\"" + host.toLowerCase() + "\"},"
                + "\"event\":{\"code\":\"" + eventId + "\"},\"winlog\":{\"channel\":\"System\",\"computer_name\":\""
                + host + ".corp.example.com\",\"provider_name\":\"Microsoft-Windows-WindowsUpdateClient\","
                + "\"event_id\":\"" + eventId + "\",\"record_id\":\"" + recordId + "\",\"event_data\":{"
                + "\"errorCode\":\"0x80070643\",\"updateTitle\":\"2024-01 Security Update for Windows 10 Version 22H2"
                + " for x64-based Systems (KB5034441)\",\"updateGuid\":\"{6b5f1e4a-0000-4000-8000-00000000000"
                + (recordId % 10) + "}\"}}}";
    }

    @Test
    void shouldReadDocumentsShippersWroteToKafkaOnceAcrossARestart() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Topics topics = Topics.defaults();
            TopicSetup.ensure(admin, topics, 3, (short) 1);
            admin.createTopics(List.of(new NewTopic(INPUT_TOPIC, 2, (short) 1))).all().get();
            TopicSetup.awaitServed(admin, List.of(INPUT_TOPIC), TopicSetup.SERVED_TIMEOUT); // written to at once
            Map<String, String> settings = Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    CollectorSettings.DATA_DIR_CONFIG, dir.resolve("collector").toString(),
                    CollectorSettings.HTTP_PORT_CONFIG, "0",
                    CollectorSettings.TOKENS_CONFIG, Tokens.entry("it", Tokens.newToken()),
                    CollectorSettings.KAFKA_INPUTS_CONFIG, "winlogbeat:" + INPUT_TOPIC);

            // Given 20 failures and 5 unrelated documents from two hosts, and one broken document
            List<String> documents = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                documents.add(document(i, i % 2 == 0 ? "PC-EVEN" : "PC-ODD", 20));
            }
            for (int i = 21; i <= 25; i++) {
                documents.add(document(i, "PC-ODD", 7036));
            }
            documents.add("{\"winlog\": broken");
            produce(kafka, documents);

            try (CollectorService collector = CollectorService.start(new CollectorSettings(settings), List.of())) {
                await().atMost(Duration.ofMinutes(1)).until(() -> installEvents(kafka, topics).size() == 20
                        && collector.spool().size() == 0);
            }

            // When one more document comes while the collector is down, and it starts again on its data directory
            produce(kafka, List.of(document(26, "PC-EVEN", 20)));
            try (CollectorService collector = CollectorService.start(new CollectorSettings(settings), List.of())) {
                await().atMost(Duration.ofMinutes(1)).until(() -> installEvents(kafka, topics).size() >= 21
                        && collector.spool().size() == 0);
                // and no document read before the restart comes again (it would within these seconds)
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20))
                        .until(() -> installEvents(kafka, topics).size() == 21);
            }

            // Then each failure reached install-events once, under a pseudonymous id
            List<ConsumerRecord<String, byte[]>> events = installEvents(kafka, topics);
            assertThat(events).hasSize(21);
            List<InstallEvent> values = events.stream()
                    .map(r -> topics.installEvents.valueSerde().deserializer().deserialize(r.topic(), r.value()))
                    .toList();
            assertThat(values).extracting(InstallEvent::getEventId).doesNotHaveDuplicates();
            assertThat(values).extracting(InstallEvent::getDeviceId).allMatch(id -> id.matches("d-[0-9a-f]{32}"));
            assertThat(values.stream().map(InstallEvent::getDeviceId).distinct()).hasSize(2);
            assertThat(values).extracting(InstallEvent::getErrorCode).containsOnly("0x80070643");
            assertThat(dlqCount(kafka, topics)).isEqualTo(1);
        }
    }

    private static void produce(EmbeddedKafka kafka, List<String> documents) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (String document : documents) {
                producer.send(new ProducerRecord<>(INPUT_TOPIC, document));
            }
            producer.flush();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> installEvents(EmbeddedKafka kafka, Topics topics) {
        return readAll(kafka, topics.installEvents.name());
    }

    private static long dlqCount(EmbeddedKafka kafka, Topics topics) {
        return readAll(kafka, topics.installEventsDlq.name()).size();
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(EmbeddedKafka kafka, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
