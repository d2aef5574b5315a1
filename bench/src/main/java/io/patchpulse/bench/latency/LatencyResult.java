package io.patchpulse.bench.latency;

import java.util.List;
import java.util.Map;

/**
 * What one {@link LatencyProbe} run measured, with the settings it ran under. Plain fields only, so Jackson writes it
 * as is ({@link #toJson()}).
 *
 * @param startedAt                 wall-clock start of the load, ISO-8601 UTC
 * @param targetEventsPerSecond     the rate asked for
 * @param durationSeconds           how long the probed load was asked to last
 * @param warmupSeconds             load without probes before it
 * @param sendSeconds               how long publishing actually took, warm-up included (longer than asked when the
 *                                  producer could not keep up)
 * @param eventsSent                events published (warm-up, load and probes)
 * @param eventsAcknowledged        of those, acknowledged by the broker
 * @param achievedEventsPerSecond   {@code eventsAcknowledged / sendSeconds}
 * @param probesSent                probe events among them
 * @param probesSeen                probes whose trend row was seen in QuestDB
 * @param probesMissing             KB ids of the probes never seen (empty on a complete run)
 * @param latency                   accepted (producer acknowledgement) to visible (first poll that saw the row);
 *                                  {@code null} only when no probe was seen
 * @param toTrendsTopic             accepted to the probe's trend record on the {@code failure-trends} topic (read
 *                                  committed): the streams app's share; {@code latency} minus this is the sink and
 *                                  QuestDB's
 * @param probeLatenciesMs          each probe's latency in send order ({@code null} for a missing one): a rise from
 *                                  first to last means a backlog grew, the rate was above what the pipeline sustains
 * @param pollIntervalMs            pause between two polls of QuestDB
 * @param polls                     polls made
 * @param meanPollMs                mean duration of one poll (the resolution of "visible" is interval + this)
 * @param pollErrors                polls that failed (an answer missing is retried at the next poll)
 * @param producerSettings          the producer settings of the load (those of the collector)
 * @param pipelineSettings          the pipeline settings as the caller stated them (guarantee, commit interval, sink
 *                                  poll timeout...)
 */
public record LatencyResult(String startedAt, double targetEventsPerSecond, double durationSeconds,
        double warmupSeconds, double sendSeconds, long eventsSent, long eventsAcknowledged,
        double achievedEventsPerSecond, int probesSent,
        int probesSeen, List<String> probesMissing, LatencyStats latency, LatencyStats toTrendsTopic,
        List<Double> probeLatenciesMs, long pollIntervalMs, long polls,
        double meanPollMs, long pollErrors, Map<String, String> producerSettings,
        Map<String, String> pipelineSettings) {

    public LatencyResult {
        probesMissing = List.copyOf(probesMissing);
        probeLatenciesMs = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(probeLatenciesMs));
        producerSettings = Map.copyOf(producerSettings);
        pipelineSettings = Map.copyOf(pipelineSettings);
    }

    /** True when every probe was seen. */
    public boolean complete() {
        return probesMissing.isEmpty() && probesSeen == probesSent;
    }

    /** This result as one JSON object. */
    public String toJson() {
        return Json.write(this);
    }
}
