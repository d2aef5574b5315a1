package io.patchpulse.schemas.values;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CohortTest {

    private static final long MIB = 1_048_576L;

    @ParameterizedTest
    @CsvSource({
        "0, <500MB", "524287999, <500MB", "524288000, 500-750MB", "599785472, 500-750MB",
        "786431999, 500-750MB", "786432000, 750MB-1GB", "1073741823, 750MB-1GB", "1073741824, >=1GB"
    })
    void shouldBucketPartitionSizesInMebibytes(long bytes, String label) {
        assertThat(SizeBucket.ofBytes(bytes).label()).isEqualTo(label);
    }

    @Test
    void shouldBucketFreeSpaceAroundTheTwoHundredFiftyMebibytesTheUpdateNeeds() {
        assertThat(FreeBucket.ofBytes(250 * MIB - 1).label()).isEqualTo("<250MB");
        assertThat(FreeBucket.ofBytes(250 * MIB).label()).isEqualTo(">=250MB");
        assertThat(FreeBucket.ofBytes(null).label()).isEqualTo("unknown");
        assertThat(SizeBucket.ofBytes(-1L).label()).isEqualTo("unknown");
    }

    @ParameterizedTest
    @CsvSource({
        "ON, FULLY_ENCRYPTED, TPM_ONLY, on-tpm",
        "ON, FULLY_ENCRYPTED, TPM_PREBOOT, on-preboot",
        "ON, FULLY_ENCRYPTED, PASSWORD, on-preboot",
        "ON, ENCRYPTION_IN_PROGRESS, TPM_ONLY, converting",
        "OFF, DECRYPTION_PAUSED, NONE, converting",
        "OFF, FULLY_ENCRYPTED, TPM_ONLY, suspended",
        "OFF, FULLY_DECRYPTED, NONE, off",
        "UNKNOWN, FULLY_DECRYPTED, NONE, off",
        "OFF, UNKNOWN, UNKNOWN, unknown",
        "UNKNOWN, UNKNOWN, UNKNOWN, unknown"
    })
    void shouldPlaceBitLockerStatesInCohortsInTheDocumentedOrder(BitLockerProtection protection,
            BitLockerVolumeStatus volume, ProtectorClass protector, String cohort) {
        BitLockerInfo info = BitLockerInfo.newBuilder().setProtection(protection).setVolumeStatus(volume)
                .setProtectorClass(protector).build();
        assertThat(BitLockerCohort.of(info).label()).isEqualTo(cohort);
    }

    @Test
    void shouldBuildTheCohortOfAnAttemptFromItsInventory() {
        DeviceInventory inventory = DeviceInventory.newBuilder().setDeviceId("d1").setObservedAt(java.time.Instant.ofEpochMilli(0L))
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(572 * MIB).setFreeBytes(80 * MIB).build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED).setProtectorClass(ProtectorClass.TPM_ONLY).build())
                .build();

        assertThat(Cohort.of("KB5034441", inventory)).isEqualTo(new Cohort("KB5034441", "500-750MB", "<250MB", "on-tpm"));
        assertThat(Cohort.of(null, null)).isEqualTo(new Cohort("unknown", "unknown", "unknown", "unknown"));
    }
}
