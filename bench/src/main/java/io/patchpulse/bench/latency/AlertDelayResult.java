package io.patchpulse.bench.latency;

import java.util.List;
import java.util.Map;

/**
 * What one {@link AlertDelayProbe} run measured: one entry per spike, with the settings it ran under. Plain fields
 * only, so Jackson writes it as is ({@link #toJson()}).
 *
 * @param startedAt             wall-clock start of the run, ISO-8601 UTC
 * @param spikes                each spike, in the order they were planted
 * @param baselineWindows       quiet windows before the spike's window, per cohort
 * @param baselineDevices       devices reporting in each quiet window
 * @param baselineFailing       of those, failing in each quiet window
 * @param spikeDevices          devices failing in the spike's window (its evidence)
 * @param windowSeconds         the trend window the plan assumed (the streams app's)
 * @param pollIntervalMs        pause between two polls of QuestDB and of Alertmanager
 * @param producerSettings      the producer settings the evidence went out with (the collector's)
 * @param pipelineSettings      the pipeline settings as the caller stated them
 */
public record AlertDelayResult(String startedAt, List<Spike> spikes, int baselineWindows, int baselineDevices,
        int baselineFailing, int spikeDevices, long windowSeconds, long pollIntervalMs,
        Map<String, String> producerSettings, Map<String, String> pipelineSettings) {

    public AlertDelayResult {
        spikes = List.copyOf(spikes);
        producerSettings = Map.copyOf(producerSettings);
        pipelineSettings = Map.copyOf(pipelineSettings);
    }

    /**
     * One spike: from the acknowledgement of its first evidence record to each place its FIRING alert shows up.
     * A delay is {@code null} when that place never showed it (the run then ends in a
     * {@link ProbeIncompleteException}).
     *
     * @param kb                  the spike's KB (a cohort of its own)
     * @param sizeBucket          its cohort's recovery-partition size bucket
     * @param freeBucket          its cohort's free-space bucket
     * @param bitlocker           its cohort's BitLocker label
     * @param publishedAt         when its evidence was published, ISO-8601 UTC (also its event time)
     * @param evidenceSpreadMs    first to last acknowledgement of the evidence records
     * @param toAlertsTopicMs     to the FIRING record on the {@code alerts} topic (read committed)
     * @param toQuestDbMs         to the FIRING row in QuestDB's {@code alerts} table
     * @param toAlertmanagerMs    to the alert being active in Alertmanager's API v2
     * @param alertmanagerLabels  the labels Alertmanager holds for it
     */
    public record Spike(String kb, String sizeBucket, String freeBucket, String bitlocker, String publishedAt,
            double evidenceSpreadMs, Double toAlertsTopicMs, Double toQuestDbMs, Double toAlertmanagerMs,
            Map<String, String> alertmanagerLabels) {

        public Spike {
            alertmanagerLabels = alertmanagerLabels == null ? Map.of() : Map.copyOf(alertmanagerLabels);
        }

        /** True when the alert was seen in all three places. */
        public boolean complete() {
            return toAlertsTopicMs != null && toQuestDbMs != null && toAlertmanagerMs != null;
        }
    }

    /** This result as one JSON object. */
    public String toJson() {
        return Json.write(this);
    }
}
