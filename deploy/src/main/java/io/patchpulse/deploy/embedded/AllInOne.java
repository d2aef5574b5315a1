package io.patchpulse.deploy.embedded;

import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.sink.SinkConfig;
import io.patchpulse.sink.SinkService;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.streams.StreamsApp;
import io.patchpulse.streams.StreamsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one JVM: a Kafka broker (KRaft), QuestDB, the streams app and the sink, with their data
 * under one directory. Closing stops them in reverse order.
 */
public final class AllInOne implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);
    /** Partitions of each PatchPulse topic in the embedded broker. */
    public static final int PARTITIONS = 3;
    /** Consumer group of the streams app (its application id). */
    public static final String STREAMS_APP_ID = "patchpulse-streams";
    /** Consumer group of the sink. */
    public static final String SINK_GROUP = "patchpulse-sink";

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Topics topics = Topics.defaults();
    private EmbeddedKafka kafka;
    private EmbeddedQuestDb questDb;
    private QuestDbHttp questDbHttp;
    private StreamsApp streams;
    private SinkService sink;
    private Admin admin;

    private AllInOne() {
    }

    /** Starts everything on {@code dataDir}; on failure stops what had started and rethrows. */
    public static AllInOne start(Path dataDir, MeterRegistry meters) throws InterruptedException {
        AllInOne all = new AllInOne();
        try {
            all.startAll(dataDir, meters);
            return all;
        } catch (RuntimeException | InterruptedException e) {
            all.close();
            throw e;
        }
    }

    private void startAll(Path dataDir, MeterRegistry meters) throws InterruptedException {
        // Broker and store start side by side: each takes seconds.
        CompletableFuture<EmbeddedKafka> broker = CompletableFuture.supplyAsync(
                () -> EmbeddedKafka.start(dataDir.resolve("kafka"), Duration.ofSeconds(60)));
        CompletableFuture<EmbeddedQuestDb> store = CompletableFuture.supplyAsync(
                () -> EmbeddedQuestDb.start(dataDir.resolve("questdb")));
        try {
            CompletableFuture.allOf(broker, store).join();
        } catch (RuntimeException e) {
            broker.thenAccept(started::push);
            store.thenAccept(started::push);
            throw unwrap(e);
        }
        kafka = broker.join();
        started.push(kafka);
        questDb = store.join();
        started.push(questDb);
        questDbHttp = new QuestDbHttp(questDb.httpUrl());

        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        started.push(admin);
        TopicSetup.ensure(admin, topics, PARTITIONS, (short) 1);

        streams = new StreamsApp(new StreamsSettings(Map.of(
                StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                StreamsSettings.APPLICATION_ID_CONFIG, STREAMS_APP_ID,
                StreamsSettings.STATE_DIR_CONFIG, dataDir.resolve("streams").toString())));
        started.push(streams);
        streams.start(Duration.ofSeconds(60));

        sink = new SinkService(new SinkConfig(Map.of(
                SinkConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                SinkConfig.GROUP_ID_CONFIG, SINK_GROUP,
                SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, questDb.senderConfig(),
                SinkConfig.QUESTDB_HTTP_URL_CONFIG, questDb.httpUrl())), meters);
        started.push(sink);
        sink.start();
        LOG.info("all-in-one pipeline running: Kafka {}, QuestDB {}", kafka.bootstrapServers(), questDb.httpUrl());
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public Topics topics() {
        return topics;
    }

    public EmbeddedQuestDb questDb() {
        return questDb;
    }

    public QuestDbHttp questDbHttp() {
        return questDbHttp;
    }

    public Admin admin() {
        return admin;
    }

    public StreamsApp streams() {
        return streams;
    }

    public SinkService sink() {
        return sink;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", next.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static RuntimeException unwrap(RuntimeException e) {
        return e.getCause() instanceof RuntimeException cause ? cause : e;
    }
}
