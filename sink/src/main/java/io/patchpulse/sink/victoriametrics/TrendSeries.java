package io.patchpulse.sink.victoriametrics;

import io.patchpulse.schemas.avro.FailureTrend;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code failure-trends} values as samples inside their window (see Timestamps below). One value writes these series (line-protocol
 * measurement {@code patchpulse_trend}, fields as the suffix), all with the labels
 * {@code kb, size_bucket, free_bucket, bitlocker}:
 * <ul>
 *   <li>{@code patchpulse_trend_attempts}: install results (FAILED or SUCCEEDED) in the window;</li>
 *   <li>{@code patchpulse_trend_failures}: FAILED results;</li>
 *   <li>{@code patchpulse_trend_devices_attempted}, {@code patchpulse_trend_devices_failed},
 *       {@code patchpulse_trend_devices_succeeded}: distinct devices.</li>
 * </ul>
 * and one sample per entry of {@code devicesFailedByError} (measurement {@code patchpulse_trend_error}):
 * <ul>
 *   <li>{@code patchpulse_trend_error_devices_failed{kb, error_code, size_bucket, free_bucket, bitlocker}}: distinct
 *       devices that failed with that code. {@code error_code} is a canonical HRESULT ({@code 0x80070643}); codes the
 *       pipeline kept raw (not an HRESULT in a known spelling) are summed under {@code error_code="other"}, so the
 *       label stays bounded whatever devices send.</li>
 * </ul>
 * These are window totals, not Prometheus counters: never {@code rate()} them.
 *
 * <p><b>Timestamps.</b> Each rewrite of a window's totals is stamped at
 * {@code windowStart + revision} milliseconds ({@link FailureTrend#getRevision()}: how often the topology has updated
 * that window and cohort; at least 1 ms, at most the window length - 1 ms, see {@link SeriesEncoder#revisionStamp}),
 * so VictoriaMetrics, run with {@code -dedup.minScrapeInterval=1m}, keeps the newest totals. Up to 59,999 updates
 * a window has one sample, in the first minute after its start. A window's numbers are therefore
 * {@code last_over_time(series[1h])} evaluated at the window's END (the range {@code (start, end]} holds all its
 * samples and none of the next window's): {@code /api/v1/query_range} with {@code step} equal to the window length
 * (one hour) and {@code start}/{@code end} on window boundaries returns each window at its end time (the point at
 * 15:00 is the window 14:00-15:00). Evaluated anywhere from one minute after the start to the end it gives the
 * same answer for windows of fewer than 60,000 updates. A bare series is carried forward by the query's
 * look-back, so a cohort without a window would show the previous window's numbers: always wrap it.
 * The failure rate of a cohort is {@code patchpulse_trend_devices_failed / patchpulse_trend_devices_attempted}.
 * All labels are bounded (KB ids and the bucket names of the cohort); no device id is ever a label.
 */
public final class TrendSeries implements SeriesEncoder<FailureTrend> {

    /** Measurement of the per-cohort totals. */
    public static final String MEASUREMENT = "patchpulse_trend";
    /** Measurement of the per-error-code counts. */
    public static final String ERROR_MEASUREMENT = "patchpulse_trend_error";
    /** Label value for error codes that are not canonical HRESULTs. */
    public static final String OTHER_ERROR = "other";

    public static final String KB = "kb";
    public static final String SIZE_BUCKET = "size_bucket";
    public static final String FREE_BUCKET = "free_bucket";
    public static final String BITLOCKER = "bitlocker";
    public static final String ERROR_CODE = "error_code";

    private static final Pattern CANONICAL_HRESULT = Pattern.compile("0x[0-9A-F]{8}");

    @Override
    public String key(FailureTrend trend) {
        return trend.getWindowStart().toEpochMilli() + "|" + trend.getKb() + "|" + trend.getSizeBucket() + "|"
                + trend.getFreeBucket() + "|" + trend.getBitlocker();
    }

    @Override
    public Instant timestamp(FailureTrend trend) {
        return trend.getWindowStart();
    }

    @Override
    public void encode(FailureTrend trend, LineProtocol out) {
        Instant at = SeriesEncoder.revisionStamp(trend.getWindowStart(),
                Duration.between(trend.getWindowStart(), trend.getWindowEnd()), trend.getRevision());
        cohort(out.measurement(MEASUREMENT).tag(KB, trend.getKb()), trend)
                .field("attempts", trend.getAttempts())
                .field("failures", trend.getFailures())
                .field("devices_attempted", trend.getDevicesAttempted())
                .field("devices_failed", trend.getDevicesFailed())
                .field("devices_succeeded", trend.getDevicesSucceeded())
                .at(at);
        // Sorted, with raw codes folded into "other": a stable, bounded set of series per cohort.
        Map<String, Long> byCode = new TreeMap<>();
        trend.getDevicesFailedByError().forEach((code, devices) -> byCode.merge(
                CANONICAL_HRESULT.matcher(code).matches() ? code : OTHER_ERROR, devices == null ? 0L : devices,
                Long::sum));
        byCode.forEach((code, devices) -> cohort(out.measurement(ERROR_MEASUREMENT).tag(KB, trend.getKb())
                        .tag(ERROR_CODE, code), trend)
                .field("devices_failed", devices)
                .at(at));
    }

    private static LineProtocol cohort(LineProtocol line, FailureTrend trend) {
        return line.tag(SIZE_BUCKET, trend.getSizeBucket())
                .tag(FREE_BUCKET, trend.getFreeBucket())
                .tag(BITLOCKER, trend.getBitlocker());
    }
}
