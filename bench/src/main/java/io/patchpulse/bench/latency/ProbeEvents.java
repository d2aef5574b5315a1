package io.patchpulse.bench.latency;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.values.Cohort;
import java.time.Instant;
import java.util.Locale;

/**
 * The install events the latency probes publish: install results (the only outcomes that reach the trend tables),
 * each carrying its device's inventory so its cohort is known without the device-inventory topic.
 */
final class ProbeEvents {

    /** The KB of the background load: the WinRE update of the project's story, a real release of the catalog. */
    static final String LOAD_KB = "KB5034441";
    /** The error of every failure the probes publish: WinRE's "not enough space" (DOMAIN.md). */
    static final String ERROR = "0x80070643";
    private static final long MIB = 1_048_576L;

    /** Four inventories (partition size, free space, BitLocker on): the load spreads over a few cohorts. */
    private static final long[][] SHAPES = {
            {529 * MIB, 80 * MIB, 1}, {529 * MIB, 300 * MIB, 0}, {1024 * MIB, 500 * MIB, 1}, {450 * MIB, 40 * MIB, 0}};

    private ProbeEvents() {
    }

    /** A canonical KB id, {@code KB} + 7 digits, for {@code number} in 1,000,000..9,999,999. */
    static String kb(long number) {
        if (number < 1_000_000L || number > 9_999_999L) {
            throw new IllegalArgumentException("a probe KB number has 7 digits, got " + number);
        }
        return "KB" + number;
    }

    /** The inventory of shape {@code shape} (0..3) for {@code deviceId}. */
    static DeviceInventory inventory(String deviceId, int shape, Instant observedAt) {
        long[] s = SHAPES[Math.floorMod(shape, SHAPES.length)];
        return DeviceInventory.newBuilder()
                .setDeviceId(deviceId)
                .setObservedAt(observedAt)
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(s[0]).setFreeBytes(s[1])
                        .setLayout(RecoveryLayout.AFTER_OS).setPartitionStyle(PartitionStyle.GPT).build())
                .setBitlocker(BitLockerInfo.newBuilder()
                        .setProtection(s[2] == 1 ? BitLockerProtection.ON : BitLockerProtection.OFF)
                        .setVolumeStatus(s[2] == 1 ? BitLockerVolumeStatus.FULLY_ENCRYPTED
                                : BitLockerVolumeStatus.FULLY_DECRYPTED)
                        .setProtectorClass(s[2] == 1 ? ProtectorClass.TPM_ONLY : ProtectorClass.NONE)
                        .build())
                .build();
    }

    /** The cohort an install result on {@code kb} by a device of inventory shape {@code shape} is counted in. */
    static Cohort cohort(String kb, int shape) {
        return Cohort.of(kb, inventory("cohort-of", shape, Instant.EPOCH));
    }

    /** One install result of {@code deviceId} on {@code kb} at {@code occurredAt}, received now. */
    static InstallEvent installResult(String eventId, String deviceId, String kb, boolean failed, int shape,
            Instant occurredAt, Instant receivedAt) {
        return InstallEvent.newBuilder()
                .setEventId(eventId)
                .setDeviceId(deviceId)
                .setOccurredAt(occurredAt)
                .setReceivedAt(receivedAt)
                .setSource(EventSource.SIMULATOR)
                .setKb(kb)
                .setUpdateTitle(String.format(Locale.ROOT, "%s bench probe", kb))
                .setOutcome(failed ? Outcome.FAILED : Outcome.SUCCEEDED)
                .setErrorCode(failed ? ERROR : null)
                .setRebootPending(false)
                .setInventory(inventory(deviceId, shape, occurredAt))
                .build();
    }
}
