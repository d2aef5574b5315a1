package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.PipelineProgress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The all-in-one pipeline keeps its data across a restart: the broker's log, its consumer offsets and
 * transactions, the streams state and QuestDB all live under the data directory. Records replayed after the
 * restart are recognised by event id and not counted again.
 */
class PipelineRestartIT {

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    @Test
    void shouldKeepCountsAcrossACleanRestartAndNotCountReplaysAgain() throws Exception {
        List<CollectedRecord> records = new FleetSimulator(SimulationSettings.of(300, 5).withDays(4)).simulate()
                .stream().toList();
        int half = records.size() / 2;
        Path data = dir.resolve("data");
        Path firstOut = dir.resolve("first.ndjson");
        Path secondOut = dir.resolve("second.ndjson");

        // Given the first half processed, then everything stopped
        try (AllInOne pipeline = AllInOne.start(data, new SimpleMeterRegistry())) {
            publish(pipeline, records.subList(0, half), firstOut);
            assertThat(new PipelineProgress(pipeline).awaitDrained(DRAIN_TIMEOUT, line -> { })).isTrue();
        }

        // When it restarts on the same data and gets the second half, plus the last 200 records of the first again
        try (AllInOne pipeline = AllInOne.start(data, new SimpleMeterRegistry())) {
            publish(pipeline, records.subList(half - 200, records.size()), secondOut);
            assertThat(new PipelineProgress(pipeline).awaitDrained(DRAIN_TIMEOUT, line -> { })).isTrue();

            // Then the store equals a recount of both runs in which each event id counts once
            StoreContents.assertEqualsRecount(pipeline, IndependentRecount.of(firstOut, secondOut));
            assertThat(new PipelineProgress(pipeline).deadLetters()).isZero();
        }
    }

    private static void publish(AllInOne pipeline, List<CollectedRecord> records, Path eventsOut) {
        try (KafkaPublisher publisher = new KafkaPublisher(pipeline.bootstrapServers(), pipeline.topics(), Map.of(),
                eventsOut, null)) {
            records.forEach(publisher::publish);
            publisher.flush();
        }
    }
}
