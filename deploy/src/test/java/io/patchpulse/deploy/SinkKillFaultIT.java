package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.spike.SpikeScenario;
import io.patchpulse.collector.simulate.spike.SpikeSimulation;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.sink.SinkConfig;
import io.patchpulse.sink.SinkService;
import io.patchpulse.sink.local.OpsBinaries;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.streams.StreamsApp;
import io.patchpulse.streams.StreamsSettings;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink killed with SIGKILL exactly between a store write and its offset commit, twice (on the 3rd poll's write of
 * a first sink process, then on the 6th of a second one), and then a sink that runs to the end: the records written but
 * not committed are read and written again, and QuestDB (DEDUP UPSERT KEYS), VictoriaMetrics (revision stamps) and
 * Alertmanager (same labels) absorb the rewrite. Every trend row in QuestDB and in VictoriaMetrics equals an
 * independent recount of the published events, every other table holds each key once with the topic's latest value.
 *
 * <p>Each killed sink runs in its own JVM ({@link KilledSink}) with {@link SinkService.BeforeCommit}: after its
 * n-th written poll it leaves a marker file with the positions it was about to commit and blocks, so the kill lands
 * in that window on purpose; the test checks the group's committed offsets are behind those positions before it
 * kills.
 */
class SinkKillFaultIT {

    private static final String STREAMS_APP = "sink-kill-streams";
    private static final String SINK_GROUP = "sink-kill-sink";
    private static final int PARTITIONS = 3;
    /** The written poll each sink process is killed after, in order; 0 for none. */
    private static final int[] KILL_AFTER_WRITE = {3, 6};
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    void shouldStoreEveryRecordOnceWhenTheSinkIsKilledBetweenAStoreWriteAndItsOffsetCommit() throws Exception {
        SpikeSimulation spike = SpikeScenario.defaults(3).plan();
        Topics topics = Topics.defaults();
        Path eventsOut = dir.resolve("events.ndjson");
        EmbeddedQuestDb questDb = EmbeddedQuestDb.start(dir.resolve("questdb"));
        try (questDb;
                OpsBinaries.Running victoria = OpsBinaries.startVictoriaMetrics(dir.resolve("vm"));
                OpsBinaries.Running alertmanager = OpsBinaries.startAlertmanager(dir.resolve("am"),
                        OpsBinaries.SILENT_ALERTMANAGER_CONFIG);
                EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            String bootstrap = kafka.bootstrapServers();
            StandaloneTopics.createWithCatalog(admin, bootstrap, topics, PARTITIONS);
            Map<String, String> sinkSettings = sinkSettings(bootstrap, questDb, victoria.baseUrl(),
                    alertmanager.baseUrl());
            List<Long> writtenNotCommitted = new ArrayList<>();
            Path sinkProperties = dir.resolve("sink.properties");
            Properties properties = new Properties();
            properties.putAll(sinkSettings);
            try (Writer out = Files.newBufferedWriter(sinkProperties)) {
                properties.store(out, "sink under test");
            }

            try (StreamsApp streams = new StreamsApp(new StreamsSettings(streamsSettings(bootstrap)))) {
                streams.start(Duration.ofMinutes(2));
                // Given the spike scenario published, and the topology writing its outputs
                try (KafkaPublisher publisher = new KafkaPublisher(bootstrap, topics, Map.of(), eventsOut, null)) {
                    for (CollectedRecord record : spike.records()) {
                        publisher.publish(record);
                    }
                    publisher.flush();
                }

                // When a sink process is killed -9 right after a store write, before its commit, and again
                for (int killAfter : KILL_AFTER_WRITE) {
                    writtenNotCommitted.add(killBetweenWriteAndCommit(admin, sinkProperties, killAfter));
                }

                // Then a sink running to the end leaves every store equal to the recount: nothing lost or doubled
                SimpleMeterRegistry meters = new SimpleMeterRegistry();
                try (SinkService sink = new SinkService(new SinkConfig(sinkSettings), meters)) {
                    sink.start();
                    SinkTableChecks.awaitDrained(admin, STREAMS_APP, SINK_GROUP, topics, DRAIN_TIMEOUT);
                    assertThat(sink.failure()).isEmpty();
                }
                assertThat(streams.failure()).isNull();
            }
            QuestDbHttp sql = new QuestDbHttp(questDb.httpUrl());
            SinkTableChecks.awaitApplied(sql);
            IndependentRecount recount = IndependentRecount.of(eventsOut);
            Map<String, Object> figures = SinkTableChecks.figures();
            figures.put("kills", KILL_AFTER_WRITE.length);
            figures.put("killedAfterWrittenPoll", java.util.Arrays.toString(KILL_AFTER_WRITE));
            figures.put("recordsWrittenNotCommittedAtKill", writtenNotCommitted);
            FaultReport.record(FaultReport.compare("sink-kill-between-write-and-commit", "QuestDB failure_trends",
                    recount, StoreContents.trendRows(sql), figures));
            SinkTableChecks.forceFlush(victoria.baseUrl());
            FaultReport.record(FaultReport.compare("sink-kill-between-write-and-commit-victoriametrics",
                    "VictoriaMetrics patchpulse_trend_* (PromQL last_over_time at each window's end)", recount,
                    SinkTableChecks.victoriaMetricsTrendRows(victoria.baseUrl(), recount), figures));
            // and the other tables hold each key once, with the topic's latest value (after the figures: a failure
            // here leaves them written)
            SinkTableChecks.assertTablesEqualTopics(bootstrap, topics, sql, recount);
        }
    }

