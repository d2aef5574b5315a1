package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.WinreStatus;

/**
 * The fixed part of a simulated device, drawn once from its seeded random stream.
 *
 * @param partitionReported false when the inventory cannot read the recovery partition (size and free unknown)
 * @param winreLocation     {@code reagentc /info} location, null when WinRE is disabled
 */
record DeviceProfile(int index, String deviceId, OsLine os, String product, int ubr, OsLine.TitleLanguage language,
                     boolean partitionReported, RecoveryLayout layout, PartitionStyle style, WinreStatus winreStatus,
                     String winreLocation, BitLockerState bitlocker, String site, String ring,
                     ErrorSpelling spelling) {

    /** The update title this device reports. */
    String title() {
        return os.title(language);
    }
}
