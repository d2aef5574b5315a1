package io.patchpulse.bench.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyPhaseTest {

    @Test
    void shouldStartEveryPhaseWithItsGuaranteeAndCommitIntervalThenTheExtraSettings() {
        Map<String, String> overrides = PipelineRun.streamsOverrides("at_least_once", 250,
                Map.of("trend.combine.every", "PT0S"));

        assertThat(overrides).containsExactly(Map.entry("processing.guarantee", "at_least_once"),
                Map.entry("commit.interval.ms", "250"), Map.entry("trend.combine.every", "PT0S"));
    }

    @Test
    void shouldStateTheSettingsThePipelineActuallyRunsWithBesideTheProbeNumbers() {
        Map<String, String> stated = LatencyPhase.statedSettings(PipelineRun.streamsOverrides("exactly_once_v2", 250,
                Map.of("trend.combine.every", "PT0S")));

        assertThat(stated).containsEntry("streams.processing.guarantee", "exactly_once_v2")
                .containsEntry("streams.commit.interval.ms", "250")
                .containsEntry("streams.trend.combine.every", "PT0S")
                .containsKeys("streams.num.stream.threads", "sink.poll.timeout.ms");
    }

    @Test
    void shouldReportASkippedAlertDelayWithItsReasonAndNoResult() {
        LatencyPhase.Result result = new LatencyPhase.Result("exactly_once_v2", 1000, 500, null, "probe 3 not seen",
                null, null, "no Alertmanager installed");

        assertThat(LatencyPhase.alertDelayJson(result)).containsExactly(
                Map.entry("skipped", "no Alertmanager installed"));
        assertThat(LatencyPhase.latencyJson(result)).containsEntry("complete", false)
                .containsEntry("error", "probe 3 not seen");
        assertThat(result.complete()).isFalse();
        assertThat(LatencyPhase.table(result)).contains("latency INCOMPLETE: probe 3 not seen",
                "Alert delay: skipped (no Alertmanager installed)");
        assertThat(LatencyPhase.markdown(result)).contains("Alert delay: skipped (no Alertmanager installed).");
    }
}