    /**
     * Starts a sink process that blocks after its {@code killAfter}-th written poll, waits for its marker, checks the
     * group has not committed what it wrote, and kills it (SIGKILL).
     *
     * @return records written but not committed when it was killed
     */
    private long killBetweenWriteAndCommit(Admin admin, Path sinkProperties, int killAfter) throws Exception {
        Path marker = dir.resolve("written-" + killAfter + ".properties");
        Process sink = startKilledSink(sinkProperties, marker, killAfter);
        try {
            await("sink process at its " + killAfter + ". write, before the commit").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        assertThat(sink.isAlive()).as("sink process alive (see target/sink-kill-%d.log)", killAfter)
                                .isTrue();
                        return Files.exists(marker);
                    });
            Properties positions = new Properties();
            try (Reader in = Files.newBufferedReader(marker)) {
                positions.load(in);
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(SINK_GROUP)
                    .partitionsToOffsetAndMetadata().get();
            long ahead = 0;
            for (String name : positions.stringPropertyNames()) {
                int dash = name.lastIndexOf('-');
                TopicPartition partition = new TopicPartition(name.substring(0, dash),
                        Integer.parseInt(name.substring(dash + 1)));
                OffsetAndMetadata done = committed.get(partition);
                ahead += Long.parseLong(positions.getProperty(name)) - (done == null ? 0 : done.offset());
            }
            // The kill lands where it should: records are in the stores and their offsets are not committed.
            assertThat(ahead).as("records written and not committed at the kill").isPositive();
            return ahead;
        } finally {
            sink.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no consumer close
            assertThat(sink.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private Process startKilledSink(Path sinkProperties, Path marker, int killAfter) throws IOException {
        return ChildJvm.start(dir, ProcessBuilder.Redirect.to(Path.of("target", "sink-kill-" + killAfter + ".log")
                .toFile()), KilledSink.class.getName(), List.of(sinkProperties.toString(), marker.toString(),
                Integer.toString(killAfter)));
    }

    private static Map<String, String> sinkSettings(String bootstrap, EmbeddedQuestDb questDb, String victoria,
            String alertmanager) {
        Map<String, String> settings = new HashMap<>();
        settings.put(SinkConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(SinkConfig.GROUP_ID_CONFIG, SINK_GROUP);
        settings.put(SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, questDb.senderConfig());
        settings.put(SinkConfig.QUESTDB_HTTP_URL_CONFIG, questDb.httpUrl());
        settings.put(SinkConfig.VICTORIAMETRICS_URL_CONFIG, victoria);
        settings.put(SinkConfig.ALERTMANAGER_URL_CONFIG, alertmanager);
        // Small polls, so the backlog takes many write-and-commit rounds and the kills hit different batches.
        settings.put(SinkConfig.CONSUMER_PREFIX + "max.poll.records", "200");
        // A killed member leaves the group after its session times out; keep that short so the next one starts.
        settings.put(SinkConfig.CONSUMER_PREFIX + "session.timeout.ms", "6000");
        settings.put(SinkConfig.CONSUMER_PREFIX + "heartbeat.interval.ms", "1000");
        return settings;
    }

    private Map<String, Object> streamsSettings(String bootstrap) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(StreamsSettings.APPLICATION_ID_CONFIG, STREAMS_APP);
        settings.put(StreamsSettings.STATE_DIR_CONFIG, dir.resolve("streams").toString());
        settings.put(StreamsSettings.QUERY_LISTEN_CONFIG, "127.0.0.1:0");
        return settings;
    }

    /**
     * A sink process that, after its n-th written poll, writes the positions it is about to commit to a marker file
     * (as {@code topic-partition=offset}) and blocks, waiting to be killed. Arguments: the sink's properties file,
     * the marker file, n.
     */
    static final class KilledSink {

        private KilledSink() {
        }

        public static void main(String[] args) throws Exception {
            Properties settings = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
                settings.load(in);
            }
            Path marker = Path.of(args[1]);
            int killAfter = Integer.parseInt(args[2]);
            int[] written = {0};
            SinkService sink = new SinkService(new SinkConfig(settings), new SimpleMeterRegistry(),
                    (records, positions) -> {
                        if (++written[0] < killAfter) {
                            return;
                        }
                        Properties out = new Properties();
                        positions.forEach((partition, offset) -> out.setProperty(partition.toString(),
                                Long.toString(offset)));
                        try {
                            Path partial = marker.resolveSibling(marker.getFileName() + ".partial");
                            try (Writer file = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                                out.store(file, records + " records written, not committed");
                            }
                            Files.move(partial, marker, StandardCopyOption.ATOMIC_MOVE);
                            Thread.sleep(Long.MAX_VALUE); // until killed: the commit never comes
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException("could not wait to be killed", e);
                        }
                    });
            sink.start();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
