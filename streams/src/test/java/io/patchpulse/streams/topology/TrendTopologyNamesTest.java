package io.patchpulse.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.topics.Topics;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** Changelog and repartition topics are named after stores and groupings: a rename would lose state. */
class TrendTopologyNamesTest {

    @Test
    void shouldKeepTheNamesOfStatefulStepsStable() {
        TopologyDescription description = TrendTopology.build(TopologySettings.defaults(Topics.defaults())).describe();
        String text = description.toString();

        assertThat(text).contains(
                "Processor: validate",
                "Processor: count-devices (stores: [reboot-pending-failures, event-clock, seen-events, device-window-flags])",
                "stores: [device-inventory-table]",
                "Sink: trend-by-cohort-repartition-sink (topic: trend-by-cohort-repartition)",
                "Processor: sum-trends (stores: [trend-totals])",
                "Sink: failure-trends-sink (topic: patchpulse.failure-trends)",
                "Sink: install-events-dlq-sink (topic: patchpulse.install-events-dlq)",
                "Sink: install-events-dlq-sink-late (topic: patchpulse.install-events-dlq)",
                "Processor: track-devices (stores: [provisional-fixes, device-status])",
                "Sink: progress-by-release-repartition-sink (topic: progress-by-release-repartition)",
                "Processor: sum-release-progress (stores: [release-totals, release-progress])",
                "Sink: device-status-sink (topic: patchpulse.device-status)",
                "Sink: remediations-sink (topic: patchpulse.remediations)",
                "Sink: release-progress-sink (topic: patchpulse.release-progress)",
                "stores: [release-catalog]");
        assertThat(description.subtopologies()).hasSize(3);
        assertThat(description.globalStores()).hasSize(1);
        assertThat(Names.repartitionTopics("app")).containsExactly("app-trend-by-cohort-repartition",
                "app-progress-by-release-repartition");
    }
}
