package io.patchpulse.sink.alertmanager;

import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.SpikeAlert;
import java.time.Duration;
import java.time.Instant;

/** Test data: {@code alerts} values for one spike episode, built field by field. */
final class AlertFixtures {

    static final String RUNBOOK = "https://runbooks.example/patchpulse/kb5034441-winre";

    private AlertFixtures() {
    }

    /** A firing spike of {@code bitlocker} small-partition devices in the hour from {@code window}. */
    static SpikeAlert firing(String alertId, Instant window, String bitlocker) {
        return SpikeAlert.newBuilder()
                .setAlertId(alertId)
                .setState(AlertState.FIRING)
                .setKb("KB5034441")
                .setErrorCode("0x80070643")
                .setSizeBucket("<500MB")
                .setFreeBucket("<250MB")
                .setBitlocker(bitlocker)
                .setWindowStart(window)
                .setWindowEnd(window.plus(Duration.ofHours(1)))
                .setStartsAt(window.plus(Duration.ofMinutes(12)))
                .setEndsAt(null)
                .setCurrentDevicesFailed(40)
                .setCurrentDevicesAttempted(50)
                .setCurrentFailureRate(0.8)
                .setBaselineDevicesFailed(2.5)
                .setBaselineFailureRate(0.05)
                .setBaselineWindows(6)
                .setSummary("KB5034441 fails with 0x80070643 on 40 of 50 devices with small recovery partitions")
                .setRunbookUrl(RUNBOOK)
                .setDetectedAt(window.plus(Duration.ofMinutes(13)))
                .build();
    }

    /** The same episode, resolved at {@code endsAt}. */
    static SpikeAlert resolved(SpikeAlert firing, Instant endsAt) {
        return SpikeAlert.newBuilder(firing)
                .setState(AlertState.RESOLVED)
                .setEndsAt(endsAt)
                .setCurrentDevicesFailed(1)
                .setCurrentDevicesAttempted(30)
                .setCurrentFailureRate(1.0 / 30)
                .setErrorCode("0x800F0828")
                .build();
    }
}
