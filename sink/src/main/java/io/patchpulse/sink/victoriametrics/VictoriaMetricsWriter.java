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
 * <p><b>Idempotence needs {@code -dedup.minScrapeInterval=1ms}.</b> VictoriaMetrics never overwrites a sample:
 * without deduplication a rewrite of the same series at the same timestamp is stored twice, and
 * {@code count_over_time}, {@code sum_over_time} and {@code /api/v1/export} see both. With a 1 ms interval only one
 * sample per series and millisecond survives (in storage and at query time), while no two of our samples share a
 * millisecond unless they are the same key (timestamps are window starts and days). Which duplicate survives: the
 * one written last in VictoriaMetrics 1.79 (Debian's package; {@code VictoriaMetricsWriterIT} pins it); newer
 * releases keep the biggest value on equal timestamps. Both are "last value wins" for window totals, which only
 * grow while a window is open; release-progress gauges that fall during a day ({@code devices_failing}) could keep
 * an earlier, higher value on those newer releases.
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
