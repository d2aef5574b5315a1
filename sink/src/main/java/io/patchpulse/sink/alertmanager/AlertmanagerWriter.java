package io.patchpulse.sink.alertmanager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.sink.RecordWriter;
import io.patchpulse.sink.StoreException;
import io.patchpulse.sink.WriteResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * firing alert has no {@code endsAt}, a resolved one has the record's {@code endsAt} (its window end when the record
 * has none).
 *
 * <p>Posting the same alert again is idempotent in Alertmanager (same labels: one alert, updated). Alertmanager
 * resolves a firing alert posted without {@code endsAt} by itself after its {@code resolve_timeout} (5 minutes by
 * default) unless it is posted again: whoever runs this writer must re-post firing alerts more often than that
 * (Prometheus does the same), or Alertmanager must run with a longer {@code resolve_timeout}.
 *
 * <p>{@link #write} returns once Alertmanager answered 200. Failures are {@link StoreException}s, retriable per
 * {@link StoreException#retriableStatus} (I/O errors, time-outs, 408, 429, 5xx); a 400 (an alert Alertmanager
 * rejects) is not.
 */
public final class AlertmanagerWriter implements RecordWriter<SpikeAlert> {

    /** The {@code alertname} label of every PatchPulse spike alert. */
    public static final String ALERT_NAME = "PatchPulseFailureSpike";
    /** The severity label unless told otherwise. */
    public static final String DEFAULT_SEVERITY = "warning";
    /** Time allowed to open a connection unless told otherwise. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Time allowed for one batch's answer unless told otherwise. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** The measurement name {@link WriteResult} counts posted alerts under. */
    public static final String ALERTS = "alerts";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final URI alertsUri;
    private final String severity;
    private final Duration requestTimeout;
    private final HttpClient client;

    /** A writer to the Alertmanager at {@code baseUrl} (e.g. {@code http://127.0.0.1:9093}), defaults otherwise. */
    public AlertmanagerWriter(String baseUrl) {
        this(baseUrl, DEFAULT_SEVERITY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /** A writer to the Alertmanager at {@code baseUrl} with the given severity label and time-outs. */
    public AlertmanagerWriter(String baseUrl, String severity, Duration connectTimeout, Duration requestTimeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        URI uri = URI.create(baseUrl);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("Alertmanager URL must look like http://host:port, was " + baseUrl);
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.alertsUri = URI.create(this.baseUrl + "/api/v2/alerts");
        this.severity = Objects.requireNonNull(severity, "severity");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.client = HttpClient.newBuilder()
                // Plain HTTP/1.1: skip the h2c upgrade attempt, which Go servers answer with HTTP/1.1 anyway.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
                .build();
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
        post(body(latestById.values()), latestById.size());
        Instant newest = latestById.values().stream().map(SpikeAlert::getWindowStart).max(Instant::compareTo)
                .orElseThrow();
        return new WriteResult(Map.of(ALERTS, (long) latestById.size()), Optional.of(newest));
    }

    /** The JSON array {@link #write} posts for {@code alerts}: the last value per alert id, in first-seen order. */
    String body(List<SpikeAlert> alerts) {
        return body(latestById(alerts).values());
    }

    @Override
    public void close() {
        // The JDK client holds pooled connections only; they close when it is collected.
    }

    private String body(Iterable<SpikeAlert> alerts) {
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
        HttpRequest request = HttpRequest.newBuilder(alertsUri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Covers HttpTimeoutException and connection refused: Alertmanager may be back on the next try.
            throw new StoreException("Alertmanager at " + baseUrl + " did not answer a post of " + batchSize
                    + " alerts (" + e + ")", 0, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while posting " + batchSize + " alerts to Alertmanager at "
                    + baseUrl, 0, false, e);
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            String answer = response.body() == null || response.body().isBlank() ? "(empty answer)"
                    : response.body().strip();
            throw new StoreException("Alertmanager at " + baseUrl + " answered HTTP " + status + " to a post of "
                    + batchSize + " alerts: " + (answer.length() <= 300 ? answer : answer.substring(0, 300) + "..."),
                    status, StoreException.retriableStatus(status), null);
        }
    }
}
