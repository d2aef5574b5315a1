package io.patchpulse.sink.questdb;

import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.DeviceEvidence;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.SpikeAlert;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * Test data for the non-trend outputs, built field by field around the KB5034441 release week (January 2024): the
 * values are made up but shaped like what the topology emits (see the .avsc docs).
 */
final class OutputFixtures {

    static final String KB = "KB5034441";
    static final String OTHER_KB = "KB5034439";
    static final LocalDate DAY = LocalDate.of(2024, 1, 10);
    static final Instant T0 = Instant.parse("2024-01-10T09:15:30.123Z");

    private OutputFixtures() {
    }

    static ReleaseProgress progress(String kb, LocalDate day, long tracked, long attempted, long failing, long fixed,
            long falseFailure, Map<String, Long> fixedByCause, long atFixedWinre, Double share, long exposed,
            Instant updatedAt) {
        return io.patchpulse.sink.TrendFixtures.progress(kb, day, tracked, attempted, failing, fixed, falseFailure,
                fixedByCause, atFixedWinre, share, exposed, updatedAt);
    }

    static Remediation remediation(String deviceId, String kb, RemediationCause cause, Instant failingSince,
            Instant fixedAt, String fixedByEventId, Long freeBefore, Long freeAfter) {
        return Remediation.newBuilder()
                .setDeviceId(deviceId)
                .setKb(kb)
                .setCause(cause)
                .setEvidence("fixture: " + cause)
                .setFailingSince(failingSince)
                .setFixedAt(fixedAt)
                .setTimeToFixMillis(Duration.between(failingSince, fixedAt).toMillis())
                .setFixedByEventId(fixedByEventId)
                .setWinreVersionBefore("10.0.19041.3636")
                .setWinreVersionAfter(fixedByEventId == null ? null : "10.0.19041.3920")
                .setFreeBytesBefore(freeBefore)
                .setFreeBytesAfter(freeAfter)
                .setSizeBucket("<500MB")
                .setFreeBucket("<250MB")
                .setBitlocker("on-tpm")
                .build();
    }

    /** A FIRING alert for the small-partition cohort whose window starts at {@code windowStart}. */
    static SpikeAlert firing(String alertId, String freeBucket, Instant windowStart, long failed, long attempted,
            double baselineFailed, double baselineRate) {
        return SpikeAlert.newBuilder()
                .setAlertId(alertId)
                .setState(AlertState.FIRING)
                .setKb(KB)
                .setErrorCode("0x80070643")
                .setSizeBucket("<500MB")
                .setFreeBucket(freeBucket)
                .setBitlocker("on-tpm")
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plus(Duration.ofHours(1)))
                .setStartsAt(windowStart.plus(Duration.ofMinutes(42)))
                .setEndsAt(null)
                .setCurrentDevicesFailed(failed)
                .setCurrentDevicesAttempted(attempted)
                .setCurrentFailureRate((double) failed / attempted)
                .setBaselineDevicesFailed(baselineFailed)
                .setBaselineFailureRate(baselineRate)
                .setBaselineWindows(24)
                .setSummary(failed + " of " + attempted + " devices failed with 0x80070643")
                .setRunbookUrl("https://example.invalid/runbooks/winre-space")
                .setDetectedAt(windowStart.plus(Duration.ofMinutes(43)))
                .build();
    }

    /** {@code alert} resolved by the window after it (as the spike detector does: startsAt kept, endsAt set). */
    static SpikeAlert resolved(SpikeAlert alert, long failed, long attempted) {
        Instant next = alert.getWindowEnd();
        return SpikeAlert.newBuilder(alert)
                .setState(AlertState.RESOLVED)
                .setWindowStart(next)
                .setWindowEnd(next.plus(Duration.ofHours(1)))
                .setEndsAt(next)
                .setCurrentDevicesFailed(failed)
                .setCurrentDevicesAttempted(attempted)
                .setCurrentFailureRate((double) failed / attempted)
                .setSummary("resolved: " + failed + " of " + attempted)
                .setDetectedAt(next.plus(Duration.ofHours(1)).plusSeconds(5))
                .build();
    }

    static DeviceStatus neverAttempted(String deviceId, String kb, Instant updatedAt) {
        return DeviceStatus.newBuilder(io.patchpulse.sink.TrendFixtures.neverAttempted(deviceId, kb, updatedAt))
                .setEvidence(DeviceEvidence.newBuilder()
                        .setFreeBytes(600L * 1_048_576)
                        .setPartitionBytes(1_100L * 1_048_576)
                        .setFactsObservedAt(updatedAt)
                        .build())
                .build();
    }

    static DeviceStatus failing(String deviceId, String kb, int failures, Instant firstFailure, Instant last) {
        return DeviceStatus.newBuilder()
                .setDeviceId(deviceId)
                .setKb(kb)
                .setState(DeviceUpdateState.FAILING)
                .setAttempts(failures)
                .setFailures(failures)
                .setFirstFailureAt(firstFailure)
                .setLastAttemptAt(last)
                .setLastErrorCode("0x80070643")
                .setInsufficientSpaceConfirmed(true)
                .setWinreVersion("10.0.19041.3636")
                .setWinreAtFixedVersion(null)
                .setSizeBucket("<500MB")
                .setFreeBucket("<250MB")
                .setBitlocker("on-tpm")
                .setBitlockerOn(true)
                .setExposed(true)
                .setEvidence(DeviceEvidence.newBuilder()
                        .setFreeBytesAtFirstFailure(80L * 1_048_576)
                        .setPartitionBytesAtFirstFailure(499L * 1_048_576)
                        .setWinreVersionAtFirstFailure("10.0.19041.3636")
                        .setScriptPatchedAtFirstFailure(false)
                        .setFreeBytes(80L * 1_048_576)
                        .setPartitionBytes(499L * 1_048_576)
                        .setOtherFailures(failures)
                        .setLastFailureAt(last)
                        .setSpaceFailureAt(firstFailure)
                        .setFactsObservedAt(last)
                        .build())
                .setUpdatedAt(last)
                .build();
    }

    /** {@code status} fixed by the KB5034957 script, then a success at {@code fixedAt}. */
    static DeviceStatus fixedByScript(DeviceStatus status, Instant fixedAt, String eventId) {
        DeviceEvidence evidence = DeviceEvidence.newBuilder(status.getEvidence())
                .setScriptPatched(true)
                .setFixedByEventId(eventId)
                .setFactsObservedAt(fixedAt)
                .build();
        return DeviceStatus.newBuilder(status)
                .setState(DeviceUpdateState.FIXED)
                .setAttempts(status.getAttempts() + 1)
                .setLastAttemptAt(fixedAt)
                .setFixedAt(fixedAt)
                .setFixCause(RemediationCause.SCRIPT_APPLIED)
                .setWinreVersion("10.0.19041.3920")
                .setWinreAtFixedVersion(true)
                .setExposed(false)
                .setEvidence(evidence)
                .setUpdatedAt(fixedAt)
                .build();
    }
}
