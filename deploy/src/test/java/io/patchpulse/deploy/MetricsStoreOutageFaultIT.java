package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.spike.SpikeScenario;
import io.patchpulse.collector.simulate.spike.SpikeSimulation;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.embedded.FreePorts;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.sink.SinkConfig;
import io.patchpulse.sink.SinkService;
import io.patchpulse.sink.local.OpsBinaries;
import io.patchpulse.sink.metrics.SinkMetrics;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.streams.StreamsApp;
import io.patchpulse.streams.StreamsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both stores the sink writes to, QuestDB (embedded) and VictoriaMetrics (Debian's binary), stopped together for
 * 60 s while events keep arriving at a steady pace through the running pipeline (collector publisher, streams,
 * sink), then started again on the same data and ports: QuestDB first, VictoriaMetrics once the sink has written to
 * QuestDB again and is retrying VictoriaMetrics alone, so each writer's retries are exercised whatever the phase of
 * the back-off (VictoriaMetrics stays down 60 s plus that, up to the 30 s longest back-off). The sink holds back
 * (commits nothing while the stores are down), retries, and catches up; then the trend rows in QuestDB and the trend
 * series read back with PromQL both equal an independent recount of the published events, and every other table
 * holds each key once with the topic's latest value.
 */
class MetricsStoreOutageFaultIT {

    private static final String STREAMS_APP = "store-outage-streams";
    private static final String SINK_GROUP = "store-outage-sink";
    private static final int PARTITIONS = 3;
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    /** The load: records published per tick, one tick every 100 ms. */
    private static final int RECORDS_PER_TICK = 6;
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    void shouldHoldBackRetryAndCatchUpWithNothingLostOrDoubledWhenBothStoresStopFor60sUnderLoad() throws Exception {
        SpikeSimulation spike = SpikeScenario.defaults(5).plan();
        List<CollectedRecord> records = spike.records();
        Topics topics = Topics.defaults();
        Path eventsOut = dir.resolve("events.ndjson");
        EmbeddedQuestDb.Options questDbPorts = new EmbeddedQuestDb.Options(FreePorts.pick(), FreePorts.pick(),
                EmbeddedQuestDb.Options.DEFAULT_RAM_USAGE_LIMIT_BYTES);
        Path questDbRoot = dir.resolve("questdb");
        Path victoriaDir = dir.resolve("vm");
        EmbeddedQuestDb[] questDb = {EmbeddedQuestDb.start(questDbRoot, questDbPorts)};
        OpsBinaries.Running[] victoria = {OpsBinaries.startVictoriaMetrics(victoriaDir)};
        String victoriaUrl = victoria[0].baseUrl();
        int victoriaPort = URI.create(victoriaUrl).getPort();
        AtomicBoolean stopLoad = new AtomicBoolean();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            String bootstrap = kafka.bootstrapServers();
            StandaloneTopics.createWithCatalog(admin, bootstrap, topics, PARTITIONS);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            QuestDbHttp sql = new QuestDbHttp(questDb[0].httpUrl());
            try (StreamsApp streams = new StreamsApp(new StreamsSettings(streamsSettings(bootstrap)));
                    SinkService sink = new SinkService(new SinkConfig(Map.of(
                            SinkConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                            SinkConfig.GROUP_ID_CONFIG, SINK_GROUP,
                            SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, questDb[0].senderConfig(),
                            SinkConfig.QUESTDB_HTTP_URL_CONFIG, questDb[0].httpUrl(),
                            SinkConfig.VICTORIAMETRICS_URL_CONFIG, victoriaUrl)), meters);
                    KafkaPublisher publisher = new KafkaPublisher(bootstrap, topics, Map.of(), eventsOut, null)) {
                streams.start(Duration.ofMinutes(2));
                sink.start();

                // Given a steady load through the pipeline, reaching both stores
                CompletableFuture<Long> load = CompletableFuture.supplyAsync(() -> {
                    long sent = 0;
                    long next = System.nanoTime();
                    for (int i = 0; i < records.size() && !stopLoad.get(); i++) {
                        publisher.publish(records.get(i));
                        sent++;
                        if (sent % RECORDS_PER_TICK == 0) {
                            next += Duration.ofMillis(100).toNanos();
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                sleep(Duration.ofNanos(wait)); // the pace of the load, not a wait for a state
                            }
                        }
                    }
                    return sent;
                });
                await("trend rows in QuestDB").atMost(Duration.ofMinutes(2)).ignoreExceptions()
                        .until(() -> !StoreContents.trendRows(sql).isEmpty());

                // When both stores stop together for 60 s while the load goes on
                long sentBefore = publisher.acknowledged();
                double retriesBefore = retries(meters);
                questDb[0].close();
                victoria[0].close();
                long stoppedAt = System.nanoTime();
                await("the sink retrying").atMost(OUTAGE).until(() -> retries(meters) > retriesBefore);
                Map<TopicPartition, OffsetAndMetadata> committedEarly = committed(admin);
                sleep(Duration.ofNanos(stoppedAt + OUTAGE.toNanos() - System.nanoTime())); // the outage itself
                Map<TopicPartition, OffsetAndMetadata> committedLate = committed(admin);
                long sentDuring = publisher.acknowledged() - sentBefore;
                assertThat(sentDuring).as("records sent during the outage").isPositive();

                // Then the sink held back: nothing committed while the stores were down, still running
                assertThat(committedLate).as("sink offsets committed during the outage").isEqualTo(committedEarly);
                assertThat(sink.failure()).isEmpty();
                assertThat(sink.isRunning()).isTrue();

                // When QuestDB comes back first, on the same data and ports
                Map<TopicPartition, Long> endsAtRestart = ends(admin, topics);
                double retriesDuring = retries(meters) - retriesBefore;
                double writtenBefore = writtenRows(meters);
                questDb[0] = EmbeddedQuestDb.start(questDbRoot, questDbPorts);
                long questDbBackAt = System.nanoTime();
                // Then the sink writes to it again, and goes on to retry VictoriaMetrics alone (the next writer of
                // a trend batch): both writers' retries are exercised, whatever the back-off's phase
                await("a write to QuestDB after its restart").atMost(DRAIN_TIMEOUT).pollInterval(Duration.ofMillis(100))
                        .until(() -> writtenRows(meters) > writtenBefore);
                double retriesQuestDbBack = retries(meters);
                await("the sink retrying VictoriaMetrics alone").atMost(DRAIN_TIMEOUT)
                        .pollInterval(Duration.ofMillis(100)).until(() -> retries(meters) > retriesQuestDbBack);

                // When VictoriaMetrics comes back too, on the same data and port
                victoria[0] = OpsBinaries.startVictoriaMetrics(victoriaDir, victoriaPort);
                long restartedAt = System.nanoTime();
                long victoriaDownMillis = Duration.ofNanos(restartedAt - stoppedAt).toMillis();
                long sentAtRestart = publisher.acknowledged();

                // Then the sink catches up with what was waiting
                await("the sink past every record waiting at the restart").atMost(DRAIN_TIMEOUT)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> caughtUp(committed(admin), endsAtRestart));
                long caughtUpAt = System.nanoTime();
                long catchUpMillis = Duration.ofNanos(caughtUpAt - restartedAt).toMillis();
                long sent = load.get();
                assertThat(sent).as("every record published").isEqualTo(records.size());
                publisher.flush();
                SinkTableChecks.awaitDrained(admin, STREAMS_APP, SINK_GROUP, topics, DRAIN_TIMEOUT);
                assertThat(sink.failure()).isEmpty();
                assertThat(streams.failure()).isNull();

                // and both stores equal the recount of what the collector's publisher had acknowledged
                publisher.close(); // writes out the rest of the events-out file
                QuestDbHttp back = new QuestDbHttp(questDb[0].httpUrl());
                SinkTableChecks.awaitApplied(back);
                IndependentRecount recount = IndependentRecount.of(eventsOut);
                Map<String, Object> figures = SinkTableChecks.figures();
                figures.put("loadRecordsPerSecond", RECORDS_PER_TICK * 10);
                figures.put("recordsSentDuringOutage", sentDuring);
                figures.put("recordsSentAfterRestart", sent - sentAtRestart);
                figures.put("sinkWriteRetriesDuringOutage", (long) retriesDuring);
                figures.put("sinkWriteRetriesTotal", (long) retries(meters));
                figures.put("questDbDownSeconds", OUTAGE.toSeconds());
                figures.put("victoriaMetricsDownSeconds", victoriaDownMillis / 1000.0);
                figures.put("catchUpSecondsAfterLastStoreBack", catchUpMillis / 1000.0);
                figures.put("catchUpSecondsAfterQuestDbBack",
                        Duration.ofNanos(caughtUpAt - questDbBackAt).toMillis() / 1000.0);
                FaultReport.record(FaultReport.compare("metrics-store-outage", "QuestDB failure_trends", recount,
                        StoreContents.trendRows(back), figures));
                SinkTableChecks.forceFlush(victoria[0].baseUrl());
                FaultReport.record(FaultReport.compare("metrics-store-outage-victoriametrics",
                        "VictoriaMetrics patchpulse_trend_* (PromQL last_over_time at each window's end)", recount,
                        SinkTableChecks.victoriaMetricsTrendRows(victoria[0].baseUrl(), recount), figures));
                // and the other tables hold each key once, with the topic's latest value (after the figures: a failure
                // here leaves them written)
                SinkTableChecks.assertTablesEqualTopics(bootstrap, topics, back, recount);
            } finally {
                stopLoad.set(true);
            }
        } finally {
            victoria[0].close();
            questDb[0].close();
        }
    }

    private static double retries(SimpleMeterRegistry meters) {
        return meters.get(SinkMetrics.WRITE_RETRIES).functionCounter().count();
    }

    /** Rows the sink's writers reported written, over every table and measurement. */
    private static double writtenRows(SimpleMeterRegistry meters) {
        return meters.find(SinkMetrics.WRITTEN_ROWS).functionCounters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin) throws Exception {
        return admin.listConsumerGroupOffsets(SINK_GROUP).partitionsToOffsetAndMetadata().get();
    }

    /** The high watermark of every partition of the sink's topics. */
    private static Map<TopicPartition, Long> ends(Admin admin, Topics topics) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (String topic : SinkTableChecks.sinkTopics(topics)) {
            for (int partition = 0; partition < PARTITIONS; partition++) {
                request.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get()
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    private static boolean caughtUp(Map<TopicPartition, OffsetAndMetadata> committed,
            Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> end.getValue() == 0 || (committed.get(end.getKey()) != null
                && committed.get(end.getKey()).offset() >= end.getValue()));
    }

    private Map<String, Object> streamsSettings(String bootstrap) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(StreamsSettings.APPLICATION_ID_CONFIG, STREAMS_APP);
        settings.put(StreamsSettings.STATE_DIR_CONFIG, dir.resolve("streams").toString());
        settings.put(StreamsSettings.QUERY_LISTEN_CONFIG, "127.0.0.1:0");
        return settings;
    }

    private static void sleep(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
