package io.patchpulse.bench.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.schemas.values.Cohort;
import io.patchpulse.sink.alertmanager.AlertmanagerWriter;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbTables;
import io.patchpulse.sink.questdb.TrendTables;
import io.patchpulse.streams.topology.AlertRules;
import io.patchpulse.streams.topology.TopologySettings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delay from a spike's first evidence to its alert in Alertmanager, on a pipeline the caller started with the
 * sink posting to an Alertmanager.
 *
 * <p>For each spike, a cohort of its own (a KB {@code KB<firstKb + i>}, one inventory shape) first gets a quiet
 * history: {@code baselineWindows} trend windows before the current one, each with {@code baselineDevices}
 * devices reporting of which {@code baselineFailing} fail, event times in those windows (the spike detector's
 * baseline is the mean of a cohort's previous windows, {@code AlertRules}). Once QuestDB holds that whole history
 * (so the detector, which runs right after the sum, has seen it), the spikes are planted one after another: at a
 * known wall time, {@code spikeDevices} devices fail in the current window, enough to pass the floors and the factor
 * over the baseline. Measured from the acknowledgement of the spike's first evidence record to the FIRING record on
 * the {@code alerts} topic (a read-committed consumer), to the FIRING row in QuestDB's {@code alerts} table, and to
 * the alert being active in Alertmanager ({@code GET /api/v2/alerts?active=true}, matched on the cohort's labels).
 *
 * <p>Each observation must come within {@code timeout}; otherwise {@link ProbeIncompleteException}. Nothing is printed.
 */
public final class AlertDelayProbe {

    private static final Logger LOG = LoggerFactory.getLogger(AlertDelayProbe.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How to plant the spikes.
     *
     * @param spikes          spikes to plant, each in a cohort of its own, one after another
     * @param rules           the spike detector's rules (the streams app's; {@code AllInOne} runs the defaults)
     * @param window          the streams app's trend window
     * @param baselineDevices devices reporting in each quiet window
     * @param baselineFailing of those, failing in each quiet window
     * @param pollInterval    pause between two polls of QuestDB and of Alertmanager
     * @param timeout         longest wait for the baseline to be stored, and for each spike's alert
     * @param firstKb         KB number (7 digits) of the first spike's cohort; the next {@code spikes} are used
     */
    public record Settings(int spikes, AlertRules rules, Duration window, int baselineDevices, int baselineFailing,
            Duration pollInterval, Duration timeout, long firstKb) {

        /** The first KB number {@link #of} uses; a second run on the same store needs another one. */
        public static final long DEFAULT_FIRST_KB = 9_100_000L;

        public Settings {
            Objects.requireNonNull(rules, "rules");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(timeout, "timeout");
            if (spikes < 1) {
                throw new IllegalArgumentException("at least one spike, got " + spikes);
            }
            if (baselineDevices < 1 || baselineFailing < 0 || baselineFailing > baselineDevices) {
                throw new IllegalArgumentException("baseline needs devices >= 1 and 0 <= failing <= devices, got "
                        + baselineDevices + " and " + baselineFailing);
            }
            double quietRate = (double) baselineFailing / baselineDevices;
            if (baselineFailing >= rules.minDevicesFailed() && quietRate >= rules.minFailureRate()) {
                throw new IllegalArgumentException("the quiet windows would fire themselves: " + baselineFailing
                        + " of " + baselineDevices + " failing reaches the floors of " + rules);
            }
            if (rules.factor() * quietRate > 1.0) {
                throw new IllegalArgumentException("no spike can reach " + rules.factor() + " x a failure rate of "
                        + quietRate + ": lower the failing devices of the baseline");
            }
            ProbeEvents.kb(firstKb);
            ProbeEvents.kb(firstKb + spikes - 1);
        }

        /**
         * {@code spikes} spikes against {@code rules} with hourly windows, 20 devices per quiet window of which 1
         * fails, polls every 25 ms, 60 s time-out, cohorts from {@value #DEFAULT_FIRST_KB}.
         */
        public static Settings of(int spikes, AlertRules rules) {
            return new Settings(spikes, rules, TopologySettings.DEFAULT_WINDOW, 20, 1, Duration.ofMillis(25),
                    Duration.ofSeconds(60), DEFAULT_FIRST_KB);
        }

        /** The same with the cohorts' KB numbers starting at {@code first}. */
        public Settings withFirstKb(long first) {
            return new Settings(spikes, rules, window, baselineDevices, baselineFailing, pollInterval, timeout, first);
        }

        /**
         * Failing devices of the spike: at the floor or at factor x the baseline's failing devices, whichever is
         * higher, plus two (every one fails, so the rate is 1, above any rate threshold the constructor allows).
         */
        public int spikeDevices() {
            return (int) Math.ceil(Math.max(rules.minDevicesFailed(), rules.factor() * baselineFailing)) + 2;
        }
    }

    private final String bootstrapServers;
    private final Topics topics;
    private final QuestDbHttp sql;
    private final String alertmanagerUrl;
    private final Settings settings;
    private final Map<String, String> pipelineSettings;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * A probe of {@code pipeline}, whose sink posts to the Alertmanager at {@code alertmanagerUrl}
     * ({@code http://host:port}), its settings as the caller states them.
     */
    public AlertDelayProbe(AllInOne pipeline, String alertmanagerUrl, Settings settings,
            Map<String, String> pipelineSettings) {
        this(pipeline.bootstrapServers(), pipeline.topics(), pipeline.questDbHttp(), alertmanagerUrl, settings,
                pipelineSettings);
    }

    /** A probe of the pipeline on {@code bootstrapServers} / {@code topics} writing to {@code sql} and Alertmanager. */
    public AlertDelayProbe(String bootstrapServers, Topics topics, QuestDbHttp sql, String alertmanagerUrl,
            Settings settings, Map<String, String> pipelineSettings) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.sql = Objects.requireNonNull(sql, "sql");
        this.alertmanagerUrl = stripSlash(Objects.requireNonNull(alertmanagerUrl, "alertmanagerUrl"));
        this.settings = Objects.requireNonNull(settings, "settings");
        this.pipelineSettings = Map.copyOf(pipelineSettings);
    }

    /**
     * Builds the baselines, then plants the spikes one by one and times each alert.
     *
     * @throws ProbeIncompleteException when the baseline is not stored, or an alert does not show up, in time
     * @throws IllegalStateException    when a cohort's KB is already in the store, or publishing failed
     */
    public AlertDelayResult run() throws InterruptedException {
        Instant startedAt = Instant.now();
        long windowMs = settings.window().toMillis();
        List<String> kbs = new ArrayList<>();
        List<Cohort> cohorts = new ArrayList<>();
        for (int i = 0; i < settings.spikes(); i++) {
            String kb = ProbeEvents.kb(settings.firstKb() + i);
            kbs.add(kb);
            cohorts.add(ProbeEvents.cohort(kb, i));
        }
        requireUnused(kbs);
        String runId = "alert-" + Long.toString(System.currentTimeMillis(), 36);

        Observed observed = new Observed();
        List<AlertDelayResult.Spike> spikes = new ArrayList<>();
        ScheduledExecutorService polls = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "alert-delay-poller");
            thread.setDaemon(true);
            return thread;
        });
        TopicWatcher<SpikeAlert> alertsTopic = new TopicWatcher<>(bootstrapServers, topics.alerts.name(),
                topics.alerts.valueSerde().deserializer(), (alert, nanos) -> {
                    if (alert.getState() == AlertState.FIRING) {
                        observed.see(observed.topic, alert.getKb(), nanos);
                    }
                });
        try (AckTimedProducer producer = new AckTimedProducer(bootstrapServers, topics)) {
            publishBaselines(producer, kbs, runId, windowMs);
            awaitBaselines(kbs);

            alertsTopic.start(settings.timeout());
            polls.scheduleWithFixedDelay(() -> pollQuestDb(observed), 0, settings.pollInterval().toNanos(),
                    TimeUnit.NANOSECONDS);
            polls.scheduleWithFixedDelay(() -> pollAlertmanager(observed), 0, settings.pollInterval().toNanos(),
                    TimeUnit.NANOSECONDS);

            for (int i = 0; i < kbs.size(); i++) {
                spikes.add(plantSpike(producer, observed, kbs.get(i), cohorts.get(i), i, runId));
                if (!spikes.get(i).complete()) {
                    break;
                }
            }
        } finally {
            polls.shutdownNow();
            polls.awaitTermination(10, TimeUnit.SECONDS);
            alertsTopic.close();
        }
        if (alertsTopic.error() != null) {
            observed.lastError = "alerts topic: " + alertsTopic.error();
        }
        AlertDelayResult result = new AlertDelayResult(startedAt.toString(), spikes, settings.rules().baselineWindows(),
                settings.baselineDevices(), settings.baselineFailing(), settings.spikeDevices(),
                settings.window().toSeconds(), settings.pollInterval().toMillis(),
                AckTimedProducer.reportedSettings(), pipelineSettings);
        List<String> incomplete = spikes.stream().filter(spike -> !spike.complete()).map(AlertDelayResult.Spike::kb)
                .collect(Collectors.toList());
        if (!incomplete.isEmpty() || spikes.size() != kbs.size()) {
            throw new ProbeIncompleteException("the alert of spike " + incomplete + " did not reach every place"
                    + " (alerts topic, QuestDB, Alertmanager) within " + settings.timeout() + ": " + spikes
                    + (observed.lastError == null ? "" : "; last poll error: " + observed.lastError), result);
        }
        return result;
    }

    /** The quiet history of every cohort, oldest window first, event times inside those windows. */
    private void publishBaselines(AckTimedProducer producer, List<String> kbs, String runId, long windowMs) {
        long now = System.currentTimeMillis();
        long current = now - Math.floorMod(now, windowMs);
        int windows = settings.rules().baselineWindows();
        Instant receivedAt = Instant.ofEpochMilli(now);
        for (int w = windows; w >= 1; w--) {
            Instant at = Instant.ofEpochMilli(current - w * windowMs + windowMs / 2);
            for (int k = 0; k < kbs.size(); k++) {
                String kb = kbs.get(k);
                for (int d = 0; d < settings.baselineDevices(); d++) {
                    producer.send(ProbeEvents.installResult(runId + "-" + kb + "-w" + w + "-d" + d,
                            "bench-alert-" + kb + "-d" + d, kb, d < settings.baselineFailing(), k, at, receivedAt),
                            null);
                }
            }
        }
        producer.flush();
    }

    /** Waits until QuestDB holds every quiet window of every cohort with all its devices. */
    private void awaitBaselines(List<String> kbs) throws InterruptedException {
        long windows = settings.rules().baselineWindows();
        long expected = windows * settings.baselineDevices();
        String query = "SELECT kb, count() windows, sum(devices_attempted) attempted FROM "
                + TrendTables.DEFAULT_FAILURE_TRENDS + " WHERE kb IN (" + quoted(kbs) + ")";
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            try {
                Map<String, String> stored = new HashMap<>();
                for (Map<String, Object> row : sql.query(query)) {
                    stored.put(String.valueOf(row.get("kb")), row.get("windows") + "/" + row.get("attempted"));
                }
                last = stored;
                if (kbs.stream().allMatch(kb -> (windows + "/" + expected).equals(stored.get(kb)))) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.debug("baseline poll failed: {}", e.toString());
            }
            Thread.sleep(100);
        }
        throw new ProbeIncompleteException("the baselines did not reach " + TrendTables.DEFAULT_FAILURE_TRENDS
                + " within " + settings.timeout() + ": expected " + windows + " windows / " + expected
                + " devices attempted per KB, stored " + last, null);
    }

    /** Publishes one spike's evidence at the current wall time and waits for its alert in all three places. */
    private AlertDelayResult.Spike plantSpike(AckTimedProducer producer, Observed observed, String kb, Cohort cohort,
            int shape, String runId) throws InterruptedException {
        AtomicLong firstAck = new AtomicLong();
        AtomicLong lastAck = new AtomicLong();
        Instant at = Instant.now();
        observed.arm(kb);
        int devices = settings.spikeDevices();
        for (int d = 0; d < devices; d++) {
            boolean first = d == 0;
            producer.send(ProbeEvents.installResult(runId + "-" + kb + "-spike-d" + d, "bench-alert-" + kb
                    + "-spike-d" + d, kb, true, shape, at, at), ackNanos -> {
                        if (first) {
                            firstAck.set(ackNanos);
                        }
                        lastAck.accumulateAndGet(ackNanos, Math::max);
                    });
        }
        producer.flush();
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (!observed.allSeen(kb) && System.nanoTime() < deadline) {
            Thread.sleep(Math.max(1, settings.pollInterval().toMillis() / 2));
        }
        observed.disarm(kb);
        long from = firstAck.get();
        return new AlertDelayResult.Spike(kb, cohort.sizeBucket(), cohort.freeBucket(), cohort.bitlocker(),
                at.toString(), (lastAck.get() - from) / 1e6, since(from, observed.topic.get(kb)),
                since(from, observed.questDb.get(kb)), since(from, observed.alertmanager.get(kb)),
                observed.labels.get(kb));
    }

    private static Double since(long from, Long seen) {
        return seen == null ? null : Math.max(0, seen - from) / 1e6;
    }

    private void pollQuestDb(Observed observed) {
        Set<String> armed = observed.armed();
        if (armed.isEmpty()) {
            return;
        }
        long began = System.nanoTime();
        try {
            for (Map<String, Object> row : sql.query("SELECT kb FROM " + QuestDbTables.DEFAULT_ALERTS
                    + " WHERE state = 'FIRING' AND kb IN (" + quoted(armed) + ")")) {
                observed.see(observed.questDb, String.valueOf(row.get("kb")), began);
            }
        } catch (RuntimeException e) {
            observed.lastError = "QuestDB: " + e; // the table appears with the first alert
        }
    }

    private void pollAlertmanager(Observed observed) {
        Set<String> armed = observed.armed();
        if (armed.isEmpty()) {
            return;
        }
        long began = System.nanoTime();
        try {
            String filter = URLEncoder.encode("alertname=\"" + AlertmanagerWriter.ALERT_NAME + "\"",
                    StandardCharsets.UTF_8);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(alertmanagerUrl
                            + "/api/v2/alerts?active=true&filter=" + filter)).timeout(Duration.ofSeconds(10)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                observed.lastError = "Alertmanager answered " + response.statusCode() + ": " + response.body();
                return;
            }
            for (JsonNode alert : JSON.readTree(response.body())) {
                JsonNode labels = alert.path("labels");
                String kb = labels.path("kb").asText();
                if (armed.contains(kb) && !observed.alertmanager.containsKey(kb)) {
                    Map<String, String> copy = new HashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> label = it.next();
                        copy.put(label.getKey(), label.getValue().asText());
                    }
                    observed.labels.putIfAbsent(kb, copy); // before the sighting: whoever sees it, sees its labels
                    observed.see(observed.alertmanager, kb, began);
                }
            }
        } catch (IOException | RuntimeException e) {
            observed.lastError = "Alertmanager: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Refuses KB ids that already have trend rows: their history would not be the planned one. */
    private void requireUnused(List<String> kbs) {
        List<Map<String, Object>> rows = sql.query("SELECT DISTINCT kb FROM " + TrendTables.DEFAULT_FAILURE_TRENDS
                + " WHERE kb IN (" + quoted(kbs) + ")");
        if (!rows.isEmpty()) {
            throw new IllegalStateException("spike KBs already in " + TrendTables.DEFAULT_FAILURE_TRENDS + " ("
                    + rows.get(0).get("kb") + "...): choose another first KB");
        }
    }

    private static String quoted(java.util.Collection<String> kbs) {
        return kbs.stream().map(kb -> "'" + kb + "'").collect(Collectors.joining(","));
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** First sightings (nanoTime) per KB in each place, and which KBs are being watched. */
    private static final class Observed {

        final Map<String, Long> topic = new ConcurrentHashMap<>();
        final Map<String, Long> questDb = new ConcurrentHashMap<>();
        final Map<String, Long> alertmanager = new ConcurrentHashMap<>();
        final Map<String, Map<String, String>> labels = new ConcurrentHashMap<>();
        final Set<String> armed = ConcurrentHashMap.newKeySet();
        volatile String lastError;

        void arm(String kb) {
            armed.add(kb);
        }

        void disarm(String kb) {
            armed.remove(kb);
        }

        Set<String> armed() {
            return Set.copyOf(armed);
        }

        /** Notes the first sighting of {@code kb} in {@code place}; true when this was it. */
        boolean see(Map<String, Long> place, String kb, long nanos) {
            return armed.contains(kb) && place.putIfAbsent(kb, nanos) == null;
        }

        boolean allSeen(String kb) {
            return topic.containsKey(kb) && questDb.containsKey(kb) && alertmanager.containsKey(kb);
        }
    }
}
