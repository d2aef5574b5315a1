package io.patchpulse.bench.latency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.sink.alertmanager.AlertmanagerWriter;
import io.patchpulse.sink.local.OpsBinaries;
import io.patchpulse.streams.topology.AlertRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both latency probes on the real embedded pipeline, tiny: they must come back complete (every probe seen, the alert
 * seen in all three places with its cohort's labels) and well formed. No timing is asserted.
 */
class LatencyProbesIT {

    private static final Logger LOG = LoggerFactory.getLogger(LatencyProbesIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldSeeEveryProbeAndReportOrderedPercentiles() throws Exception {
        try (AllInOne pipeline = AllInOne.start(dir.resolve("data"), new SimpleMeterRegistry())) {
            // Given 20 probes among 200 events/s for 10 s, after 2 s of load without probes
            LatencyProbe probe = new LatencyProbe(pipeline, LatencyProbe.Settings.of(200, Duration.ofSeconds(10), 20)
                    .withWarmup(Duration.ofSeconds(2)), PipelineSettings.allInOneDefaults());

            // When it runs
            LatencyResult result = probe.run();
            LOG.info("latency probe result: {}", result.toJson());

            // Then every probe was seen, and every event acknowledged
            assertThat(result.complete()).isTrue();
            assertThat(result.probesSent()).isEqualTo(20);
            assertThat(result.probesSeen()).isEqualTo(20);
            assertThat(result.probesMissing()).isEmpty();
            assertThat(result.eventsSent()).isEqualTo(2_400);
            assertThat(result.eventsAcknowledged()).isEqualTo(result.eventsSent());
            assertThat(result.achievedEventsPerSecond()).isPositive();
            // And the latencies are 20 samples in order
            LatencyStats latency = result.latency();
            assertThat(latency.count()).isEqualTo(20);
            assertThat(result.probeLatenciesMs()).hasSize(20).doesNotContainNull();
            assertThat(result.toTrendsTopic().count()).isEqualTo(20);
            assertThat(latency.minMs()).isLessThanOrEqualTo(latency.p50Ms());
            assertThat(latency.p50Ms()).isLessThanOrEqualTo(latency.p99Ms());
            assertThat(latency.p99Ms()).isLessThanOrEqualTo(latency.maxMs());
            // And the settings travel with the numbers, in JSON too
            assertThat(result.pipelineSettings()).containsKeys("streams.processing.guarantee",
                    "streams.commit.interval.ms", "sink.poll.timeout.ms");
            assertThat(result.producerSettings()).containsEntry("acks", "all");
            JsonNode json = JSON.readTree(result.toJson());
            assertThat(json.at("/latency/p99Ms").asDouble()).isEqualTo(latency.p99Ms());
            assertThat(json.at("/pipelineSettings/streams.commit.interval.ms").asText())
                    .isEqualTo(result.pipelineSettings().get("streams.commit.interval.ms"));
        }
    }

    @Test
    void shouldSeeTheSpikeAlertInEveryPlaceWithItsCohortLabels() throws Exception {
        try (OpsBinaries.Running alertmanager = OpsBinaries.startAlertmanager(dir.resolve("am"),
                        OpsBinaries.SILENT_ALERTMANAGER_CONFIG);
                AllInOne pipeline = AllInOne.start(dir.resolve("data"), new SimpleMeterRegistry(),
                        AllInOne.Endpoints.embedded().withMetricsStores(null, alertmanager.baseUrl()))) {
            // Given one cohort with a quiet day behind it, under the detector's default rules
            AlertDelayProbe probe = new AlertDelayProbe(pipeline, alertmanager.baseUrl(),
                    AlertDelayProbe.Settings.of(1, AlertRules.defaults()), PipelineSettings.allInOneDefaults());

            // When a spike is planted in it
            AlertDelayResult result = probe.run();
            LOG.info("alert delay probe result: {}", result.toJson());

            // Then its alert was seen on the topic, in QuestDB and in Alertmanager
            assertThat(result.spikes()).hasSize(1);
            AlertDelayResult.Spike spike = result.spikes().get(0);
            assertThat(spike.complete()).isTrue();
            assertThat(spike.toAlertsTopicMs()).isNotNegative();
            assertThat(spike.toQuestDbMs()).isNotNegative();
            assertThat(spike.toAlertmanagerMs()).isNotNegative();
            // with the labels of its cohort
            assertThat(spike.alertmanagerLabels()).containsAllEntriesOf(Map.of(
                    "alertname", AlertmanagerWriter.ALERT_NAME,
                    "kb", spike.kb(),
                    "size_bucket", spike.sizeBucket(),
                    "free_bucket", spike.freeBucket(),
                    "bitlocker", spike.bitlocker()));
            assertThat(spike.sizeBucket()).isNotEqualTo("unknown");
            // And the plan reached the floors the rules set
            assertThat(result.spikeDevices()).isGreaterThanOrEqualTo((int) AlertRules.defaults().minDevicesFailed());
            assertThat(result.baselineWindows()).isEqualTo(AlertRules.defaults().baselineWindows());
            assertThat(JSON.readTree(result.toJson()).at("/spikes/0/kb").asText()).isEqualTo(spike.kb());
        }
    }
}
