package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.EmbeddedKafkaCluster;
import io.patchpulse.deploy.embedded.PipelineProgress;
import io.patchpulse.streams.StreamsSettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline runs on a cluster of three in-process Kafka nodes (every topic on all three, two in sync for an
 * acknowledgement). While the collector's publisher sends a simulated fleet at a steady rate, the node leading
 * install-events partition 0 is killed (no controlled shutdown, its logs left to crash recovery), the publisher goes
 * on against the two others, and the node is restarted on its log directory and ports. Once drained, QuestDB's trend
 * rows equal an independent recount of every record Kafka acknowledged: nothing lost, nothing doubled, no dead
 * letter, and the publisher failed no record.
 */
class BrokerLeaderKillFaultIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** As the other pipeline ITs: on two busy cores, exactly-once processing of the backlog takes its time. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);
    private static final String CLIENT_ID = "patchpulse-fault-load";
    /** Records per second the publisher sends: the load lasts about {@code records / RATE} seconds. */
    private static final int RATE = 500;
    /** Stated, not left to the default: the pipeline's exactly-once processing is what this fault puts to the test. */
    private static final String GUARANTEE = StreamsConfig.EXACTLY_ONCE_V2;

    @TempDir
    Path dir;

    @Test
    void shouldCountEveryAcknowledgedRecordOnceWhenThePartitionLeaderIsKilledUnderLoadAndRestarted()
            throws Exception {
        List<CollectedRecord> records = new FleetSimulator(SimulationSettings.of(600, 23)).simulate()
                .stream().toList();
        Path eventsOut = dir.resolve("acknowledged.ndjson");
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("records", records.size());
        figures.put("publishRatePerSecond", RATE);

        long began = System.nanoTime();
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(dir.resolve("kafka"), 3, TIMEOUT);
                AllInOne pipeline = AllInOne.start(dir.resolve("pipeline"), new SimpleMeterRegistry(),
                        new AllInOne.Endpoints(cluster.bootstrapServers(), null, null, null, null),
                        Map.of(StreamsSettings.GUARANTEE_CONFIG, GUARANTEE))) {
            figures.put("startMillis", millisSince(began));
            Admin admin = pipeline.admin();
            String installEvents = pipeline.topics().installEvents.name();
            // Every topic the records pass through, the streams app's internal ones and the coordinators' included,
            // is on all three nodes: otherwise the kill would test an unreplicated topic, not a failover.
            assertThat(replicationFactors(admin)).as("replicas per topic").allSatisfy((topic, replicas) ->
                    assertThat(replicas).as(topic).isEqualTo(3));

            // Given the publisher sending at a steady rate, in the background
            long loadStarted = System.nanoTime();
            try (Load load = Load.start(pipeline, records, eventsOut)) {
                await("a quarter of the records acknowledged").atMost(TIMEOUT)
                        .until(() -> load.failedEarly() || load.publisher.acknowledged() >= records.size() / 4);
                Map<String, Integer> leadersBefore = leaders(admin);
                int victim = leadersBefore.get(installEvents + "-0");
                int activeController = admin.describeMetadataQuorum().quorumInfo().get().leaderId();
                Set<Integer> streamsCoordinators = transactionCoordinators(admin, AllInOne.STREAMS_APP_ID);

                // When the leader of install-events partition 0 is killed while records flow
                long ackedAtKill = load.publisher.acknowledged();
                long killedAt = System.nanoTime();
                cluster.kill(victim);
                await("new leaders for the partitions the killed node led").atMost(TIMEOUT).ignoreExceptions()
                        .until(() -> leaders(admin).entrySet().stream()
                                .filter(e -> e.getKey().startsWith(installEvents))
                                .allMatch(e -> e.getValue() >= 0 && e.getValue() != victim));
                long failoverMillis = millisSince(killedAt);
                Map<String, Integer> leadersWhileDown = leaders(admin);
                // and stays down until the two others have acknowledged another quarter of the records
                await("a quarter of the records acknowledged without the killed node").atMost(TIMEOUT)
                        .until(() -> load.failedEarly()
                                || load.publisher.acknowledged() >= ackedAtKill + records.size() / 4);
                long ackedAtRestart = load.publisher.acknowledged();
                long downMillis = millisSince(killedAt);
                cluster.restart(victim, TIMEOUT);
                long restartedAt = System.nanoTime();
                cluster.awaitFullyReplicated(TIMEOUT);
                long catchUpMillis = millisSince(restartedAt);

                // and the publisher finishes with all three nodes back
                Map<String, Long> producerMetrics = load.finish();
                long loadMillis = millisSince(loadStarted);
                assertThat(load.failure.get()).as("the publisher's failure").isNull();
                long acknowledged = load.publisher.acknowledged();
                assertThat(acknowledged).as("records acknowledged").isEqualTo(records.size());
                assertThat(load.publisher.failed()).as("records failed").isZero();
                try (var lines = Files.lines(eventsOut)) {
                    assertThat(lines.count()).as("acknowledged records in the events-out file")
                            .isEqualTo(acknowledged);
                }
                figures.put("guarantee", GUARANTEE);
                figures.put("killedNode", victim);
                figures.put("killedNodeWasActiveController", victim == activeController);
                figures.put("killedNodeWasStreamsTransactionCoordinator", streamsCoordinators.contains(victim));
                figures.put("partitionsLedByKilledNode", leadersBefore.values().stream().filter(id -> id == victim)
                        .count());
                figures.put("leaderChanges", changed(leadersBefore, leadersWhileDown));
                figures.put("ackedBeforeKill", ackedAtKill);
                figures.put("ackedWhileDown", ackedAtRestart - ackedAtKill);
                figures.put("ackedAfterRestart", acknowledged - ackedAtRestart);
                figures.put("failoverMillis", failoverMillis);
                figures.put("downMillis", downMillis);
                figures.put("catchUpMillis", catchUpMillis);
                figures.put("loadMillis", loadMillis);
                figures.putAll(producerMetrics);
            }

            // Then, once drained, QuestDB counts every acknowledged record exactly once
            long drainStarted = System.nanoTime();
            PipelineProgress progress = new PipelineProgress(pipeline);
            boolean drained = progress.awaitDrained(DRAIN_TIMEOUT, new Every(Duration.ofSeconds(10), admin));
            if (!drained) {
                diagnose(admin);
            }
            assertThat(drained).as(progress.describe()).isTrue();
            long drainMillis = millisSince(drainStarted);
            figures.put("drainMillis", drainMillis);
            figures.put("streamThreadsReplaced", pipeline.streams().threadReplacements());
            figures.put("memory", PipelineProgress.memory());
            IndependentRecount recount = IndependentRecount.of(eventsOut);
            FaultReport.record(FaultReport.compare("broker-leader-kill", "QuestDB failure_trends", recount,
                    StoreContents.trendRows(pipeline.questDbHttp()), figures));
            StoreContents.assertEqualsRecount(pipeline, recount);
            assertThat(progress.deadLettersByReason()).as("dead letters").isEmpty();
        }
    }

    /**
     * The publisher in a thread of its own, sending at {@link #RATE} records per second. Closing it stops a run
     * that is still going (a test that failed half way) and waits for the publisher to close.
     */
    private static final class Load implements AutoCloseable {

        final KafkaPublisher publisher;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Map<String, Long> producerMetrics = new HashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private CompletableFuture<Void> done;

        private Load(KafkaPublisher publisher) {
            this.publisher = publisher;
        }

        static Load start(AllInOne pipeline, List<CollectedRecord> records, Path eventsOut) {
            // Its own client id, so its producer's metrics are told from the collector's in this JVM.
            Load load = new Load(new KafkaPublisher(pipeline.bootstrapServers(), pipeline.topics(),
                    Map.of(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID), eventsOut, null));
            // A thread of its own: the common pool has a single thread on two cores, shared with whoever else.
            load.done = CompletableFuture.runAsync(() -> load.run(records), task -> {
                Thread thread = new Thread(task, "fault-load");
                thread.setDaemon(true);
                thread.start();
            });
            return load;
        }

        @Override
        public void close() {
            stop.set(true);
            done.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        }

        private void run(List<CollectedRecord> records) {
            try {
                long startNanos = System.nanoTime();
                for (int i = 0; i < records.size() && !stop.get(); i++) {
                    long due = startNanos + TimeUnit.SECONDS.toNanos(i) / RATE;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    publisher.publish(records.get(i));
                }
                publisher.flush();
                producerMetrics.putAll(producerMetrics());
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                try {
                    publisher.close();
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }
        }

        boolean failedEarly() {
            return failure.get() != null;
        }

        Map<String, Long> finish() {
            done.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
            return producerMetrics;
        }

        /** Retries and errors the producer counted, read from its JMX metrics before it closes. */
        private static Map<String, Long> producerMetrics() throws Exception {
            ObjectName name = new ObjectName("kafka.producer:type=producer-metrics,client-id=" + CLIENT_ID);
            Map<String, Long> metrics = new LinkedHashMap<>();
            for (String attribute : List.of("record-retry-total", "record-error-total")) {
                Object value = ManagementFactory.getPlatformMBeanServer().getAttribute(name, attribute);
                metrics.put("producer." + attribute, ((Number) value).longValue());
            }
            return metrics;
        }
    }

    /** Passes on a progress line at most once per period, with the time, so a stalled drain shows where it stood. */
    private static final class Every implements Consumer<String> {

        private final long periodNanos;
        private final Admin admin;
        private long last;

        Every(Duration period, Admin admin) {
            this.periodNanos = period.toNanos();
            this.admin = admin;
            this.last = System.nanoTime() - periodNanos;
        }

        @Override
        public void accept(String line) {
            if (System.nanoTime() - last >= periodNanos) {
                last = System.nanoTime();
                System.err.println(LocalTime.now() + " DRAIN " + line + "; streams lag by topic "
                        + lagByTopic(admin, AllInOne.STREAMS_APP_ID));
            }
        }
    }

    /** Records the group has not committed past, per topic it has offsets for (diagnosis only). */
    private static Map<String, Long> lagByTopic(Admin admin, String group) {
        try {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> request =
                    new HashMap<>();
            committed.keySet().forEach(p -> request.put(p, OffsetSpec.latest()));
            Map<String, Long> lag = new TreeMap<>();
            admin.listOffsets(request).all().get().forEach((partition, end) -> {
                long behind = end.offset() - committed.get(partition).offset();
                if (behind > 0) {
                    lag.merge(partition.topic(), behind, Long::sum);
                }
            });
            return lag;
        } catch (Exception e) {
            return Map.of("?", -1L);
        }
    }

    /**
     * What holds a read_committed reader back after a drain timed out: open transactions with their state and
     * partitions, the producers with a transaction open on each partition whose last stable offset lags its high
     * watermark, and the leaders.
     */
    private static void diagnose(Admin admin) {
        try {
            for (var listing : admin.listTransactions().all().get()) {
                System.err.println("TRANSACTION " + admin.describeTransactions(List.of(listing.transactionalId()))
                        .all().get());
            }
            Map<TopicPartition, OffsetSpec> request =
                    new HashMap<>();
            for (TopicDescription topic : describeAll(admin)) {
                topic.partitions().forEach(p -> request.put(new TopicPartition(topic.name(),
                        p.partition()), OffsetSpec.latest()));
            }
            var highWatermarks = admin.listOffsets(request, new ListOffsetsOptions(
                    IsolationLevel.READ_UNCOMMITTED)).all().get();
            var stable = admin.listOffsets(request, new ListOffsetsOptions(
                    IsolationLevel.READ_COMMITTED)).all().get();
            List<TopicPartition> held = new ArrayList<>();
            highWatermarks.forEach((partition, hw) -> {
                long lso = stable.get(partition).offset();
                if (lso < hw.offset()) {
                    held.add(partition);
                    System.err.println("HELD " + partition + " LSO " + lso + " HW " + hw.offset());
                }
            });
            if (!held.isEmpty()) {
                admin.describeProducers(held).all().get().forEach((partition, producers) ->
                        System.err.println("PRODUCERS " + partition + " " + producers.activeProducers()));
            }
            System.err.println("LEADERS " + leaders(admin));
        } catch (Exception e) {
            System.err.println("DIAGNOSIS FAILED " + e);
        }
    }

    /** Nodes coordinating the transactions of the streams app's producers ({@code <application id>-...}). */
    private static Set<Integer> transactionCoordinators(Admin admin, String applicationId) throws Exception {
        List<String> ids = admin.listTransactions().all().get().stream().map(listing -> listing.transactionalId())
                .filter(id -> id.startsWith(applicationId + "-")).toList();
        Set<Integer> coordinators = new java.util.TreeSet<>();
        admin.describeTransactions(ids).all().get().values()
                .forEach(description -> coordinators.add(description.coordinatorId()));
        return coordinators;
    }

    /** Leader node id of every partition of every topic ({@code topic-partition}), -1 when it has none. */
    private static Map<String, Integer> leaders(Admin admin) throws Exception {
        Map<String, Integer> leaders = new LinkedHashMap<>();
        for (TopicDescription topic : describeAll(admin)) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                Node leader = partition.leader();
                leaders.put(topic.name() + "-" + partition.partition(), leader == null ? -1 : leader.id());
            }
        }
        return leaders;
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static long changed(Map<String, Integer> before, Map<String, Integer> after) {
        return before.entrySet().stream().filter(e -> !e.getValue().equals(after.get(e.getKey()))).count();
    }

    /** Replicas of each topic's first partition, internal topics included. */
    private static Map<String, Integer> replicationFactors(Admin admin) throws Exception {
        Map<String, Integer> factors = new LinkedHashMap<>();
        for (TopicDescription topic : describeAll(admin)) {
            factors.put(topic.name(), topic.partitions().get(0).replicas().size());
        }
        return factors;
    }

    private static List<TopicDescription> describeAll(Admin admin) throws Exception {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        return new ArrayList<>(admin.describeTopics(names).allTopicNames().get().values());
    }
}
