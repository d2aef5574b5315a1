package io.patchpulse.schemas.serde;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.avro.WinreStatus;
import java.util.Map;

/** A fully populated event: the seed article's 572 MB partition with 80 MB free, BitLocker on. */
final class Samples {

    private Samples() {
    }

    static InstallEvent failedEvent() {
        DeviceInventory inventory = DeviceInventory.newBuilder()
                .setDeviceId("dev-1")
                .setObservedAt(java.time.Instant.ofEpochMilli(1_704_819_600_000L))
                .setOs(OsInfo.newBuilder().setProduct("Windows 10 Pro").setVersion("22H2").setBuild(19045).setUbr(3803).build())
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(572L * 1_048_576L)
                        .setFreeBytes(80L * 1_048_576L).setLayout(RecoveryLayout.LAST_ON_DISK).build())
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.ENABLED).setVersion("10.0.19041.3636")
                        .setLocation("\\\\?\\GLOBALROOT\\device\\harddisk0\\partition4\\Recovery\\WindowsRE").build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED).setEncryptionMethod("XtsAes128")
                        .setProtectorClass(ProtectorClass.TPM_ONLY).build())
                .setScriptPatched(false)
                .setTags(Map.of("site", "berlin", "ring", "broad"))
                .build();
        return InstallEvent.newBuilder()
                .setEventId("e-1")
                .setDeviceId("dev-1")
                .setOccurredAt(java.time.Instant.ofEpochMilli(1_704_819_600_000L))
                .setReceivedAt(java.time.Instant.ofEpochMilli(1_704_819_605_000L))
                .setSource(EventSource.SIMULATOR)
                .setKb("KB5034441")
                .setUpdateGuid("5f2b6a4b-0c6a-4d0e-9a43-27f7d0b5d5a1")
                .setUpdateTitle("2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)")
                .setOutcome(Outcome.FAILED)
                .setErrorCode("0x80070643")
                .setRawErrorCode("-2147023293")
                .setRebootPending(false)
                .setInventory(inventory)
                .build();
    }
}
