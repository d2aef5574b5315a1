package io.patchpulse.bench.endtoend;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.bench.latency.AlertDelayProbe;
import io.patchpulse.bench.latency.AlertDelayResult;
import io.patchpulse.bench.latency.LatencyProbe;
import io.patchpulse.bench.latency.LatencyResult;
import io.patchpulse.bench.latency.LatencyStats;
import io.patchpulse.bench.latency.ProbeIncompleteException;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.sink.SinkConfig;
import io.patchpulse.streams.StreamsSettings;
import io.patchpulse.streams.topology.TopologySettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Latency on the warm pipeline of the last P phase, right after its reconciliation: {@link LatencyProbe} at a
 * fraction of the records/s that P measured, then {@link AlertDelayProbe} when the pipeline posts to an Alertmanager.
 *
 * <p>P counts records (install events and inventory snapshots); the latency probe's rate is install events/s. The
 * target rate is {@link Settings#loadFraction()} of P's records/s, which therefore asks somewhat more of the streams
 * app than the same fraction of P's mix would.
 */
final class LatencyPhase {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to run.
     *
     * @param loadFraction share of P's records/s the latency probe sends install events at
     * @param duration     how long the probed load lasts
     * @param warmup       load without probes before it
     * @param probes       probes spread over {@code duration}
     * @param spikes       spikes the alert delay probe plants (0: none)
     */
    record Settings(double loadFraction, Duration duration, Duration warmup, int probes, int spikes) {
    }

    /**
     * The outcome; a probe's part is {@code null} when it did not run (then {@code alertDelaySkipped} or an error
     * says why).
     *
     * @param pGuarantee          the guarantee of the P phase whose pipeline was probed
     * @param pRecordsPerSecond   the records/s that P measured
     * @param targetEventsPerSecond the latency probe's rate (install events/s)
     * @param latency             the latency probe's result (partial when it failed)
     * @param latencyError        why the latency probe failed, or {@code null}
     * @param alertDelay          the alert delay probe's result (partial when it failed)
     * @param alertDelayError     why it failed, or {@code null}
     * @param alertDelaySkipped   why it did not run, or {@code null}
     */
    record Result(String pGuarantee, double pRecordsPerSecond, double targetEventsPerSecond, LatencyResult latency,
            String latencyError, AlertDelayResult alertDelay, String alertDelayError, String alertDelaySkipped) {

        boolean complete() {
            return latency != null && latencyError == null && latency.complete()
                    && (alertDelaySkipped != null || alertDelay != null && alertDelayError == null
                            && alertDelay.spikes().stream().allMatch(AlertDelayResult.Spike::complete));
        }
    }

    private LatencyPhase() {
    }

    /**
     * Probes {@code pipeline}, started with {@code streamsOverrides} and posting to {@code alertmanagerUrl} (or
     * {@code null}: the alert delay is skipped for {@code skipReason}).
     */
    static Result run(AllInOne pipeline, PipelineRun.Result p, Map<String, String> streamsOverrides,
            String alertmanagerUrl, String skipReason, Settings settings, PrintWriter out)
            throws InterruptedException {
        Map<String, String> stated = statedSettings(streamsOverrides);
        double rate = Math.max(1, p.eventsPerSecond() * settings.loadFraction());
        out.printf(Locale.ROOT, "latency: %d probes over %d s at %,.0f install events/s (%.0f %% of P %s's "
                + "%,.0f records/s), after %d s warm-up ...%n", settings.probes(), settings.duration().toSeconds(),
                rate, settings.loadFraction() * 100, p.guarantee(), p.eventsPerSecond(),
                settings.warmup().toSeconds());
        out.flush();
        LatencyResult latency = null;
        String latencyError = null;
        try {
            latency = new LatencyProbe(pipeline, LatencyProbe.Settings.of(rate, settings.duration(),
                    settings.probes()).withWarmup(settings.warmup()), stated).run();
            out.printf(Locale.ROOT, "  latency p50 %.0f ms, p99 %.0f ms, max %.0f ms at %,.0f events/s achieved%n",
                    latency.latency().p50Ms(), latency.latency().p99Ms(), latency.latency().maxMs(),
                    latency.achievedEventsPerSecond());
        } catch (ProbeIncompleteException e) {
            latencyError = e.getMessage();
            latency = e.partialResult() instanceof LatencyResult partial ? partial : null;
            out.printf("  latency probe INCOMPLETE: %s%n", e.getMessage());
        }

        AlertDelayResult alertDelay = null;
        String alertDelayError = null;
        if (alertmanagerUrl != null && settings.spikes() > 0) {
            out.printf("alert delay: %d spikes ...%n", settings.spikes());
            out.flush();
            TopologySettings topology = effective(streamsOverrides).topology();
            try {
                alertDelay = new AlertDelayProbe(pipeline, alertmanagerUrl, new AlertDelayProbe.Settings(
                        settings.spikes(), topology.alerts(), topology.window(), 20, 1, Duration.ofMillis(25),
                        Duration.ofSeconds(60), AlertDelayProbe.Settings.DEFAULT_FIRST_KB), stated).run();
                for (AlertDelayResult.Spike spike : alertDelay.spikes()) {
                    out.printf(Locale.ROOT, "  spike %s: alerts topic %s ms, QuestDB %s ms, Alertmanager %s ms%n",
                            spike.kb(), ms(spike.toAlertsTopicMs()), ms(spike.toQuestDbMs()),
                            ms(spike.toAlertmanagerMs()));
                }
            } catch (ProbeIncompleteException e) {
                alertDelayError = e.getMessage();
                alertDelay = e.partialResult() instanceof AlertDelayResult partial ? partial : null;
                out.printf("  alert delay probe INCOMPLETE: %s%n", e.getMessage());
            }
        } else {
            skipReason = skipReason != null ? skipReason : "no spikes asked for";
            out.printf("alert delay: skipped (%s)%n", skipReason);
        }
        return new Result(p.guarantee(), p.eventsPerSecond(), rate, latency, latencyError, alertDelay,
                alertDelayError, alertmanagerUrl != null && settings.spikes() > 0 ? null : skipReason);
    }

    /** The result for the JSON report: the probes' own fields ({@code toJson}), with the phase's context. */
    static Map<String, Object> latencyJson(Result result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pGuarantee", result.pGuarantee());
        json.put("pRecordsPerSecond", result.pRecordsPerSecond());
        json.put("rateNote", "P counts records (install events and inventory snapshots); the probe's target rate is "
                + "install events/s, set to a fraction of P's records/s");
        json.put("complete", result.latency() != null && result.latencyError() == null && result.latency().complete());
        if (result.latencyError() != null) {
            json.put("error", result.latencyError());
        }
        json.put("result", result.latency() == null ? null : fields(result.latency().toJson()));
        return json;
    }

    /** The alert delay for the JSON report, or why it was skipped. */
    static Map<String, Object> alertDelayJson(Result result) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (result.alertDelaySkipped() != null) {
            json.put("skipped", result.alertDelaySkipped());
            return json;
        }
        json.put("complete", result.alertDelay() != null && result.alertDelayError() == null
                && result.alertDelay().spikes().stream().allMatch(AlertDelayResult.Spike::complete));
        if (result.alertDelayError() != null) {
            json.put("error", result.alertDelayError());
        }
        json.put("result", result.alertDelay() == null ? null : fields(result.alertDelay().toJson()));
        return json;
    }

    /** The table's section. */
    static String table(Result result) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "Latency on the warm P %s pipeline, install events at %,.0f/s "
                + "(target: %.0f %% of P's %,.0f records/s, events and inventories):%n", result.pGuarantee(),
                result.targetEventsPerSecond(), 100 * result.targetEventsPerSecond() / result.pRecordsPerSecond(),
                result.pRecordsPerSecond()));
        LatencyResult latency = result.latency();
        if (latency != null && latency.latency() != null) {
            LatencyStats stats = latency.latency();
            LatencyStats topic = latency.toTrendsTopic();
            text.append(String.format(Locale.ROOT, "  accepted -> QuestDB: p50 %.0f ms, p99 %.0f ms, max %.0f ms "
                    + "(%d of %d probes seen) at %,.0f events/s achieved%n", stats.p50Ms(), stats.p99Ms(),
                    stats.maxMs(), latency.probesSeen(), latency.probesSent(), latency.achievedEventsPerSecond()));
            if (topic != null) {
                text.append(String.format(Locale.ROOT, "  accepted -> failure-trends topic: p50 %.0f ms, p99 %.0f "
                        + "ms, max %.0f ms%n", topic.p50Ms(), topic.p99Ms(), topic.maxMs()));
            }
        }
        if (result.latencyError() != null) {
            text.append("  latency INCOMPLETE: ").append(result.latencyError()).append('\n');
        }
        if (result.alertDelaySkipped() != null) {
            text.append("Alert delay: skipped (").append(result.alertDelaySkipped()).append(")\n");
        } else {
            text.append("Alert delay, first evidence acknowledged -> FIRING alert in (ms):\n");
            text.append(String.format(Locale.ROOT, "  %-10s %12s %9s %13s%n", "spike", "alerts topic", "QuestDB",
                    "Alertmanager"));
            if (result.alertDelay() != null) {
                for (AlertDelayResult.Spike spike : result.alertDelay().spikes()) {
                    text.append(String.format(Locale.ROOT, "  %-10s %12s %9s %13s%n", spike.kb(),
                            ms(spike.toAlertsTopicMs()), ms(spike.toQuestDbMs()), ms(spike.toAlertmanagerMs())));
                }
            }
            if (result.alertDelayError() != null) {
                text.append("  alert delay INCOMPLETE: ").append(result.alertDelayError()).append('\n');
            }
        }
        return text.toString();
    }

    /** The markdown's section. */
    static String markdown(Result result) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Latency on the warm P %s pipeline right after its run: install events "
                + "at %,.0f/s (target; P's rate is %,.0f records/s of events and inventories), event accepted "
                + "(broker acknowledgement) to its trend row visible in QuestDB:%n%n", result.pGuarantee(),
                result.targetEventsPerSecond(), result.pRecordsPerSecond()));
        md.append("| to | probes seen | achieved events/s | p50 ms | p99 ms | max ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        LatencyResult latency = result.latency();
        if (latency != null && latency.latency() != null) {
            md.append(mdLatency("QuestDB", latency, latency.latency()));
            if (latency.toTrendsTopic() != null) {
                md.append(mdLatency("failure-trends topic", latency, latency.toTrendsTopic()));
            }
        }
        if (result.latencyError() != null) {
            md.append("\nLatency INCOMPLETE: ").append(result.latencyError()).append('\n');
        }
        if (result.alertDelaySkipped() != null) {
            md.append("\nAlert delay: skipped (").append(result.alertDelaySkipped()).append(").\n");
        } else {
            md.append("\nAlert delay, first evidence acknowledged to the FIRING alert:\n\n");
            md.append("| spike | alerts topic ms | QuestDB ms | Alertmanager ms |\n|---|---:|---:|---:|\n");
            if (result.alertDelay() != null) {
                for (AlertDelayResult.Spike spike : result.alertDelay().spikes()) {
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", spike.kb(),
                            ms(spike.toAlertsTopicMs()), ms(spike.toQuestDbMs()), ms(spike.toAlertmanagerMs())));
                }
            }
            if (result.alertDelayError() != null) {
                md.append("\nAlert delay INCOMPLETE: ").append(result.alertDelayError()).append('\n');
            }
        }
        return md.toString();
    }

    private static String mdLatency(String to, LatencyResult latency, LatencyStats stats) {
        return String.format(Locale.ROOT, "| %s | %d of %d | %,.0f | %.0f | %.0f | %.0f |%n", to,
                latency.probesSeen(), latency.probesSent(), latency.achievedEventsPerSecond(), stats.p50Ms(),
                stats.p99Ms(), stats.maxMs());
    }

    private static String ms(Double ms) {
        return ms == null ? "not seen" : String.format(Locale.ROOT, "%.0f", ms);
    }

    private static Map<String, Object> fields(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read back a probe's JSON", e);
        }
    }

    private static StreamsSettings effective(Map<String, String> streamsOverrides) {
        Map<String, String> values = new LinkedHashMap<>(streamsOverrides);
        values.put(StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return new StreamsSettings(values);
    }

    /**
     * The settings the probes report beside their numbers: those {@code PipelineSettings.allInOneDefaults()} names,
     * as the pipeline actually runs them with {@code streamsOverrides}, and every override itself.
     */
    static Map<String, String> statedSettings(Map<String, String> streamsOverrides) {
        Properties streams = effective(streamsOverrides).streamsProperties();
        Map<String, String> settings = new LinkedHashMap<>();
        for (String key : new String[] {StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamsConfig.NUM_STREAM_THREADS_CONFIG}) {
            settings.put("streams." + key, String.valueOf(streams.get(key)));
        }
        settings.put("streams." + StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, String.valueOf(streams.getOrDefault(
                StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 10L * 1024 * 1024 + " (Kafka default)")));
        streamsOverrides.forEach((key, value) -> settings.put("streams." + key, value));
        settings.put("sink." + SinkConfig.POLL_TIMEOUT_MS_CONFIG, String.valueOf(SinkConfig.POLL_TIMEOUT_MS_DEFAULT));
        return settings;
    }
}
