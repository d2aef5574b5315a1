package io.patchpulse.schemas.values;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.RecoveryPartition;

/**
 * The group a failure is counted in: KB x recovery-partition size bucket x free-space bucket x BitLocker cohort.
 * Values are the labels ({@code "500-750MB"}, {@code "on-tpm"}), ready for topics, the store and metric tags.
 */
public record Cohort(String kb, String sizeBucket, String freeBucket, String bitlocker) {

    /** The cohort of an update attempt on {@code kb} by a device in state {@code inventory} (either may be null). */
    public static Cohort of(String kb, DeviceInventory inventory) {
        RecoveryPartition recovery = inventory == null ? null : inventory.getRecovery();
        return new Cohort(
                kb == null ? KbId.UNKNOWN : kb,
                SizeBucket.ofBytes(recovery == null ? null : recovery.getPartitionSizeBytes()).label(),
                FreeBucket.ofBytes(recovery == null ? null : recovery.getFreeBytes()).label(),
                BitLockerCohort.of(inventory == null ? null : inventory.getBitlocker()).label());
    }
}
