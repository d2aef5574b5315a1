package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.RemediationCause;

/**
 * The truth about one device and one catalog release at the end of a preset (definitions on {@link PresetTruth}).
 *
 * @param deviceId     the device
 * @param kb           the release's KB
 * @param state        NEVER_ATTEMPTED, FAILING, FIXED or FALSE_FAILURE
 * @param cause        what fixed a device that had failed; null when it never failed or is not fixed
 * @param exposed      BitLocker protection on and state neither FIXED nor FALSE_FAILURE
 * @param atFixedWinre latest WinRE version at or above the release's fixed version; null when either is unknown
 * @param attempts     install results (FAILED or SUCCEEDED events) on the KB
 * @param failures     FAILED events on the KB
 */
public record DeviceTruth(String deviceId, String kb, DeviceUpdateState state, RemediationCause cause,
                          boolean exposed, Boolean atFixedWinre, int attempts, int failures) {
}
