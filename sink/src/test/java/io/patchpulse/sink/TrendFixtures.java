package io.patchpulse.sink;

import io.patchpulse.schemas.avro.FailureTrend;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Test data: {@code failure-trends} values built field by field, hourly windows. */
public final class TrendFixtures {

    /** 2024-01-09 14:00 UTC, the week KB5034441 (0x80070643 on small recovery partitions) shipped. */
    public static final Instant WINDOW = Instant.parse("2024-01-09T14:00:00Z");

    private TrendFixtures() {
    }

    /** A one-hour window at {@code windowStart} for the cohort, with the given totals and failures per error code. */
    public static FailureTrend trend(Instant windowStart, String kb, String sizeBucket, String freeBucket,
            String bitlocker, long attempts, long failures, long devicesAttempted, long devicesFailed,
            long devicesSucceeded, Map<String, Long> devicesFailedByError) {
        return FailureTrend.newBuilder()
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plus(Duration.ofHours(1)))
                .setKb(kb)
                .setSizeBucket(sizeBucket)
                .setFreeBucket(freeBucket)
                .setBitlocker(bitlocker)
                .setAttempts(attempts)
                .setFailures(failures)
                .setDevicesAttempted(devicesAttempted)
                .setDevicesFailed(devicesFailed)
                .setDevicesSucceeded(devicesSucceeded)
                .setDevicesFailedByError(devicesFailedByError)
                .build();
    }

    /** KB5034441 on a small recovery partition with BitLocker on (TPM): the classic 0x80070643 cohort. */
    public static FailureTrend smallPartitionTrend(Instant windowStart, long attempts, long failures,
            long devicesAttempted, long devicesFailed, long devicesSucceeded, Map<String, Long> byError) {
        return trend(windowStart, "KB5034441", "<500MB", "<250MB", "on-tpm", attempts, failures, devicesAttempted,
                devicesFailed, devicesSucceeded, byError);
    }

    /** One day of one release's progress, as the topology emits it. */
    public static io.patchpulse.schemas.avro.ReleaseProgress progress(String kb, java.time.LocalDate day, long tracked,
            long attempted, long failing, long fixed, long falseFailure, Map<String, Long> fixedByCause,
            long atFixedWinre, Double shareAtFixedWinre, long exposed, Instant updatedAt) {
        return io.patchpulse.schemas.avro.ReleaseProgress.newBuilder()
                .setKb(kb)
                .setDay(day)
                .setDevicesTracked(tracked)
                .setDevicesAttempted(attempted)
                .setDevicesFailing(failing)
                .setDevicesFixed(fixed)
                .setDevicesFalseFailure(falseFailure)
                .setFixedByCause(fixedByCause)
                .setDevicesAtFixedWinre(atFixedWinre)
                .setShareAtFixedWinre(shareAtFixedWinre)
                .setExposedDevices(exposed)
                .setUpdatedAt(updatedAt)
                .build();
    }

    /** A device that has a status for {@code kb} but never tried it: WinRE below the fix, large partition, no BitLocker. */
    public static io.patchpulse.schemas.avro.DeviceStatus neverAttempted(String deviceId, String kb, Instant updatedAt) {
        return io.patchpulse.schemas.avro.DeviceStatus.newBuilder()
                .setDeviceId(deviceId)
                .setKb(kb)
                .setState(io.patchpulse.schemas.avro.DeviceUpdateState.NEVER_ATTEMPTED)
                .setWinreVersion("10.0.19041.3636")
                .setWinreAtFixedVersion(false)
                .setSizeBucket(">=1GB")
                .setFreeBucket(">=250MB")
                .setBitlocker("off")
                .setUpdatedAt(updatedAt)
                .build();
    }
}
