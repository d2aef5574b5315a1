package io.patchpulse.collector.publish;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.avro.WinreStatus;
import java.time.Instant;
import java.util.TreeMap;

/** Hand-built records for publisher tests: a 572 MiB partition with 88 MiB free, failing with 0x80070643. */
final class TestRecords {

    private TestRecords() {
    }

    static DeviceInventory inventory() {
        TreeMap<String, String> tags = new TreeMap<>();
        tags.put("ring", "broad");
        tags.put("site", "ams");
        return DeviceInventory.newBuilder()
                .setDeviceId("dev-00000000000000a1")
                .setObservedAt(Instant.parse("2024-01-10T08:15:00Z"))
                .setOs(OsInfo.newBuilder().setProduct("Windows 10 Enterprise").setVersion("22H2").setBuild(19045)
                        .setUbr(3803).build())
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(572L * 1_048_576L)
                        .setFreeBytes(88L * 1_048_576L).setLayout(RecoveryLayout.AFTER_OS)
                        .setPartitionStyle(PartitionStyle.GPT).build())
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.ENABLED).setVersion("10.0.19041.3636")
                        .setLocation("\\\\?\\GLOBALROOT\\device\\harddisk0\\partition4\\Recovery\\WindowsRE").build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED).setEncryptionMethod("XtsAes128")
                        .setProtectorClass(ProtectorClass.TPM_ONLY).build())
                .setScriptPatched(false)
                .setTags(tags)
                .build();
    }

    static InstallEvent failedEvent() {
        return InstallEvent.newBuilder()
                .setEventId("8d3b8f0e-0000-8000-8000-000000000001")
                .setDeviceId("dev-00000000000000a1")
                .setOccurredAt(Instant.parse("2024-01-10T08:15:00Z"))
                .setReceivedAt(Instant.parse("2024-01-10T08:15:42Z"))
                .setSource(EventSource.SIMULATOR)
                .setKb("KB5034441")
                .setUpdateTitle("2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)")
                .setOutcome(Outcome.FAILED)
                .setErrorCode("0x80070643")
                .setRawErrorCode("-2147023293")
                .setRebootPending(false)
                .setInventory(inventory())
                .build();
    }
}
