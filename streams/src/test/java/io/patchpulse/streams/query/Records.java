package io.patchpulse.streams.query;

import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.SpikeAlert;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/** Small builders of the records the query API reads, with only what a test varies as parameters. */
final class Records {

    static final Instant T0 = Instant.parse("2024-01-09T18:00:00Z");

    private Records() {
    }

    static DeviceStatus status(String deviceId, String kb, boolean exposed) {
        return DeviceStatus.newBuilder()
                .setDeviceId(deviceId)
                .setKb(kb)
                .setState(exposed ? DeviceUpdateState.FAILING : DeviceUpdateState.FIXED)
                .setAttempts(2)
                .setFailures(exposed ? 2 : 1)
                .setFirstFailureAt(T0)
                .setLastAttemptAt(T0.plusSeconds(3600))
                .setLastErrorCode("0x80070643")
                .setBitlocker("on-tpm")
                .setBitlockerOn(true)
                .setExposed(exposed)
                .setUpdatedAt(T0.plusSeconds(3600))
                .build();
    }

    static ReleaseProgress progress(String kb, LocalDate day, long failing) {
        return ReleaseProgress.newBuilder()
                .setKb(kb)
                .setDay(day)
                .setDevicesTracked(100)
                .setDevicesAttempted(50)
                .setDevicesFailing(failing)
                .setFixedByCause(Map.of("RETRY", 3L, "PARTITION_RESIZED", 2L))
                .setUpdatedAt(day.atStartOfDay().toInstant(java.time.ZoneOffset.UTC).plusSeconds(3600))
                .build();
    }

    static SpikeAlert alert(String alertId, String kb, AlertState state, Instant startsAt) {
        return SpikeAlert.newBuilder()
                .setAlertId(alertId)
                .setState(state)
                .setKb(kb)
                .setErrorCode("0x80070643")
                .setSizeBucket("500-650MB")
                .setFreeBucket("lt250MB")
                .setBitlocker("on-tpm")
                .setWindowStart(startsAt)
                .setWindowEnd(startsAt.plusSeconds(3600))
                .setStartsAt(startsAt)
                .setEndsAt(state == AlertState.RESOLVED ? startsAt.plusSeconds(7200) : null)
                .setCurrentDevicesFailed(40)
                .setCurrentDevicesAttempted(60)
                .setCurrentFailureRate(40 / 60.0)
                .setBaselineDevicesFailed(2.5)
                .setBaselineFailureRate(0.05)
                .setBaselineWindows(24)
                .setSummary("KB failures spiked")
                .setRunbookUrl("https://support.microsoft.com/kb/5028997")
                .setDetectedAt(startsAt.plusSeconds(5))
                .build();
    }
}
