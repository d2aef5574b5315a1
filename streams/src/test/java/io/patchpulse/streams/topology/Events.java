package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryPartition;
import java.time.Instant;

/** Test data builders: the seed article's devices (572 MB partition, little free space) and their neighbours. */
final class Events {

    static final long MIB = 1_048_576L;
    static final Instant PATCH_TUESDAY = Instant.parse("2024-01-09T18:00:00Z");

    private static int sequence;

    private Events() {
    }

    static DeviceInventory inventory(String device, long sizeMib, long freeMib, boolean bitlockerOn) {
        return DeviceInventory.newBuilder()
                .setDeviceId(device)
                .setObservedAt(PATCH_TUESDAY)
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(sizeMib * MIB)
                        .setFreeBytes(freeMib * MIB).build())
                .setBitlocker(BitLockerInfo.newBuilder()
                        .setProtection(bitlockerOn ? BitLockerProtection.ON : BitLockerProtection.OFF)
                        .setVolumeStatus(bitlockerOn ? BitLockerVolumeStatus.FULLY_ENCRYPTED
                                : BitLockerVolumeStatus.FULLY_DECRYPTED)
                        .setProtectorClass(bitlockerOn ? ProtectorClass.TPM_ONLY : ProtectorClass.NONE)
                        .build())
                .build();
    }

    static InstallEvent.Builder event(String device, Instant at, Outcome outcome) {
        return InstallEvent.newBuilder()
                .setEventId("evt-" + (++sequence))
                .setDeviceId(device)
                .setOccurredAt(at)
                .setReceivedAt(at.plusSeconds(5))
                .setSource(EventSource.SIMULATOR)
                .setKb("KB5034441")
                .setUpdateTitle("2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)")
                .setOutcome(outcome);
    }

    static InstallEvent failed(String device, Instant at, DeviceInventory inventory) {
        return event(device, at, Outcome.FAILED).setErrorCode("0x80070643").setRawErrorCode("-2147023293")
                .setInventory(inventory).build();
    }

    static InstallEvent succeeded(String device, Instant at, DeviceInventory inventory) {
        return event(device, at, Outcome.SUCCEEDED).setInventory(inventory).build();
    }
}
