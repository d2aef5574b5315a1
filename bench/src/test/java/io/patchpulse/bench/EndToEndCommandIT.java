package io.patchpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.bench.endtoend.BenchmarksFile;
import io.patchpulse.sink.local.OpsBinaries;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny end-to-end run through {@code patchpulse bench} itself: real embedded broker, QuestDB, streams app and
 * sink. Checks that the run is complete, reconciled and well-formed; never how fast it was.
 */
class EndToEndCommandIT {

    private static final String BEFORE = "# Benchmarks\n\nHand-written introduction.\n\n## Latest run\n\n";
    private static final String AFTER = "\n\n## History\n\nHand-written notes that must survive.\n";

    @TempDir
    Path dir;

    @Test
    void shouldWriteReconciledResultsWithLatencyAndAlertDelayAndRewriteOnlyTheLatestRunSection() throws Exception {
        Path json = dir.resolve("results/run.json");
        Path report = dir.resolve("BENCHMARKS.md");
        Files.writeString(report, BEFORE + BenchmarksFile.START + "\nold figures\n" + BenchmarksFile.END + AFTER);
        StringWriter console = new StringWriter();

        int exit = BenchCli.commandLine().setOut(new PrintWriter(console, true)).execute("--events", "5000",
                "--guarantees", "exactly_once_v2", "--out", json.toString(), "--report", report.toString(),
                "--data-dir", dir.resolve("data").toString(), "--timeout", "PT3M",
                "--streams-setting", "trend.combine.every=PT0S", "--latency-seconds", "5", "--latency-probes", "10");

        assertThat(exit).as(console.toString()).isZero();
        JsonNode run = new ObjectMapper().readTree(json.toFile());
        assertThat(run.path("date").asText()).isNotBlank();
        JsonNode settings = run.path("settings");
        assertThat(settings.path("events").asLong()).isEqualTo(5000);
        assertThat(settings.path("devices").asInt()).isPositive();
        assertThat(settings.path("partitions").asInt()).isEqualTo(3);
        assertThat(settings.path("commitIntervalMs").asLong()).isEqualTo(1000);
        assertThat(settings.path("guarantees").get(0).asText()).isEqualTo("exactly_once_v2");
        assertThat(settings.path("streamsSettings").path("trend.combine.every").asText()).isEqualTo("PT0S");
        assertThat(settings.path("latency").path("probes").asInt()).isEqualTo(10);
        assertThat(settings.path("producer").path("acks").asText()).isEqualTo("all");
        assertThat(settings.path("producer").path("compression.type").asText()).isEqualTo("lz4");
        assertThat(settings.path("heapMaxBytes").asLong()).isPositive();
        JsonNode machine = run.path("machine");
        assertThat(machine.path("cores").asInt()).isPositive();
        assertThat(machine.path("memoryBytes").asLong()).isPositive();
        assertThat(machine.path("cpuModel").asText()).isNotBlank();
        assertThat(machine.path("java").asText()).startsWith(System.getProperty("java.version"));
        JsonNode records = run.path("records");
        assertThat(records.path("records").asLong()).isEqualTo(5000);
        assertThat(records.path("installResults").asLong()).isPositive();

        JsonNode raw = run.path("raw");
        assertThat(raw.path("records").asLong()).isEqualTo(5000);
        assertThat(raw.path("eventsPerSecond").asDouble()).isPositive();
        assertResources(raw.path("resources"));

        assertThat(run.path("pipeline")).hasSize(1);
        JsonNode pipeline = run.path("pipeline").get(0);
        assertThat(pipeline.path("guarantee").asText()).isEqualTo("exactly_once_v2");
        assertThat(pipeline.path("records").asLong()).isEqualTo(5000);
        assertThat(pipeline.path("installResults").asLong()).isEqualTo(records.path("installResults").asLong());
        assertThat(pipeline.path("storedAttempts").asLong()).isEqualTo(pipeline.path("installResults").asLong());
        assertThat(pipeline.path("reconciled").asBoolean()).isTrue();
        assertThat(pipeline.path("eventsPerSecond").asDouble()).isPositive();
        assertThat(pipeline.path("r").asDouble()).isPositive();
        assertResources(pipeline.path("resources"));
        assertThat(run.path("memoryNote").asText()).contains("one JVM");

        JsonNode latency = run.path("latency");
        assertThat(latency.path("complete").asBoolean()).as(latency.toString()).isTrue();
        assertThat(latency.path("pGuarantee").asText()).isEqualTo("exactly_once_v2");
        JsonNode probe = latency.path("result");
        assertThat(probe.path("probesSent").asInt()).isEqualTo(10);
        assertThat(probe.path("probesSeen").asInt()).isEqualTo(10);
        assertThat(probe.path("probesMissing")).isEmpty();
        assertThat(probe.path("targetEventsPerSecond").asDouble())
                .isCloseTo(pipeline.path("eventsPerSecond").asDouble() / 2, within(1.0));
        assertThat(probe.at("/latency/count").asInt()).isEqualTo(10);
        assertThat(probe.at("/latency/p50Ms").asDouble()).isLessThanOrEqualTo(probe.at("/latency/p99Ms").asDouble());
        assertThat(probe.at("/latency/p99Ms").asDouble()).isLessThanOrEqualTo(probe.at("/latency/maxMs").asDouble());
        assertThat(probe.at("/pipelineSettings/streams.trend.combine.every").asText()).isEqualTo("PT0S");
        assertThat(probe.at("/pipelineSettings/streams.processing.guarantee").asText()).isEqualTo("exactly_once_v2");
        JsonNode alertDelay = run.path("alertDelay");
        if (OpsBinaries.installed()) {
            assertThat(alertDelay.path("complete").asBoolean()).as(alertDelay.toString()).isTrue();
            assertThat(alertDelay.at("/result/spikes")).hasSize(3);
            for (JsonNode spike : alertDelay.at("/result/spikes")) {
                assertThat(spike.path("toAlertsTopicMs").isNumber()).isTrue();
                assertThat(spike.path("toQuestDbMs").isNumber()).isTrue();
                assertThat(spike.path("toAlertmanagerMs").isNumber()).as(spike.toString()).isTrue();
                assertThat(spike.at("/alertmanagerLabels/kb").asText()).isEqualTo(spike.path("kb").asText());
            }
        } else {
            assertThat(alertDelay.path("skipped").asText()).contains("Alertmanager");
        }

        String markdown = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(markdown).startsWith(BEFORE + BenchmarksFile.START).endsWith(BenchmarksFile.END + AFTER)
                .doesNotContain("old figures").contains("| P exactly_once_v2 |", "| B_raw |", "| QuestDB | 10 of 10 |",
                        "trend.combine.every=PT0S");
        assertThat(console.toString()).contains("B_raw", "P exactly_once_v2", "reconciled", "accepted -> QuestDB: p50",
                OpsBinaries.installed() ? "Alertmanager" : "Alert delay: skipped");
    }

    private static void assertResources(JsonNode resources) {
        assertThat(resources.path("processCpuSeconds").asDouble()).isPositive();
        assertThat(resources.path("cpuSecondsPerMillionEvents").asDouble()).isPositive();
        assertThat(resources.path("peakHeapBytes").asLong()).isPositive();
        assertThat(resources.path("peakRssBytes").asLong()).isPositive();
        assertThat(resources.path("componentCpuSeconds").fieldNames()).toIterable().contains("kafka-broker",
                "streams", "sink", "questdb", "bench-clients", "other-threads", "native");
    }
}
