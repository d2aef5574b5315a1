package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.ProtectorClass;

/** BitLocker state of a device's OS volume, as Get-BitLockerVolume would report it. */
record BitLockerState(BitLockerProtection protection, BitLockerVolumeStatus volumeStatus, String encryptionMethod,
                      ProtectorClass protectorClass) {
}
