package io.patchpulse.schemas.values;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.ProtectorClass;

/**
 * BitLocker cohort of the OS volume, decided in the order ARCHITECTURE.md gives: converting, on with a pre-boot
 * protector, on (TPM only), suspended (protection off on a fully encrypted volume), off (fully decrypted), unknown.
 */
public enum BitLockerCohort {
    CONVERTING("converting"),
    ON_PREBOOT("on-preboot"),
    ON_TPM("on-tpm"),
    SUSPENDED("suspended"),
    OFF("off"),
    UNKNOWN("unknown");

    private final String label;

    BitLockerCohort(String label) {
        this.label = label;
    }

    /** The cohort of a BitLocker state; {@code null} (not reported) is unknown. */
    public static BitLockerCohort of(BitLockerInfo info) {
        if (info == null) {
            return UNKNOWN;
        }
        BitLockerVolumeStatus volume = info.getVolumeStatus();
        if (volume == BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS || volume == BitLockerVolumeStatus.DECRYPTION_IN_PROGRESS
                || volume == BitLockerVolumeStatus.ENCRYPTION_PAUSED || volume == BitLockerVolumeStatus.DECRYPTION_PAUSED) {
            return CONVERTING;
        }
        if (info.getProtection() == BitLockerProtection.ON) {
            // A password on the OS volume is also asked before boot, like TPM+PIN or TPM+startup key.
            ProtectorClass protector = info.getProtectorClass();
            return protector == ProtectorClass.TPM_PREBOOT || protector == ProtectorClass.PASSWORD ? ON_PREBOOT : ON_TPM;
        }
        if (info.getProtection() == BitLockerProtection.OFF && volume == BitLockerVolumeStatus.FULLY_ENCRYPTED) {
            return SUSPENDED;
        }
        if (volume == BitLockerVolumeStatus.FULLY_DECRYPTED) {
            return OFF;
        }
        return UNKNOWN;
    }

    /** The label written to topics, metrics and the store. */
    public String label() {
        return label;
    }
}
