package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.embedded.FreePorts;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.schemas.topics.TrendKey;
import io.patchpulse.schemas.values.Cohort;
import io.patchpulse.sink.SinkConfig;
import io.patchpulse.sink.SinkService;
import io.patchpulse.sink.metrics.SinkMetrics;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back-pressure, not loss (issue 5, deliverable 5): QuestDB stops while trends keep coming; the sink retries without
 * committing, and once QuestDB is back on the same data every total is the last one sent for its key, with nothing
 * dropped or doubled and the outage visible in the sink's meters.
 */
class StoreOutageIT {

    private static final Instant WINDOW = Instant.parse("2024-01-09T14:00:00Z");

    @TempDir
    Path dir;

    @Test
    void shouldHoldWhileQuestDbIsDownAndEndWithEveryLatestTotalWhenItIsBack() throws Exception {
        Topics topics = Topics.defaults();
        EmbeddedQuestDb.Options ports = new EmbeddedQuestDb.Options(FreePorts.pick(), FreePorts.pick(),
                EmbeddedQuestDb.Options.DEFAULT_RAM_USAGE_LIMIT_BYTES);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Map<String, Long> lastSent = new TreeMap<>();
        EmbeddedQuestDb questDb = EmbeddedQuestDb.start(dir.resolve("questdb"), ports);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()));
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
                SinkService sink = new SinkService(new SinkConfig(Map.of(
                        SinkConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, questDb.senderConfig(),
                        SinkConfig.QUESTDB_HTTP_URL_CONFIG, questDb.httpUrl(),
                        SinkConfig.WRITE_RETRY_BACKOFF_MS_CONFIG, "200")), meters)) {
            TopicSetup.ensure(admin, topics, 2, (short) 1);
            sink.start();

            // Given trends written while QuestDB is up
            send(producer, topics, lastSent, 0, 40, 1);
            QuestDbHttp sql = new QuestDbHttp(questDb.httpUrl());
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> stored(sql).equals(lastSent));

            // When QuestDB stops and new windows and updates of old ones keep coming
            questDb.close();
            send(producer, topics, lastSent, 20, 60, 2);

            // Then the sink keeps retrying, still running, and its meters show it
            await().atMost(Duration.ofMinutes(1)).until(() ->
                    meters.get(SinkMetrics.WRITE_RETRIES).functionCounter().count() >= 3);
            assertThat(sink.isRunning()).isTrue();
            assertThat(sink.failure()).isEmpty();

            // When QuestDB is back on the same data and ports
            questDb = EmbeddedQuestDb.start(dir.resolve("questdb"), ports);
            QuestDbHttp back = new QuestDbHttp(questDb.httpUrl());

            // Then every key holds the last total sent for it: nothing lost, nothing doubled
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> stored(back).equals(lastSent));
            assertThat(stored(back)).hasSize(60);
            assertThat(sink.failure()).isEmpty();
        } finally {
            questDb.close();
        }
    }

    /** Sends windows {@code from..to-1} of one cohort with devices failed = window index x {@code factor}. */
    private static void send(KafkaProducer<String, byte[]> producer, Topics topics, Map<String, Long> lastSent,
            int from, int to, int factor) throws Exception {
        for (int i = from; i < to; i++) {
            Instant window = WINDOW.plus(Duration.ofHours(i));
            long failed = (long) i * factor;
            FailureTrend trend = FailureTrend.newBuilder()
                    .setWindowStart(window).setWindowEnd(window.plus(Duration.ofHours(1)))
                    .setKb("KB5034441").setSizeBucket("<500MB").setFreeBucket("<250MB").setBitlocker("on-tpm")
                    .setAttempts(failed + 10).setFailures(failed).setDevicesAttempted(failed + 10)
                    .setDevicesFailed(failed).setDevicesSucceeded(10).setDevicesFailedByError(Map.of())
                    .build();
            String key = new TrendKey(window.toEpochMilli(), new Cohort("KB5034441", "<500MB", "<250MB", "on-tpm"))
                    .encode();
            producer.send(new ProducerRecord<>(topics.failureTrends.name(), key,
                    topics.failureTrends.valueSerde().serializer().serialize(topics.failureTrends.name(), trend)))
                    .get();
            lastSent.put(Long.toString(window.toEpochMilli()), failed);
        }
    }

    private static Map<String, Long> stored(QuestDbHttp sql) {
        Map<String, Long> rows = new TreeMap<>();
        List<Map<String, Object>> result = sql.query("SELECT ts, devices_failed FROM failure_trends");
        for (Map<String, Object> row : result) {
            rows.put(Long.toString(((Instant) row.get("ts")).toEpochMilli()),
                    ((Number) row.get("devices_failed")).longValue());
        }
        return rows;
    }
}
