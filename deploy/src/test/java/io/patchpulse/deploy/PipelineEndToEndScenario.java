package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.PipelineProgress;
import java.nio.file.Path;
import java.time.Duration;
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
                for (CollectedRecord record : new FleetSimulator(SimulationSettings.of(400, 3).withDays(5)).simulate()) {
                    publisher.publish(record);
                }
                publisher.flush();
            }

            // and, after it, records the pipeline must refuse (not in the events-out file, so not in the recount)
            Map<String, Long> refused = HostileRecords.send(pipeline);

            // When the pipeline has drained
            awaitDrained(pipeline);

            // Then the store holds exactly the recount, row for row, and every refused record is in the DLQ
            IndependentRecount recount = IndependentRecount.of(eventsOut);
            assertThat(recount.results()).isGreaterThan(1000);
            StoreContents.assertEqualsRecount(pipeline, recount);
            assertThat(new PipelineProgress(pipeline).deadLettersByReason()).isEqualTo(refused);
        }
    }

    private static void awaitDrained(AllInOne pipeline) throws Exception {
        assertThat(new PipelineProgress(pipeline).awaitDrained(DRAIN_TIMEOUT, line -> { })).isTrue();
    }
}
