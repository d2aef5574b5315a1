package io.patchpulse.bench.endtoend;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.kafka.ConsumerLag;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.sink.SinkConfig;
import io.patchpulse.sink.SinkService;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.streams.StreamsApp;
import io.patchpulse.streams.StreamsSettings;
import io.patchpulse.streams.topology.Names;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * P for one processing guarantee: a fresh pipeline composed as {@link AllInOne} composes it (embedded broker and
 * QuestDB, the PatchPulse topics, the release catalog, the streams app, the sink; same application id and group),
 * but with the guarantee and commit interval of this run. {@code AllInOne} takes no streams settings, hence the
 * copy; the collector's ingest API and the dashboard are left out (neither is on the measured path).
 *
 * <p>Measured from the first send of the record file to install-events / device-inventory until the first poll
 * (every {@value #POLL_MILLIS} ms) at which {@code sum(attempts)} over {@code failure_trends} in QuestDB equals the
 * install results sent: every result processed, committed by the streams app, written by the sink and applied by
 * QuestDB's WAL. The phase then waits for both consumer groups to reach the end of their input and checks the sum
 * once more (reconciled: still equal, nothing counted twice).
 */
final class PipelineRun {

    static final long POLL_MILLIS = 100;

    /**
     * The outcome.
     *
     * @param guarantee       processing.guarantee
     * @param commitIntervalMs commit.interval.ms of the streams app
     * @param records         records sent
     * @param installResults  install results sent (what failure_trends must count)
     * @param storedAttempts  sum(attempts) in failure_trends after the pipeline drained
     * @param reconciled      storedAttempts equals installResults
     * @param produceSeconds  first send to last acknowledgement
     * @param usage           resources from the first send to the store holding every result (its seconds are P's)
     */
    record Result(String guarantee, long commitIntervalMs, long records, long installResults, long storedAttempts,
            boolean reconciled, double produceSeconds, ResourceMeter.Usage usage) {

        double eventsPerSecond() {
            return records / usage.seconds();
        }
    }

    private PipelineRun() {
    }

    static Result run(Path dataDir, RecordFile file, int partitions, String guarantee, long commitIntervalMs,
            Duration timeout, PrintWriter out) throws InterruptedException {
        Topics topics = Topics.defaults();
        long expected = file.summary().installResults();
        List<AutoCloseable> started = new ArrayList<>();
        try {
            CompletableFuture<EmbeddedKafka> broker = CompletableFuture.supplyAsync(
                    () -> EmbeddedKafka.start(dataDir.resolve("kafka"), Duration.ofSeconds(60)));
            CompletableFuture<EmbeddedQuestDb> store = CompletableFuture.supplyAsync(
                    () -> EmbeddedQuestDb.start(dataDir.resolve("questdb")));
            broker.whenComplete((kafka, e) -> remember(started, kafka));
            store.whenComplete((questDb, e) -> remember(started, questDb));
            // Both settled before either is used, so a failure of one never leaves the other running unseen.
            CompletableFuture.allOf(broker, store).exceptionally(e -> null).join();
            EmbeddedKafka kafka = broker.join();
            EmbeddedQuestDb questDb = store.join();
            String bootstrap = kafka.bootstrapServers();
            Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            remember(started, admin);
            TopicSetup.ensure(admin, topics, partitions, (short) 1);
            awaitLeaders(admin, topics, Duration.ofSeconds(60));
            try (KafkaPublisher publisher = new KafkaPublisher(bootstrap, topics, Map.of())) {
                BundledCatalog.publish(publisher, topics, BundledCatalog.releases());
            }
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            StreamsApp streams = new StreamsApp(new StreamsSettings(Map.of(
                    StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    StreamsSettings.APPLICATION_ID_CONFIG, AllInOne.STREAMS_APP_ID,
                    StreamsSettings.STATE_DIR_CONFIG, dataDir.resolve("streams").toString(),
                    StreamsSettings.QUERY_LISTEN_CONFIG, "127.0.0.1:0",
                    StreamsSettings.GUARANTEE_CONFIG, guarantee,
                    StreamsSettings.COMMIT_INTERVAL_CONFIG, Long.toString(commitIntervalMs))));
            remember(started, streams);
            streams.bindTo(meters);
            streams.start(Duration.ofSeconds(60));
            SinkService sink = new SinkService(new SinkConfig(Map.of(
                    SinkConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    SinkConfig.GROUP_ID_CONFIG, AllInOne.SINK_GROUP,
                    SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, questDb.senderConfig(),
                    SinkConfig.QUESTDB_HTTP_URL_CONFIG, questDb.httpUrl())), meters);
            remember(started, sink);
            sink.start();
            QuestDbHttp sql = new QuestDbHttp(questDb.httpUrl());

            ResourceMeter[] meter = new ResourceMeter[1];
            String label = "P " + guarantee + ":";
            RecordProducer.Sent sent = RecordProducer.send(bootstrap, file, topics.installEvents.name(),
                    topics.deviceInventory.name(), () -> meter[0] = new ResourceMeter(),
                    new ProgressLine(out, label + " producing", file.summary().records(), "records"));
            ProgressLine stored = new ProgressLine(out, label + " stored", expected, "install results");
            long deadline = System.nanoTime() + timeout.toNanos();
            long attempts = 0;
            while (attempts < expected) {
                failIfStopped(streams, sink);
                if (System.nanoTime() > deadline) {
                    meter[0].stop();
                    throw new IllegalStateException(String.format("%s the store held %,d of %,d install results "
                            + "after %s", label, attempts, expected, timeout));
                }
                Thread.sleep(POLL_MILLIS);
                attempts = storedAttempts(sql);
                stored.set(attempts);
            }
            long end = System.nanoTime();
            ResourceMeter.Usage usage = meter[0].stop();
            stored.done();
            double seconds = (end - sent.firstSendNanos()) / 1e9;
            long finalAttempts = drainedAttempts(admin, topics, sql, streams, sink, timeout);
            return new Result(guarantee, commitIntervalMs, sent.records(), expected, finalAttempts,
                    finalAttempts == expected, sent.seconds(), usage.withSeconds(seconds));
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    out.printf("  stopping %s failed: %s%n", started.get(i).getClass().getSimpleName(), e);
                }
            }
        }
    }

    /**
     * Waits until every partition of the new topics answers a list-offsets request (has a leader), as AllInOne's
     * releases check does in passing: on a loaded machine a send right after creation can otherwise wait out the
     * producer's delivery timeout.
     */
    static void awaitLeaders(Admin admin, Topics topics, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request =
                        new java.util.HashMap<>();
                List<String> names = topics.all().stream().map(topic -> topic.name()).toList();
                admin.describeTopics(names).allTopicNames().get().forEach((name, description) ->
                        description.partitions().forEach(info -> request.put(
                                new org.apache.kafka.common.TopicPartition(name, info.partition()),
                                org.apache.kafka.clients.admin.OffsetSpec.latest())));
                admin.listOffsets(request).all().get();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the topics have no leaders after " + timeout, e.getCause());
                }
                Thread.sleep(200);
            }
        }
    }

    private static void remember(List<AutoCloseable> started, AutoCloseable component) {
        if (component != null) {
            synchronized (started) {
                started.add(component);
            }
        }
    }

    /** Waits until both groups are at the end of their input (or {@code timeout}), then reads the sum again. */
    private static long drainedAttempts(Admin admin, Topics topics, QuestDbHttp sql, StreamsApp streams,
            SinkService sink, Duration timeout) throws InterruptedException {
        List<String> streamsTopics = new ArrayList<>(Names.repartitionTopics(AllInOne.STREAMS_APP_ID));
        streamsTopics.add(topics.installEvents.name());
        streamsTopics.add(topics.deviceInventory.name());
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean wasCaughtUp = false;
        while (System.nanoTime() < deadline) {
            failIfStopped(streams, sink);
            boolean caughtUp = ConsumerLag.of(admin, AllInOne.STREAMS_APP_ID, streamsTopics.toArray(String[]::new)) == 0
                    && ConsumerLag.of(admin, AllInOne.SINK_GROUP, topics.failureTrends.name()) == 0;
            // Twice in a row, as PipelineProgress: one observation could fall between two steps of a commit.
            if (caughtUp && wasCaughtUp) {
                sql.awaitWalApplied("failure_trends", Duration.ofSeconds(30));
                return storedAttempts(sql);
            }
            wasCaughtUp = caughtUp;
            Thread.sleep(500);
        }
        return storedAttempts(sql);
    }

    /** Sum of attempts over all trend rows, as PipelineProgress counts them; 0 when there are none yet. */
    static long storedAttempts(QuestDbHttp sql) {
        List<Map<String, Object>> rows = sql.query("SELECT sum(attempts) attempts FROM failure_trends");
        if (rows.isEmpty() || rows.get(0).get("attempts") == null) {
            return 0;
        }
        return ((Number) rows.get(0).get("attempts")).longValue();
    }

    private static void failIfStopped(StreamsApp streams, SinkService sink) {
        if (streams.failure() != null) {
            throw new IllegalStateException("the streams app stopped: " + streams.failure(), streams.failure());
        }
        sink.failure().ifPresent(failure -> {
            throw new IllegalStateException("the sink stopped: " + failure.getMessage(), failure);
        });
    }
}
