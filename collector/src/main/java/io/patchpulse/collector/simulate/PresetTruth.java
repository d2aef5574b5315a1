package io.patchpulse.collector.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.patchpulse.collector.simulate.spike.SpikeTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What really happened in a preset, decided by the simulator from its own plan (never recomputed from the records):
 * the expected end state of the streams app's device status, remediations, release progress and spike alerts.
 *
 * <p>Definitions (the streams code follows the same ones). For each catalog release R ({@link CatalogRelease}: KB,
 * OS builds, fixed WinRE version or null) and each device <em>tracked</em> for R (its inventory's OS build is one of
 * R's builds, or it has an install result, FAILED or SUCCEEDED, on R's KB):
 * <ul>
 *   <li><b>state</b>: FALSE_FAILURE if it had failures on R's KB, all of them with {@code rebootPending=true}, and a
 *       success on R's KB (SUCCEEDED, or WINRE_SERVICING_SUCCEEDED while failing) followed the first of them within
 *       the false-failure time ({@link #falseFailureWithin}, default 3 days, as {@code DeviceRules} in streams);
 *       else FIXED if it ever SUCCEEDED on R's KB, or its WinRE version is at or above R's fixed version (when
 *       known); else FAILING if it had a failure on R's KB; else NEVER_ATTEMPTED.</li>
 *   <li><b>cause</b>, only for devices that had a failure and then became FIXED or FALSE_FAILURE, the first that
 *       applies: FALSE_FAILURE; SCRIPT_APPLIED if {@code scriptPatched} became true after the first failure;
 *       PARTITION_RESIZED if recovery free space grew from under 250 MiB (at the first failure) to 250 MiB or more;
 *       NEWER_RELEASE if it was fixed by its WinRE version without a success on R's KB; else RETRY.</li>
 *   <li><b>exposed</b>: BitLocker protection ON in its latest inventory, and state neither FIXED nor
 *       FALSE_FAILURE.</li>
 *   <li><b>atFixedWinre</b>: its latest WinRE version is at or above R's fixed version; null when R's fixed version
 *       or the device's version is unknown.</li>
 * </ul>
 * Per release ({@link ReleaseTruth}): sums over the tracked devices.
 *
 * @param preset             preset name
 * @param seed               seed of the run
 * @param devices            simulated devices
 * @param days               length of the simulated period
 * @param start              start of the simulated period, ISO-8601 (some events may come before it)
 * @param falseFailureWithin false-failure time the truth was decided with, ISO-8601 duration (e.g. P3D)
 * @param deviceStatus       one entry per tracked (device, release), sorted by device id then KB
 * @param releases           one entry per catalog release, sorted by KB
 * @param spikes             spikes the preset planted: empty but for the {@code spike} preset, whose truth is its
 *                           spikes only (its device status and releases are empty: that scenario does not plan
 *                           device states)
 */
public record PresetTruth(String preset, long seed, int devices, int days, String start, String falseFailureWithin,
                          List<DeviceTruth> deviceStatus, List<ReleaseTruth> releases, List<SpikeTruth> spikes) {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .enable(SerializationFeature.INDENT_OUTPUT).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** Copies the lists. */
    public PresetTruth {
        deviceStatus = List.copyOf(deviceStatus);
        releases = List.copyOf(releases);
        spikes = List.copyOf(spikes);
    }

    /** The truth of {@code deviceId} for {@code kb}, if that device is tracked for that release. */
    public java.util.Optional<DeviceTruth> device(String deviceId, String kb) {
        return deviceStatus.stream().filter(d -> d.deviceId().equals(deviceId) && d.kb().equals(kb)).findFirst();
    }

    /** The truth of release {@code kb}. */
    public java.util.Optional<ReleaseTruth> release(String kb) {
        return releases.stream().filter(r -> r.kb().equals(kb)).findFirst();
    }

    /** Writes this truth to {@code file} as one JSON document (parent directories are created). */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), this);
    }

    /** Reads a truth written by {@link #write(Path)}. */
    public static PresetTruth read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), PresetTruth.class);
    }
}
