package io.patchpulse.sink;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.TrendFixtures.smallPartitionTrend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.sink.metrics.SinkMetrics;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbTrendWriter;
import io.patchpulse.sink.questdb.TrendTables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's loop from encoded records to QuestDB rows: Kafka's MockConsumer stands in for the broker (the end-to-end
 * test with a real broker lives in deploy), the store is a real embedded QuestDB.
 */
class SinkServiceQuestDbIT {

    private static final String TOPIC = "it.failure-trends";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @TempDir
    Path root;

    @Test
    void shouldCreateTheTablesAndUpsertTheLatestTotalsSkippingAnUndecodableRecord() {
        try (EmbeddedQuestDb questDb = EmbeddedQuestDb.start(root)) {
            SinkConfig config = new SinkConfig(Map.of(
                    SinkConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
                    SinkConfig.TOPIC_PREFIX_CONFIG, "it.",
                    SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, questDb.senderConfig(),
                    SinkConfig.QUESTDB_HTTP_URL_CONFIG, questDb.httpUrl(),
                    SinkConfig.POLL_TIMEOUT_MS_CONFIG, "20"));
            QuestDbHttp http = new QuestDbHttp(questDb.httpUrl());
            TrendTables tables = TrendTables.defaults();
            MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            List<byte[]> values = List.of(
                    encode(config, smallPartitionTrend(WINDOW, 2, 1, 2, 1, 1, Map.of("0x80070643", 1L))),
                    "garbage".getBytes(StandardCharsets.UTF_8),
                    encode(config, smallPartitionTrend(WINDOW, 6, 3, 5, 3, 2, Map.of("0x80070643", 3L))));
            consumer.schedulePollTask(() -> {
                consumer.rebalance(List.of(PARTITION));
                consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
                for (int i = 0; i < values.size(); i++) {
                    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, i, "key", values.get(i)));
                }
            });

            try (SinkService sink = new SinkService(config, registry, () -> consumer,
                    List.of(new SinkRoute<>(config.topics().failureTrends,
                            List.of(new QuestDbTrendWriter(config.questDbSenderConfig(), tables)))),
                    () -> tables.createIfMissing(http), tables.names())) {
                sink.start();

                await().atMost(Duration.ofSeconds(30)).until(() -> sink.recordsWritten() == 2);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> consumer.committed(Set.of(PARTITION)).get(PARTITION) != null);
                assertThat(consumer.committed(Set.of(PARTITION)).get(PARTITION).offset()).isEqualTo(3);
                assertThat(sink.recordsSkipped()).isEqualTo(1);
                assertThat(registry.get(SinkMetrics.WRITTEN_ROWS).tag("table", "failure_errors").functionCounter()
                        .count()).isEqualTo(1);
            }

            http.awaitWalApplied("failure_trends", Duration.ofSeconds(30));
            http.awaitWalApplied("failure_errors", Duration.ofSeconds(30));
            assertThat(http.query("SELECT ts, attempts, devices_attempted, devices_failed FROM failure_trends"))
                    .containsExactly(Map.of("ts", WINDOW, "attempts", 6L, "devices_attempted", 5L,
                            "devices_failed", 3L));
            assertThat(http.query("SELECT error_code, devices_failed FROM failure_errors"))
                    .containsExactly(Map.of("error_code", "0x80070643", "devices_failed", 3L));
        }
    }

    private static byte[] encode(SinkConfig config, FailureTrend trend) {
        return config.topics().failureTrends.valueSerde().serializer().serialize(TOPIC, trend);
    }
}
