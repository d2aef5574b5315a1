package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.values.WinreVersion;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;

/**
 * Release totals as sums of what each device status contributes. A status change becomes a delta (after minus
 * before); the aggregator adds deltas, so each device counts once however often its status changes.
 */
final class ProgressMath {

    private ProgressMath() {
    }

    /** The change {@code before -> after} (before may be null: a new status) makes to its release's totals. */
    static ReleaseProgress delta(DeviceStatus before, DeviceStatus after, long at) {
        ReleaseProgress.Builder delta = ReleaseProgress.newBuilder()
                .setKb(after.getKb())
                .setDay(LocalDate.ofInstant(Instant.ofEpochMilli(at), ZoneOffset.UTC))
                .setUpdatedAt(Instant.ofEpochMilli(at));
        Map<String, Long> causes = new TreeMap<>();
        add(delta, causes, after, 1);
        if (before != null) {
            add(delta, causes, before, -1);
        }
        causes.values().removeIf(count -> count == 0);
        return delta.setFixedByCause(causes).build();
    }

    private static void add(ReleaseProgress.Builder totals, Map<String, Long> causes, DeviceStatus status, int sign) {
        DeviceUpdateState state = status.getState();
        totals.setDevicesTracked(totals.getDevicesTracked() + sign)
                .setDevicesAttempted(totals.getDevicesAttempted() + (status.getAttempts() > 0 ? sign : 0))
                .setDevicesFailing(totals.getDevicesFailing() + (state == DeviceUpdateState.FAILING ? sign : 0))
                .setDevicesFixed(totals.getDevicesFixed() + (DeviceTracker.isFixed(state) ? sign : 0))
                .setDevicesFalseFailure(totals.getDevicesFalseFailure()
                        + (state == DeviceUpdateState.FALSE_FAILURE ? sign : 0))
                .setDevicesAtFixedWinre(totals.getDevicesAtFixedWinre()
                        + (Boolean.TRUE.equals(status.getWinreAtFixedVersion()) ? sign : 0))
                .setExposedDevices(totals.getExposedDevices() + (status.getExposed() ? sign : 0));
        if (status.getFixCause() != null) {
            causes.merge(status.getFixCause().name(), (long) sign, Long::sum);
        }
    }

    /**
     * {@code totals} plus {@code delta}, as of the later of their days (late changes update the newest day, so a
     * day's row is where the release stood when that day's events had been processed).
     */
    static ReleaseProgress add(ReleaseProgress totals, ReleaseProgress delta, Release release) {
        if (totals == null) {
            totals = ReleaseProgress.newBuilder().setKb(delta.getKb()).setDay(delta.getDay())
                    .setUpdatedAt(delta.getUpdatedAt()).build();
        }
        Map<String, Long> causes = new TreeMap<>(totals.getFixedByCause());
        delta.getFixedByCause().forEach((cause, count) -> causes.merge(cause, count, Long::sum));
        causes.values().removeIf(count -> count == 0);
        long tracked = totals.getDevicesTracked() + delta.getDevicesTracked();
        long atFixed = totals.getDevicesAtFixedWinre() + delta.getDevicesAtFixedWinre();
        boolean fixedKnown = release != null && WinreVersion.parse(release.getFixedWinreVersion()).isPresent();
        LocalDate day = delta.getDay().isAfter(totals.getDay()) ? delta.getDay() : totals.getDay();
        Instant updated = delta.getUpdatedAt().isAfter(totals.getUpdatedAt()) ? delta.getUpdatedAt()
                : totals.getUpdatedAt();
        return ReleaseProgress.newBuilder()
                .setKb(totals.getKb())
                .setDay(day)
                .setDevicesTracked(tracked)
                .setDevicesAttempted(totals.getDevicesAttempted() + delta.getDevicesAttempted())
                .setDevicesFailing(totals.getDevicesFailing() + delta.getDevicesFailing())
                .setDevicesFixed(totals.getDevicesFixed() + delta.getDevicesFixed())
                .setDevicesFalseFailure(totals.getDevicesFalseFailure() + delta.getDevicesFalseFailure())
                .setFixedByCause(causes)
                .setDevicesAtFixedWinre(atFixed)
                .setShareAtFixedWinre(fixedKnown && tracked > 0 ? (double) atFixed / tracked : null)
                .setExposedDevices(totals.getExposedDevices() + delta.getExposedDevices())
                .setUpdatedAt(updated)
                .build();
    }
}
