package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.CollectorService;
import io.patchpulse.collector.CollectorSettings;
import io.patchpulse.collector.publish.Spool;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.FreePorts;
import io.patchpulse.deploy.embedded.PipelineProgress;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector killed with SIGKILL exactly between Kafka's acknowledgement of a spool batch and the spool's removal
 * of it: the next collector sends that batch again, so Kafka holds it twice, and the topology's de-duplication by
 * device + event id must absorb the replay. Every trend row in QuestDB equals an independent recount of the lines the
 * collector acknowledged.
 *
 * <p>The killed collector runs in its own JVM ({@link KilledCollector}) with {@code SpoolDrainer.AfterSend}: at its
 * n-th batch, once Kafka acknowledged every record, it leaves a marker file describing the batch and blocks, so the
 * kill lands in that window on purpose; the test checks the spool still holds the batch after the kill.
 *
 * <p>A fault of its own rather than a phase of {@link CollectorSpoolKillFaultIT}: that one kills the collector while
 * Kafka is down (nothing was sent, the spool must keep it), this one while Kafka is up and has the batch (the spool
 * must send it again, downstream must drop it); each has its own figures and its own way to fail.
 */
class CollectorDrainKillFaultIT {

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);
    private static final int POST_LINES = 500;
    /** The drainer's batch the collector is killed at (the drainer sends up to 5,000 records a batch). */
    private static final int KILL_AT_BATCH = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldCountEveryEventOnceWhenTheCollectorIsKilledBetweenKafkasAcknowledgementAndTheSpoolRemoval()
            throws Exception {
        // 7,900 lines, more than a batch of 5,000: the kill at the 2nd batch leaves a batch removed before it. The 1st
        // batch is what the spool held when the drainer's first attempt started (one post, or all of them).
        List<String> lines = CollectorPosts.simulatedLines(1_000, 23);
        Path pipelineData = dir.resolve("pipeline");
        Path collectorData = dir.resolve("collector");
        Path acknowledged = dir.resolve("acknowledged.ndjson");
        Path marker = dir.resolve("sent-not-removed.properties");
        String token = Tokens.newToken();
        int httpPort = FreePorts.pick();

        // Given a pipeline that ran once (topics exist) and is now down
        String bootstrap = CollectorPosts.bootstrapOfAStoppedPipeline(pipelineData);

        // and a collector in its own JVM that acknowledged every line into its spool while Kafka was down (read
        // scope too: its status is polled)
        Process collector = startKilledCollector(bootstrap, collectorData, httpPort,
                Tokens.entry("it", token, EnumSet.allOf(Scope.class)), marker);
        try {
            URI status = URI.create("http://127.0.0.1:" + httpPort + "/v1/status");
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(status).header("Authorization", "Bearer " + token).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            for (int start = 0; start < lines.size(); start += POST_LINES) {
                CollectorPosts.postBatch(http, lines.subList(start, Math.min(lines.size(), start + POST_LINES)),
                        httpPort, token, acknowledged);
            }

            // When Kafka is back, the collector drains, and is killed -9 at a batch Kafka acknowledged, before the
            // spool removed it
            try (AllInOne pipeline = AllInOne.start(pipelineData, new SimpleMeterRegistry())) {
                Properties batch = awaitMarker(collector, marker);
                long batchRecords = number(batch, "records");
                long batchInstallEvents = number(batch, "installEvents");
                long removedBefore = number(batch, "recordsRemovedBefore");
                long installEventsThroughBatch = number(batch, "installEventsBefore") + batchInstallEvents;
                // The kill lands where it should: Kafka holds the batch (and every one before it) ...
                long inKafkaAtKill = TopicContents.read(bootstrap, pipeline.topics().installEvents).size();
                assertThat(inKafkaAtKill).as("install events in Kafka when the collector was killed")
                        .isGreaterThanOrEqualTo(installEventsThroughBatch);
                collector.destroyForcibly(); // SIGKILL: no shutdown hook, no removal
                assertThat(collector.waitFor(30, TimeUnit.SECONDS)).isTrue();
                // ... and the spool still holds it, from its first record on
                long spooledAfterKill;
                try (Spool spool = Spool.open(collectorData.resolve("spool"))) {
                    spooledAfterKill = spool.size();
                    assertThat(spooledAfterKill).as("records in the spool after the kill")
                            .isEqualTo(lines.size() - removedBefore);
                    assertThat(spool.oldest(1, Long.MAX_VALUE).get(0).sequence())
                            .as("the spool's oldest record is the first of the batch Kafka acknowledged")
                            .isEqualTo(number(batch, "firstSequence"));
                }

                // Then a new collector on the same data directory sends that batch again and drains the rest
                try (CollectorService restarted = CollectorService.start(settings(bootstrap, collectorData,
                        Tokens.entry("it", token)), List.of())) {
                    await().atMost(DRAIN_TIMEOUT).until(() -> restarted.spool().size() == 0);
                }
                assertThat(new PipelineProgress(pipeline).awaitDrained(DRAIN_TIMEOUT, line -> { })).isTrue();

                // Kafka holds the batch twice: more install events than distinct device + event ids
                EventIdCount input = EventIdCount.ofLines(acknowledged);
                EventIdCount kafka = EventIdCount.ofTopic(TopicContents.read(bootstrap,
                        pipeline.topics().installEvents));
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("linesAcknowledged", lines.size());
                figures.put("killedAtBatch", KILL_AT_BATCH);
                figures.put("batchRecordsAtKill", batchRecords);
                figures.put("batchInstallEventsAtKill", batchInstallEvents);
                figures.put("batchSequences", number(batch, "firstSequence") + ".." + number(batch, "lastSequence"));
                figures.put("recordsRemovedBeforeKill", removedBefore);
                figures.put("spooledAfterKill", spooledAfterKill);
                figures.put("installEventsAcknowledged", input.records());
                figures.put("installEventsInKafka", kafka.records());
                figures.put("distinctEventIdsInKafka", kafka.distinct());
                figures.put("duplicatesInKafka", kafka.duplicates());

                // and the store equals the recount of the acknowledged lines, each event id once
                IndependentRecount recount = IndependentRecount.of(acknowledged);
                FaultReport.record(FaultReport.compare("collector-kill-between-ack-and-spool-removal",
                        "QuestDB failure_trends", recount, StoreContents.trendRows(pipeline.questDbHttp()), figures));
                assertThat(kafka.distinct()).as("distinct event ids in Kafka").isEqualTo(input.distinct());
                assertThat(kafka.duplicates()).as("install events Kafka holds twice (the batch sent again)")
                        .isGreaterThanOrEqualTo(input.duplicates() + batchInstallEvents);
                assertThat(batchInstallEvents).as("install events in the batch at the kill").isPositive();
                StoreContents.assertEqualsRecount(pipeline, recount);
                assertThat(new PipelineProgress(pipeline).deadLetters()).isZero();
            }
        } finally {
            collector.destroyForcibly();
            collector.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Install events, and distinct device + event ids among them, counted here from the raw records. */
    private record EventIdCount(long records, long distinct) {

        long duplicates() {
            return records - distinct;
        }

        /** The install-events lines of an acknowledged NDJSON file (as posted: device ids not yet pseudonymized). */
        static EventIdCount ofLines(Path file) throws IOException {
            long records = 0;
            Set<String> ids = new HashSet<>();
            try (BufferedReader in = Files.newBufferedReader(file)) {
                String line;
                while ((line = in.readLine()) != null) {
                    JsonNode record = JSON.readTree(line);
                    if (record.get("topic").asText().endsWith("install-events")) {
                        records++;
                        JsonNode event = record.get("value");
                        ids.add(event.get("deviceId").asText() + "|" + event.get("eventId").asText());
                    }
                }
            }
            return new EventIdCount(records, ids.size());
        }

        static EventIdCount ofTopic(List<ConsumerRecord<String, InstallEvent>> records) {
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<String, InstallEvent> record : records) {
                ids.add(record.value().getDeviceId() + "|" + record.value().getEventId());
            }
            return new EventIdCount(records.size(), ids.size());
        }
    }

    private Properties awaitMarker(Process collector, Path marker) throws IOException {
        await("collector process at its " + KILL_AT_BATCH + ". batch, acknowledged and not removed")
                .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    assertThat(collector.isAlive()).as("collector process alive (see target/collector-drain-kill.log)")
                            .isTrue();
                    return Files.exists(marker);
                });
        Properties batch = new Properties();
        try (Reader in = Files.newBufferedReader(marker)) {
            batch.load(in);
        }
        return batch;
    }

    private static long number(Properties properties, String name) {
        return Long.parseLong(properties.getProperty(name));
    }
    private static CollectorSettings settings(String bootstrap, Path data, String tokenEntry) {
        return CollectorPosts.settings(bootstrap, data.toString(), 0, tokenEntry);
    }

    private Process startKilledCollector(String bootstrap, Path data, int port, String tokenEntry, Path marker)
            throws IOException {
        return ChildJvm.start(dir, ProcessBuilder.Redirect.to(Path.of("target", "collector-drain-kill.log").toFile()),
                KilledCollector.class.getName(), List.of(bootstrap, data.toString(), Integer.toString(port),
                        tokenEntry, marker.toString(), Integer.toString(KILL_AT_BATCH)));
    }

    /**
     * A collector process whose drainer, at its n-th batch and once Kafka acknowledged every record of it, writes the
     * batch to a marker file (records, install events, first and last sequence, and what earlier batches removed) and
     * blocks, waiting to be killed. Arguments: bootstrap servers, data directory, HTTP port, token entry, the marker
     * file, n.
     */
    static final class KilledCollector {

        private KilledCollector() {
        }

        public static void main(String[] args) throws Exception {
            Path marker = Path.of(args[4]);
            int killAt = Integer.parseInt(args[5]);
            long[] before = {0, 0, 0}; // batches, records, install events
            CollectorService.start(CollectorPosts.settings(args[0], args[1], Integer.parseInt(args[2]), args[3]),
                    List.of(), new SimpleMeterRegistry(), batch -> {
                        long installEvents = batch.stream()
                                .filter(entry -> entry.record().topic().endsWith("install-events")).count();
                        if (++before[0] < killAt) {
                            before[1] += batch.size();
                            before[2] += installEvents;
                            return;
                        }
                        Properties out = new Properties();
                        out.setProperty("batch", Long.toString(before[0]));
                        out.setProperty("records", Integer.toString(batch.size()));
                        out.setProperty("installEvents", Long.toString(installEvents));
                        out.setProperty("firstSequence", Long.toString(batch.get(0).sequence()));
                        out.setProperty("lastSequence", Long.toString(batch.get(batch.size() - 1).sequence()));
                        out.setProperty("recordsRemovedBefore", Long.toString(before[1]));
                        out.setProperty("installEventsBefore", Long.toString(before[2]));
                        try {
                            Path partial = marker.resolveSibling(marker.getFileName() + ".partial");
                            try (Writer file = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                                out.store(file, "acknowledged by Kafka, not removed from the spool");
                            }
                            Files.move(partial, marker, StandardCopyOption.ATOMIC_MOVE);
                            Thread.sleep(Long.MAX_VALUE); // until killed: the removal never comes
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException("could not wait to be killed", e);
                        }
                    });
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
