package io.patchpulse.sink.alertmanager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.sink.RecordWriter;
import io.patchpulse.sink.StoreException;
import io.patchpulse.sink.StoreHttp;
import io.patchpulse.sink.WriteResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Posts {@code alerts} values to Alertmanager's API v2, {@code POST <baseUrl>/api/v2/alerts}, one JSON array per
 * batch (the last value per {@code alertId}).
 *
 * <p>Each alert carries the labels {@code alertname="PatchPulseFailureSpike"}, {@code alert_id}, {@code kb},
 * {@code size_bucket}, {@code free_bucket}, {@code bitlocker} and {@code severity}: only values fixed for the
 * whole episode, because Alertmanager identifies an alert by its label set, and a resolution must carry the labels
 * of the alert it resolves ({@code error_code}, which may change while the episode lasts, is an annotation). The
 * annotations are {@code summary} (the record's text for people), {@code description} (the numbers against the
 * baseline), {@code runbook_url} and {@code error_code}. {@code startsAt} is the event time of the evidence; a
 * resolved alert has the record's {@code endsAt} (its window end when the record has none), a firing one an
 * {@code endsAt} ahead (below).
 *
 * <p>Keeping firing alerts firing: Alertmanager resolves an alert by itself once its {@code endsAt} has passed
 * (or, without one, after its {@code resolve_timeout}). So, as Prometheus does, a firing alert is posted with
 * {@code endsAt} = now + 4 re-post intervals and re-posted every interval (1 minute by default, on a thread of its
 * own) until its RESOLVED record comes; a sink that stops lets its alerts lapse within those 4 intervals instead of
 * leaving them firing forever. After a restart the firing set is rebuilt from the whole compacted {@code alerts}
 * topic ({@link #restore}). Posting the same alert again is idempotent (same labels: one alert, updated).
 *
 * <p>{@link #write} returns once Alertmanager answered 200. Failures are {@link StoreException}s, retriable per
 * {@link StoreException#retriableStatus} (I/O errors, time-outs, 408, 429, 5xx); a 400 (an alert Alertmanager
 * rejects) is not.
 */
public final class AlertmanagerWriter implements RecordWriter<SpikeAlert> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AlertmanagerWriter.class);

    /** The {@code alertname} label of every PatchPulse spike alert. */
    public static final String ALERT_NAME = "PatchPulseFailureSpike";
    /** The severity label unless told otherwise. */
    public static final String DEFAULT_SEVERITY = "warning";
    /** Time allowed to open a connection unless told otherwise. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Time allowed for one batch's answer unless told otherwise. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Interval between re-posts of the firing alerts unless told otherwise. */
    public static final Duration DEFAULT_REPOST_INTERVAL = Duration.ofMinutes(1);
    /** A firing alert's {@code endsAt} lies this many re-post intervals ahead. */
    static final int ENDS_AT_INTERVALS = 4;
    /** The measurement name {@link WriteResult} counts posted alerts under. */
    public static final String ALERTS = "alerts";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StoreHttp http;
    private final String severity;
    private final Duration repostInterval;
    private final Map<String, SpikeAlert> firing = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object postLock = new Object();
    private final java.util.concurrent.ScheduledExecutorService reposter;
    private final java.util.concurrent.atomic.AtomicLong reposts = new java.util.concurrent.atomic.AtomicLong();

    /** A writer to the Alertmanager at {@code baseUrl} (e.g. {@code http://127.0.0.1:9093}), defaults otherwise. */
    public AlertmanagerWriter(String baseUrl) {
        this(baseUrl, DEFAULT_SEVERITY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_REPOST_INTERVAL);
    }

    /**
     * A writer to the Alertmanager at {@code baseUrl} with the given severity label, time-outs and interval between
     * re-posts of the firing alerts.
     */
    public AlertmanagerWriter(String baseUrl, String severity, Duration connectTimeout, Duration requestTimeout,
            Duration repostInterval) {
        this.http = new StoreHttp("Alertmanager", baseUrl, connectTimeout, requestTimeout);
        this.severity = Objects.requireNonNull(severity, "severity");
        if (repostInterval.isNegative() || repostInterval.isZero()) {
            throw new IllegalArgumentException("re-post interval must be positive, not " + repostInterval);
        }
        this.repostInterval = repostInterval;
        this.reposter = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "patchpulse-alertmanager-repost");
            thread.setDaemon(true);
            return thread;
        });
        reposter.scheduleWithFixedDelay(this::repostFiring, repostInterval.toMillis(), repostInterval.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public String store() {
        return "alertmanager";
    }

    @Override
    public WriteResult write(List<SpikeAlert> alerts) {
        if (alerts.isEmpty()) {
            return WriteResult.empty();
        }
        Map<String, SpikeAlert> latestById = latestById(alerts);
        // One lock with the re-post thread: a re-post of a snapshot taken before this batch must not land after it
        // (a RESOLVED overtaken by a stale FIRING would fire again).
        synchronized (postLock) {
            post(body(latestById.values(), Instant.now()), latestById.size());
            latestById.values().forEach(this::track);
        }
        Instant newest = latestById.values().stream().map(SpikeAlert::getWindowStart).max(Instant::compareTo)
                .orElseThrow();
        return new WriteResult(Map.of(ALERTS, (long) latestById.size()), Optional.of(newest));
    }

    /** The JSON array {@link #write} posts for {@code alerts} at {@code now}: the last value per alert id. */
    String body(List<SpikeAlert> alerts, Instant now) {
        return body(latestById(alerts).values(), now);
    }

    @Override
    public boolean restoresFromTopic() {
        return true;
    }

    /** Takes the alerts still firing in the topic as the firing set and posts them at once. */
    @Override
    public void restore(List<SpikeAlert> latest) {
        latestById(latest).values().forEach(this::track);
        repostFiring();
    }

    /** The alerts being kept firing, by alert id. */
    Map<String, SpikeAlert> firing() {
        return Map.copyOf(firing);
    }

    /** How many re-posts of the firing set went out, for tests. */
    long reposts() {
        return reposts.get();
    }

    @Override
    public void close() {
        reposter.shutdownNow();
        // The JDK client holds pooled connections only; they close when it is collected.
    }

    private void track(SpikeAlert alert) {
        if (alert.getState() == AlertState.FIRING) {
            firing.put(alert.getAlertId(), alert);
        } else {
            firing.remove(alert.getAlertId());
        }
    }

    /** Posts every firing alert again with a fresh {@code endsAt}; on failure it logs and tries next time. */
    private void repostFiring() {
        synchronized (postLock) {
            List<SpikeAlert> now = List.copyOf(firing.values());
            if (now.isEmpty()) {
                return;
            }
            try {
                post(body(now, Instant.now()), now.size());
                reposts.incrementAndGet();
            } catch (RuntimeException e) {
                LOG.warn("Could not re-post {} firing alerts to Alertmanager at {} (next try in {}): {}",
                        now.size(), http.baseUrl(), repostInterval, e.getMessage());
            }
        }
    }

    private String body(Iterable<SpikeAlert> alerts, Instant now) {
        ArrayNode array = JSON.createArrayNode();
        for (SpikeAlert alert : alerts) {
            ObjectNode node = array.addObject();
            ObjectNode labels = node.putObject("labels");
            labels.put("alertname", ALERT_NAME);
            labels.put("alert_id", alert.getAlertId());
            labels.put("kb", alert.getKb());
            labels.put("size_bucket", alert.getSizeBucket());
            labels.put("free_bucket", alert.getFreeBucket());
            labels.put("bitlocker", alert.getBitlocker());
            labels.put("severity", severity);
            ObjectNode annotations = node.putObject("annotations");
            annotations.put("summary", alert.getSummary());
            annotations.put("description", description(alert));
            annotations.put("runbook_url", alert.getRunbookUrl());
            annotations.put("error_code", alert.getErrorCode());
            node.put("startsAt", alert.getStartsAt().toString());
            if (alert.getState() == AlertState.RESOLVED) {
                Instant endsAt = alert.getEndsAt() != null ? alert.getEndsAt() : alert.getWindowEnd();
                node.put("endsAt", endsAt.toString());
            } else {
                // Firing until told otherwise: the re-posts keep pushing this forward.
                // After startsAt even when the evidence is stamped ahead of this clock (a device clock running
                // fast): Alertmanager refuses an alert that ends before it starts, which would stop the sink.
                Instant from = alert.getStartsAt().isAfter(now) ? alert.getStartsAt() : now;
                node.put("endsAt", from.plus(repostInterval.multipliedBy(ENDS_AT_INTERVALS)).toString());
            }
        }
        try {
            return JSON.writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render alerts as JSON", e);
        }
    }

    private static String description(SpikeAlert alert) {
        return String.format(Locale.ROOT,
                "%s: %d of %d devices failed (%.1f%%) in the window from %s to %s, against a baseline of %.1f devices"
                        + " (%.1f%%) over %d earlier windows; most report %s.",
                alert.getKb(), alert.getCurrentDevicesFailed(), alert.getCurrentDevicesAttempted(),
                100 * alert.getCurrentFailureRate(), alert.getWindowStart(), alert.getWindowEnd(),
                alert.getBaselineDevicesFailed(), 100 * alert.getBaselineFailureRate(), alert.getBaselineWindows(),
                alert.getErrorCode());
    }

    private static Map<String, SpikeAlert> latestById(List<SpikeAlert> alerts) {
        Map<String, SpikeAlert> latestById = new LinkedHashMap<>();
        for (SpikeAlert alert : alerts) {
            latestById.put(alert.getAlertId(), alert);
        }
        return latestById;
    }

    private void post(String body, int batchSize) {
        http.post("/api/v2/alerts", "application/json", body, "a post of " + batchSize + " alerts",
                status -> status / 100 == 2);
    }
}
