package io.patchpulse.sink.victoriametrics;

import io.patchpulse.schemas.avro.ReleaseProgress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.TreeMap;

/**
 * {@code release-progress} values as samples inside their UTC day (the numbers are the state at the end of that
 * day as far as known), each rewrite stamped at {@code 00:00Z + revision} milliseconds
 * ({@link ReleaseProgress#getRevision()}: how often the topology has updated that {@code kb|day} row; at least
 * 1 ms, at most one day - 1 ms, see {@link SeriesEncoder#revisionStamp}), so VictoriaMetrics, run with
 * {@code -dedup.minScrapeInterval=1m}, keeps the newest state: one sample in the day's first minute up to 59,999
 * updates, beyond that one more per minute, the last the newest. One value writes these series (measurement
 * {@code patchpulse_release_progress}), all with the one label {@code kb}:
 * <ul>
 *   <li>{@code patchpulse_release_progress_devices_tracked}, {@code _devices_attempted}, {@code _devices_failing},
 *       {@code _devices_fixed}, {@code _devices_false_failure}, {@code _devices_at_fixed_winre},
 *       {@code _exposed_devices}: device counts, as in the Avro record;</li>
 *   <li>{@code patchpulse_release_progress_share_at_fixed_winre}: a ratio 0..1, absent on days the record has none
 *       (fixed WinRE version unknown, or nothing tracked);</li>
 * </ul>
 * and one sample per entry of {@code fixedByCause} (measurement {@code patchpulse_release_fixed_by_cause}):
 * <ul>
 *   <li>{@code patchpulse_release_fixed_by_cause_devices{kb, cause}}: devices that went from failing to fixed that
 *       way ({@code cause} is a RemediationCause name, a bounded set).</li>
 * </ul>
 * Query {@code last_over_time(...[1d])} evaluated at the day's END, the next UTC midnight (the range
 * {@code (00:00Z, 24:00Z]} holds all of the day's samples and none of the next day's): {@code step=1d} from one UTC
 * midnight to another gives one point per day, each day at the midnight that ends it. Like the trend series these
 * are states, not counters: never {@code rate()} them.
 */
public final class ReleaseProgressSeries implements SeriesEncoder<ReleaseProgress> {

    /** Measurement of the per-release counts. */
    public static final String MEASUREMENT = "patchpulse_release_progress";
    /** Measurement of the fixed devices per remediation cause. */
    public static final String FIXED_BY_CAUSE_MEASUREMENT = "patchpulse_release_fixed_by_cause";

    public static final String KB = "kb";
    public static final String CAUSE = "cause";

    @Override
    public String key(ReleaseProgress progress) {
        // As the topic's key: kb|YYYY-MM-DD.
        return progress.getKb() + "|" + progress.getDay();
    }

    @Override
    public Instant timestamp(ReleaseProgress progress) {
        return progress.getDay().atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    @Override
    public void encode(ReleaseProgress progress, LineProtocol out) {
        Instant at = SeriesEncoder.revisionStamp(timestamp(progress), Duration.ofDays(1), progress.getRevision());
        out.measurement(MEASUREMENT)
                .tag(KB, progress.getKb())
                .field("devices_tracked", progress.getDevicesTracked())
                .field("devices_attempted", progress.getDevicesAttempted())
                .field("devices_failing", progress.getDevicesFailing())
                .field("devices_fixed", progress.getDevicesFixed())
                .field("devices_false_failure", progress.getDevicesFalseFailure())
                .field("devices_at_fixed_winre", progress.getDevicesAtFixedWinre())
                .field("share_at_fixed_winre", progress.getShareAtFixedWinre())
                .field("exposed_devices", progress.getExposedDevices())
                .at(at);
        new TreeMap<>(progress.getFixedByCause()).forEach((cause, devices) -> out
                .measurement(FIXED_BY_CAUSE_MEASUREMENT)
                .tag(KB, progress.getKb())
                .tag(CAUSE, cause)
                .field("devices", devices == null ? 0L : devices)
                .at(at));
    }
}
