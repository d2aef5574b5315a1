package io.patchpulse.sink.victoriametrics;

import io.patchpulse.schemas.avro.ReleaseProgress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.TreeMap;

/**
 * {@code release-progress} values as samples at the start of their UTC day (00:00Z; the numbers are the state at
 * the end of that day as far as known). One value writes these series (measurement
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
 * Query {@code last_over_time(...[1d])} with {@code step=1d} from a UTC midnight to get one point per day.
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
        Instant day = timestamp(progress);
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
                .at(day);
        new TreeMap<>(progress.getFixedByCause()).forEach((cause, devices) -> out
                .measurement(FIXED_BY_CAUSE_MEASUREMENT)
                .tag(KB, progress.getKb())
                .tag(CAUSE, cause)
                .field("devices", devices == null ? 0L : devices)
                .at(day));
    }
}
