package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.schemas.topics.TrendKey;
import io.patchpulse.schemas.values.Cohort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 6: spike alerts. Runs right after the sum, in the task that owns the cohort (step 4 partitions by cohort
 * only, {@link CohortPartitioner}), so it sees every window of a cohort without another shuffle.
 *
 * <p><b>Baseline.</b> Per cohort it keeps the devices failed and attempted of its recent windows
 * ({@link Names#STORE_SPIKE_HISTORY}, {@link CohortHistory}). The baseline of a window is the mean devices failed and
 * the mean failure rate over the {@link AlertRules#baselineWindows()} windows before it; a window without a record
 * counts as zero once the cohort has been seen, windows before its first record do not count. A brand-new cohort
 * (first seen in this very window) has no baseline: it fires on the floors alone, which is what a new release that
 * fails from its first hour should do.
 *
 * <p><b>Fire.</b> On each update of a window (the sum emits its totals on commit, so within one commit interval of
 * the evidence, never waiting for the window to close): the window fires when its devices failed are at least
 * {@code max(minDevicesFailed, factor x baseline devices)} and its failure rate at least
 * {@code max(minFailureRate, factor x baseline rate)}. The FIRING {@link SpikeAlert} goes to {@code alerts} keyed by
 * its alert id ({@code kb|size|free|bitlocker|windowStart}) and into {@link Names#STORE_SPIKE_ALERTS}, in the same
 * transaction as the totals. {@code startsAt} is the record time (event time) of the update that fired it,
 * {@code detectedAt} the wall clock.
 *
 * <p><b>Episode.</b> While an alert is FIRING, each following window that stays above continues the episode and
 * fires nothing. "Stays above" has hysteresis: at least {@link AlertRules#stayFraction()} (default 0.5) of each threshold (devices failed and
 * rate), both judged against the baseline frozen in the alert (otherwise a long spike would raise its own baseline
 * and look resolved while it still goes on). Without the hysteresis a spike in a cohort of 60 to 100 devices flaps:
 * once the first wave of attempts is over, an hour with 8 of 11 devices failing is under the floor of 10, resolves,
 * and the next hour fires a second alert for the same incident (3 of 23 spikes did so in the detection-quality test).
 *
 * <p><b>Resolve.</b> A stream-time punctuator (every minute of event time, or every window if shorter) looks at each
 * FIRING cohort of the task: when the window after the episode's last window above has closed (the task's stream
 * time is past its end) and did not stay above, the alert resolves: same alert id, state RESOLVED, {@code endsAt} =
 * the start of that window (from then on the cohort was back to normal). Stream time advances with any cohort of the
 * task, so a cohort that went quiet altogether still resolves. The punctuator reads that window's totals from
 * {@link Names#STORE_TRENDS}, which includes updates still held in the record cache, so a window that is above but
 * not yet emitted is not taken for a quiet one. After a resolve, a new episode (a new alert id) can start from the
 * resolving window on; earlier windows, even if late data raises them, fire nothing.
 *
 * <p>Updates of windows that are not the trend window's size, or so old that their baseline was already dropped
 * (older than the baseline plus the grace period behind the cohort's newest window), are only remembered, never
 * judged.
 */
final class SpikeDetector implements Processor<String, FailureTrend, String, SpikeAlert> {

    private static final Logger LOG = LoggerFactory.getLogger(SpikeDetector.class);
    private static final Duration RESOLVE_CHECK = Duration.ofMinutes(1);

    private final AlertRules rules;
    private final long windowMs;
    private final long keepMs;
    private ProcessorContext<String, SpikeAlert> context;
    private KeyValueStore<String, Release> releases;
    private KeyValueStore<String, String> history;
    private KeyValueStore<String, SpikeAlert> alerts;
    private TimestampedKeyValueStore<String, FailureTrend> totals;

    SpikeDetector(TopologySettings settings) {
        this.rules = settings.alerts();
        this.windowMs = settings.window().toMillis();
        // The baseline of the oldest window that can still change (grace) must still be there.
        this.keepMs = (rules.baselineWindows() + 1) * windowMs + settings.grace().toMillis();
    }

    /**
     * Attaches the detector to the totals stream of step 5: its stores, the processor, and the {@code alerts} sink.
     */
    static void attach(StreamsBuilder builder, TopologySettings settings, KStream<String, FailureTrend> totals) {
        Topics topics = settings.topics();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_SPIKE_HISTORY),
                Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_SPIKE_ALERTS),
                Serdes.String(), topics.alerts.valueSerde()));
        totals.process(() -> new SpikeDetector(settings), Named.as(Names.DETECT_SPIKES),
                        Names.STORE_SPIKE_HISTORY, Names.STORE_SPIKE_ALERTS, Names.STORE_TRENDS)
                .to(topics.alerts.name(), Produced.with(topics.alerts.keySerde(), topics.alerts.valueSerde())
                        .withName(Names.ALERTS_SINK));
    }

    @Override
    public void init(ProcessorContext<String, SpikeAlert> context) {
        this.context = context;
        this.history = context.getStateStore(Names.STORE_SPIKE_HISTORY);
        this.alerts = context.getStateStore(Names.STORE_SPIKE_ALERTS);
        this.totals = context.getStateStore(Names.STORE_TRENDS);
        this.releases = context.getStateStore(Names.STORE_RELEASES);
        Duration every = settingsWindow().compareTo(RESOLVE_CHECK) < 0 ? settingsWindow() : RESOLVE_CHECK;
        context.schedule(every, PunctuationType.STREAM_TIME, this::resolveClosedWindows);
    }

    private Duration settingsWindow() {
        return Duration.ofMillis(windowMs);
    }

    @Override
    public void process(Record<String, FailureTrend> record) {
        FailureTrend window = record.value();
        if (window == null) {
            return;
        }
        long start = window.getWindowStart().toEpochMilli();
        if (window.getWindowEnd().toEpochMilli() - start != windowMs) {
            return; // another window size (a daily roll-up, say): its baseline would be a different one
        }
        String cohort = cohortKey(window);
        CohortHistory before = CohortHistory.decode(history.get(cohort));
        CohortHistory seen = (before == null ? CohortHistory.first(start) : before)
                .with(start, new CohortHistory.Counts(window.getDevicesFailed(), window.getDevicesAttempted()));
        long keepFrom = seen.newestWindow() - keepMs;
        seen = seen.trimmedBefore(keepFrom);
        if (start - (long) rules.baselineWindows() * windowMs >= keepFrom) {
            seen = judge(record, window, cohort, seen);
        }
        history.put(cohort, seen.encode());
    }

    /** Fires, continues an episode, or does nothing; returns the history with the episode's last window above. */
    private CohortHistory judge(Record<String, FailureTrend> record, FailureTrend window, String cohort,
            CohortHistory seen) {
        long start = window.getWindowStart().toEpochMilli();
        SpikeAlert latest = alerts.get(cohort);
        if (latest != null && latest.getState() == AlertState.FIRING) {
            // The punctuator may not have run since stream time passed the window after the episode: resolve first,
            // so a window that follows a quiet one starts a new episode instead of continuing the old one.
            seen = resolveIfClosedBelow(cohort, latest, seen, context.currentStreamTimeMs());
            latest = alerts.get(cohort);
        }
        if (latest != null && latest.getState() == AlertState.FIRING) {
            boolean continues = seen.lastAbove() != null && start == seen.lastAbove() + windowMs
                    && staysAbove(window.getDevicesFailed(), SpikeAlertText.rate(window), latest);
            return continues ? seen.withLastAbove(start) : seen;
        }
        if (latest != null && start < latest.getWindowStart().toEpochMilli()) {
            return seen; // before the window that resolved the last episode: that episode is over
        }
        CohortHistory.Baseline baseline = seen.baseline(start, windowMs, rules.baselineWindows());
        if (!isAbove(window.getDevicesFailed(), SpikeAlertText.rate(window), baseline.devicesFailed(),
                baseline.failureRate())) {
            return seen;
        }
        SpikeAlert alert = firing(window, cohort, baseline, record.timestamp());
        alerts.put(cohort, alert);
        context.forward(new Record<>(alert.getAlertId(), alert, record.timestamp()));
        LOG.info("spike alert {} fired: {} of {} devices failing, baseline {} devices", alert.getAlertId(),
                window.getDevicesFailed(), window.getDevicesAttempted(), baseline.devicesFailed());
        return seen.withLastAbove(start);
    }

    private boolean isAbove(long devicesFailed, double rate, double baselineDevices, double baselineRate) {
        return devicesFailed >= Math.max(rules.minDevicesFailed(), rules.factor() * baselineDevices)
                && rate >= Math.max(rules.minFailureRate(), rules.factor() * baselineRate);
    }

    /** True while a window keeps the episode of {@code alert} going: see the class comment, "Episode". */
    private boolean staysAbove(long devicesFailed, double rate, SpikeAlert alert) {
        return devicesFailed >= rules.stayFraction() * Math.max(rules.minDevicesFailed(),
                        rules.factor() * alert.getBaselineDevicesFailed())
                && rate >= rules.stayFraction() * Math.max(rules.minFailureRate(),
                        rules.factor() * alert.getBaselineFailureRate());
    }

    private SpikeAlert firing(FailureTrend window, String cohort, CohortHistory.Baseline baseline, long eventTime) {
        Map.Entry<String, Long> top = topError(window);
        // A KB of the release catalog is a WinRE update: its space failures get the resize / script runbook.
        boolean winreRelease = releases.get(window.getKb()) != null;
        return SpikeAlert.newBuilder()
                .setAlertId(cohort + "|" + window.getWindowStart())
                .setState(AlertState.FIRING)
                .setKb(window.getKb())
                .setErrorCode(top.getKey())
                .setSizeBucket(window.getSizeBucket())
                .setFreeBucket(window.getFreeBucket())
                .setBitlocker(window.getBitlocker())
                .setWindowStart(window.getWindowStart())
                .setWindowEnd(window.getWindowEnd())
                .setStartsAt(Instant.ofEpochMilli(eventTime))
                .setEndsAt(null)
                .setCurrentDevicesFailed(window.getDevicesFailed())
                .setCurrentDevicesAttempted(window.getDevicesAttempted())
                .setCurrentFailureRate(SpikeAlertText.rate(window))
                .setBaselineDevicesFailed(baseline.devicesFailed())
                .setBaselineFailureRate(baseline.failureRate())
                .setBaselineWindows(baseline.windows())
                .setSummary(SpikeAlertText.firing(window, winreRelease, top.getKey(), top.getValue(), baseline))
                .setRunbookUrl(SpikeAlertText.runbookUrl(winreRelease, top.getKey(), window.getFreeBucket()))
                .setDetectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
    }

    /** The error with the most failing devices; ties go to the smaller code, so the choice is repeatable. */
    static Map.Entry<String, Long> topError(FailureTrend window) {
        Map.Entry<String, Long> top = Map.entry("unknown", 0L);
        for (Map.Entry<String, Long> entry : window.getDevicesFailedByError().entrySet()) {
            String code = entry.getKey();
            long devices = entry.getValue();
            if (devices > top.getValue() || devices == top.getValue() && top.getValue() > 0
                    && code.compareTo(top.getKey()) < 0) {
                top = Map.entry(code, devices);
            }
        }
        return top;
    }

    /** Resolves each FIRING cohort of this task whose window after the episode closed below the thresholds. */
    private void resolveClosedWindows(long streamTime) {
        List<KeyValue<String, SpikeAlert>> firing = new ArrayList<>();
        try (KeyValueIterator<String, SpikeAlert> all = alerts.all()) {
            while (all.hasNext()) {
                KeyValue<String, SpikeAlert> entry = all.next();
                if (entry.value.getState() == AlertState.FIRING) {
                    firing.add(entry);
                }
            }
        }
        for (KeyValue<String, SpikeAlert> entry : firing) {
            resolveIfClosedBelow(entry.key, entry.value, streamTime);
        }
    }

    private void resolveIfClosedBelow(String cohort, SpikeAlert alert, long streamTime) {
        CohortHistory seen = CohortHistory.decode(history.get(cohort));
        if (seen == null) {
            seen = CohortHistory.first(alert.getWindowStart().toEpochMilli());
        }
        CohortHistory after = resolveIfClosedBelow(cohort, alert, seen, streamTime);
        if (after != seen) {
            history.put(cohort, after.encode());
        }
    }

    /**
     * Walks the closed windows after the episode's last window above: each one that stays above (per the sum's
     * store, which holds updates not yet emitted) continues the episode; the first one that does not resolves it. Returns the
     * history with the episode's last window above moved on, or {@code seen} itself when nothing moved.
     */
    private CohortHistory resolveIfClosedBelow(String cohort, SpikeAlert alert, CohortHistory seen, long streamTime) {
        long lastAbove = seen.lastAbove() == null ? alert.getWindowStart().toEpochMilli() : seen.lastAbove();
        long next = lastAbove + windowMs;
        while (next + windowMs <= streamTime) {
            CohortHistory.Counts counts = currentTotals(next, cohort);
            if (staysAbove(counts.failed(), counts.rate(), alert)) {
                lastAbove = next;
                next += windowMs;
                continue;
            }
            Instant start = Instant.ofEpochMilli(next);
            Instant end = Instant.ofEpochMilli(next + windowMs);
            SpikeAlert resolved = SpikeAlert.newBuilder(alert)
                    .setState(AlertState.RESOLVED)
                    .setWindowStart(start)
                    .setWindowEnd(end)
                    .setEndsAt(start)
                    .setCurrentDevicesFailed(counts.failed())
                    .setCurrentDevicesAttempted(counts.attempted())
                    .setCurrentFailureRate(counts.rate())
                    .setSummary(SpikeAlertText.resolved(alert, counts, start, end))
                    .setDetectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                    .build();
            alerts.put(cohort, resolved);
            context.forward(new Record<>(resolved.getAlertId(), resolved, Math.max(streamTime, 0)));
            LOG.info("spike alert {} resolved: window {} closed with {} of {} devices failing", alert.getAlertId(),
                    start, counts.failed(), counts.attempted());
            break;
        }
        return seen.lastAbove() != null && seen.lastAbove() == lastAbove ? seen : seen.withLastAbove(lastAbove);
    }

    /** The totals of a window as the sum holds them now, including updates not yet emitted; zero when none. */
    private CohortHistory.Counts currentTotals(long windowStart, String cohort) {
        ValueAndTimestamp<FailureTrend> total = totals.get(Instant.ofEpochMilli(windowStart) + "|" + cohort);
        if (total == null || total.value() == null) {
            return CohortHistory.Counts.NONE;
        }
        return new CohortHistory.Counts(total.value().getDevicesFailed(), total.value().getDevicesAttempted());
    }

    /** {@code kb|sizeBucket|freeBucket|bitlocker}: the key of the spike-alerts store, and the trend key minus window. */
    static String cohortKey(FailureTrend window) {
        String trendKey = new TrendKey(window.getWindowStart().toEpochMilli(), new Cohort(window.getKb(),
                window.getSizeBucket(), window.getFreeBucket(), window.getBitlocker())).encode();
        return CohortPartitioner.cohortOf(trendKey);
    }
}
