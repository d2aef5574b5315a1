package io.patchpulse.sink.victoriametrics;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.sink.RecordWriter;
import io.patchpulse.sink.StoreException;
import io.patchpulse.sink.StoreHttp;
import io.patchpulse.sink.WriteResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes one topic's values to VictoriaMetrics as InfluxDB line protocol, {@code POST <baseUrl>/write}, each sample
 * stamped with the value's event time in nanoseconds; VictoriaMetrics names a series {@code <measurement>_<field>}
 * and turns tags into labels. The series and labels are documented on the encoders: {@link TrendSeries}
 * ({@link #trends}) and {@link ReleaseProgressSeries} ({@link #releaseProgress}).
 *
 * <p><b>VictoriaMetrics must run with {@code -retentionPeriod=100y}</b> (or any retention reaching back to the
 * oldest event time): with the default of one month, older samples are answered 204 and silently dropped.
 *
 * <p><b>Idempotence needs {@code -dedup.minScrapeInterval=1m}.</b> VictoriaMetrics never overwrites a sample, and
 * of samples sharing a series and a millisecond it does not reliably keep the last one written: 1.79 (Debian's
 * package) kept an earlier one for most keys in a test here, and newer releases keep the biggest value. So the
 * encoders never write two different values at one millisecond: each rewrite of a window or day is stamped at its
 * start + its {@code revision} milliseconds (how often the topology has updated that key; see
 * {@link SeriesEncoder#revisionStamp}), a later total later. With a one-minute deduplication VictoriaMetrics keeps,
 * per series and minute {@code (k*60s, (k+1)*60s]}, the sample with the biggest timestamp (in storage and at query
 * time): the newest revision. The windows are whole minutes (trend windows are validated to be; days are), so a
 * minute never holds samples of two windows. A re-delivery writes the same revision, values and millisecond again:
 * nothing changes. Query a window's numbers with {@code last_over_time(...[window])} evaluated at its end (see
 * {@link TrendSeries}). The deduplication is for the whole VictoriaMetrics: series scraped into it more often than
 * once a minute (vmagent's 15 s scrapes of {@code /metrics}) keep one sample a minute, so give their
 * {@code rate()}/{@code increase()} ranges a few minutes at least.
 *
 * <p>A batch holding several values for one key writes the last one only. {@link #write} returns after the 204
 * answer, which VictoriaMetrics gives once the samples are in its in-memory buffer (flushed to disk about every
 * second, or at once by {@code /internal/force_flush}). Failures are {@link StoreException}s, retriable per
 * {@link StoreException#retriableStatus} (I/O errors, time-outs, 408, 429, 5xx). Thread-safe, but meant for one.
 *
 * @param <V> the topic's value type
 */
public final class VictoriaMetricsWriter<V> implements RecordWriter<V> {

    /** Time allowed to open a connection unless told otherwise. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Time allowed for one batch's answer unless told otherwise. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final StoreHttp http;
    private final SeriesEncoder<V> encoder;

    /**
     * A writer to the VictoriaMetrics at {@code baseUrl} (e.g. {@code http://127.0.0.1:8428}) with the given encoder
     * and time-outs.
     */
    public VictoriaMetricsWriter(String baseUrl, SeriesEncoder<V> encoder, Duration connectTimeout,
            Duration requestTimeout) {
        this.http = new StoreHttp("VictoriaMetrics", baseUrl, connectTimeout, requestTimeout);
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    /** {@code failure-trends} values to the VictoriaMetrics at {@code baseUrl}, default time-outs. */
    public static VictoriaMetricsWriter<FailureTrend> trends(String baseUrl) {
        return new VictoriaMetricsWriter<>(baseUrl, new TrendSeries(), DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT);
    }

    /** {@code release-progress} values to the VictoriaMetrics at {@code baseUrl}, default time-outs. */
    public static VictoriaMetricsWriter<ReleaseProgress> releaseProgress(String baseUrl) {
        return new VictoriaMetricsWriter<>(baseUrl, new ReleaseProgressSeries(), DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT);
    }

    @Override
    public String store() {
        return "victoriametrics";
    }

    /** The base URL writes go to. */
    public String baseUrl() {
        return http.baseUrl();
    }

    @Override
    public WriteResult write(List<V> values) {
        if (values.isEmpty()) {
            return WriteResult.empty();
        }
        LineProtocol lines = encode(values);
        post(lines.text(), values.size());
        Instant newest = values.stream().map(encoder::timestamp).max(Instant::compareTo).orElseThrow();
        return new WriteResult(lines.linesByMeasurement(), Optional.of(newest));
    }

    /** The line-protocol text {@link #write} sends for {@code values}: the last value per key, in first-seen order. */
    LineProtocol encode(List<V> values) {
        Map<String, V> latestByKey = new LinkedHashMap<>();
        for (V value : values) {
            latestByKey.put(encoder.key(value), value);
        }
        LineProtocol lines = new LineProtocol();
        latestByKey.values().forEach(value -> encoder.encode(value, lines));
        return lines;
    }

    @Override
    public void close() {
        // The JDK client holds pooled connections only; they close when it is collected.
    }

    private void post(String body, int batchSize) {
        http.post("/write", "text/plain; charset=utf-8", body, "a write of " + batchSize + " values",
                status -> status == 204);
    }
}
