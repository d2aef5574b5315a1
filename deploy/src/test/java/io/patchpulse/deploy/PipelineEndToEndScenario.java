package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.SimulatedRecord;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.PipelineProgress;
import io.patchpulse.deploy.kafka.ConsumerLag;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine end to end on real parts, one scenario for every way of running them: simulator -> Kafka -> Streams
 * (exactly_once_v2) -> sink -> QuestDB, then the store compared with an independent recount of what Kafka
 * acknowledged. Subclasses say only where Kafka and QuestDB run ({@link #start}).
 */
abstract class PipelineEndToEndScenario {

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    /** Starts the pipeline with its local data (streams state, embedded stores) on {@code dataDir}. */
    abstract AllInOne start(Path dataDir, MeterRegistry meters) throws Exception;

    @Test
    void shouldStoreExactlyTheCountsOfAnIndependentRecountOfThePublishedEvents() throws Exception {
        Path eventsOut = dir.resolve("events.ndjson");
        try (AllInOne pipeline = start(dir.resolve("data"), new SimpleMeterRegistry())) {
            // Given a simulated fleet published to Kafka, every acknowledged record also written to a file
            try (KafkaPublisher publisher = new KafkaPublisher(pipeline.bootstrapServers(), pipeline.topics(),
                    Map.of(), eventsOut, null)) {
                for (SimulatedRecord record : new FleetSimulator(SimulationSettings.of(400, 3).withDays(5)).simulate()) {
                    publisher.publish(record);
                }
                publisher.flush();
            }

            // When the pipeline has drained
            awaitDrained(pipeline);

            // Then the store holds exactly the recount, row for row
            IndependentRecount recount = IndependentRecount.of(eventsOut);
            assertThat(recount.results()).isGreaterThan(1000);
            Map<String, List<Long>> expected = new HashMap<>();
            recount.byKey().forEach((key, counts) -> expected.put(key, boxed(counts.row())));
            Map<String, List<Long>> stored = new HashMap<>();
            for (Map<String, Object> row : pipeline.questDbHttp().query("SELECT ts, kb, size_bucket, free_bucket,"
                    + " bitlocker, attempts, failures, devices_attempted, devices_failed, devices_succeeded"
                    + " FROM failure_trends")) {
                stored.put(epochMillis(row.get("ts")) + "|" + row.get("kb") + "|" + row.get("size_bucket") + "|"
                        + row.get("free_bucket") + "|" + row.get("bitlocker"),
                        List.of(n(row, "attempts"), n(row, "failures"), n(row, "devices_attempted"),
                                n(row, "devices_failed"), n(row, "devices_succeeded")));
            }
            assertThat(stored).isEqualTo(expected);

            Map<String, Long> storedErrors = new HashMap<>();
            for (Map<String, Object> row : pipeline.questDbHttp().query("SELECT ts, kb, error_code, size_bucket,"
                    + " free_bucket, bitlocker, devices_failed FROM failure_errors")) {
                storedErrors.put(epochMillis(row.get("ts")) + "|" + row.get("kb") + "|" + row.get("error_code") + "|"
                        + row.get("size_bucket") + "|" + row.get("free_bucket") + "|" + row.get("bitlocker"),
                        n(row, "devices_failed"));
            }
            assertThat(storedErrors).isEqualTo(recount.failedByError());
            assertThat(new PipelineProgress(pipeline).deadLetters()).isZero();
        }
    }

    /**
     * {@link PipelineProgress#awaitDrained} counts the streams app's repartition topic only once the app has committed
     * an offset on it. In a warm JVM (a second pipeline in the same Failsafe fork) the input side can be committed
     * before the repartition side has committed anything, and it reports drained with the totals not yet summed. So
     * wait for the repartition topics too, then once more for the sink and the store.
     */
    private static void awaitDrained(AllInOne pipeline) throws Exception {
        PipelineProgress progress = new PipelineProgress(pipeline);
        assertThat(progress.awaitDrained(DRAIN_TIMEOUT, line -> { })).isTrue();
        String[] repartition = pipeline.admin().listTopics().names().get().stream()
                .filter(name -> name.startsWith(AllInOne.STREAMS_APP_ID + "-") && name.endsWith("-repartition"))
                .toArray(String[]::new);
        assertThat(repartition).isNotEmpty();
        await().atMost(DRAIN_TIMEOUT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(ConsumerLag.of(pipeline.admin(), AllInOne.STREAMS_APP_ID, repartition)).isZero());
        assertThat(progress.awaitDrained(DRAIN_TIMEOUT, line -> { })).isTrue();
    }

    private static List<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    private static long n(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    private static long epochMillis(Object ts) {
        return Instant.parse(ts.toString()).toEpochMilli();
    }
}
