package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.RemediationCause;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The truth about one catalog release at the end of a preset: sums over its {@link DeviceTruth}s.
 *
 * @param kb                    the release's KB
 * @param fixedWinreVersion     its fixed WinRE version as the catalog says, null when unknown
 * @param devicesTracked        devices on its OS builds, or with an install result on its KB
 * @param devicesAttempted      devices with at least one install result on its KB
 * @param devicesNeverAttempted tracked devices in state NEVER_ATTEMPTED
 * @param devicesFailing        devices in state FAILING
 * @param devicesFixed          devices in state FIXED or FALSE_FAILURE
 * @param devicesFalseFailure   devices in state FALSE_FAILURE
 * @param fixedByCause          fixed devices that had failed, per cause (every cause but UNKNOWN, zero when none;
 *                              devices fixed without a failure have no cause and are not counted here)
 * @param devicesAtFixedWinre   devices whose latest WinRE version is at or above the fixed version (0 when unknown)
 * @param exposedDevices        devices with BitLocker protection on that are neither FIXED nor FALSE_FAILURE
 */
public record ReleaseTruth(String kb, String fixedWinreVersion, long devicesTracked, long devicesAttempted,
                           long devicesNeverAttempted, long devicesFailing, long devicesFixed,
                           long devicesFalseFailure, Map<RemediationCause, Long> fixedByCause,
                           long devicesAtFixedWinre, long exposedDevices) {

    /** Copies the map into an unmodifiable one in enum order, every cause but UNKNOWN present. */
    public ReleaseTruth {
        EnumMap<RemediationCause, Long> copy = new EnumMap<>(RemediationCause.class);
        for (RemediationCause cause : RemediationCause.values()) {
            if (cause != RemediationCause.UNKNOWN) {
                copy.put(cause, fixedByCause == null ? 0L : fixedByCause.getOrDefault(cause, 0L));
            }
        }
        fixedByCause = Collections.unmodifiableMap(copy);
    }
}
