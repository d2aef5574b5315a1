package io.patchpulse.collector.simulate;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.values.WinreVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The truth's definitions applied to the records, written apart from the simulator (which decides its truth from
 * its plan): a test that the two agree checks the records carry the story the truth tells.
 */
final class TruthRecount {

    private static final long REQUIRED = 250L * 1_048_576L;

    private TruthRecount() {
    }

    /** What one device's records say. */
    static final class Device {
        final String deviceId;
        final List<DeviceInventory> inventories = new ArrayList<>();
        final List<InstallEvent> events = new ArrayList<>();

        Device(String deviceId) {
            this.deviceId = deviceId;
        }

        DeviceInventory latest() {
            // Stable sort: among equal observation times the last received wins.
            List<DeviceInventory> sorted = new ArrayList<>(inventories);
            sorted.sort(Comparator.comparing(DeviceInventory::getObservedAt));
            return sorted.get(sorted.size() - 1);
        }

        List<InstallEvent> on(String kb, Outcome outcome) {
            return events.stream().filter(e -> kb.equals(e.getKb()) && e.getOutcome() == outcome)
                    .sorted(Comparator.comparing(InstallEvent::getOccurredAt)).toList();
        }
    }

    /** Every device's records, by device id. */
    static Map<String, Device> devices(Iterable<CollectedRecord> records) {
        Map<String, Device> devices = new TreeMap<>();
        for (CollectedRecord record : records) {
            if (record instanceof CollectedRecord.Inventory inventory) {
                DeviceInventory value = inventory.inventory();
                devices.computeIfAbsent(value.getDeviceId(), Device::new).inventories.add(value);
            } else if (record instanceof CollectedRecord.Event event) {
                InstallEvent value = event.event();
                Device device = devices.computeIfAbsent(value.getDeviceId(), Device::new);
                device.events.add(value);
                if (value.getInventory() != null) {
                    device.inventories.add(value.getInventory());
                }
            }
        }
        return devices;
    }

    /** The per-device truth, recounted from the records. */
    static List<DeviceTruth> deviceStatus(Map<String, Device> devices, List<CatalogRelease> catalog,
                                          Duration within) {
        List<DeviceTruth> truths = new ArrayList<>();
        for (Device device : devices.values()) {
            for (CatalogRelease release : catalog) {
                recount(device, release, within).ifPresent(truths::add);
            }
        }
        truths.sort(Comparator.comparing(DeviceTruth::deviceId).thenComparing(DeviceTruth::kb));
        return truths;
    }

    private static Optional<DeviceTruth> recount(Device device, CatalogRelease release, Duration within) {
        String kb = release.kb();
        DeviceInventory latest = device.latest();
        List<InstallEvent> failures = device.on(kb, Outcome.FAILED);
        List<InstallEvent> successes = device.on(kb, Outcome.SUCCEEDED);
        List<InstallEvent> serviced = device.on(kb, Outcome.WINRE_SERVICING_SUCCEEDED);
        int results = failures.size() + successes.size();
        Integer build = latest.getOs() == null ? null : latest.getOs().getBuild();
        if (!release.osBuilds().contains(build) && results == 0) {
            return Optional.empty();
        }
        Optional<WinreVersion> version = WinreVersion.parse(latest.getWinre() == null ? null
                : latest.getWinre().getVersion());
        Optional<WinreVersion> fixed = WinreVersion.parse(release.fixedWinreVersion());
        Boolean atFixed = version.isPresent() && fixed.isPresent() ? version.get().isAtLeast(fixed.get()) : null;

        boolean falseFailure = false;
        if (!failures.isEmpty() && failures.stream().allMatch(f -> Boolean.TRUE.equals(f.getRebootPending()))) {
            Instant first = failures.get(0).getOccurredAt();
            Instant deadline = first.plus(within);
            List<InstallEvent> anySuccess = new ArrayList<>(successes);
            anySuccess.addAll(serviced);
            falseFailure = anySuccess.stream().map(InstallEvent::getOccurredAt)
                    .anyMatch(at -> at.isAfter(first) && !at.isAfter(deadline));
        }
        DeviceUpdateState state = falseFailure ? DeviceUpdateState.FALSE_FAILURE
                : !successes.isEmpty() || Boolean.TRUE.equals(atFixed) ? DeviceUpdateState.FIXED
                : !failures.isEmpty() ? DeviceUpdateState.FAILING
                : DeviceUpdateState.NEVER_ATTEMPTED;
        boolean fixedNow = state == DeviceUpdateState.FIXED || state == DeviceUpdateState.FALSE_FAILURE;

        RemediationCause cause = null;
        if (fixedNow && !failures.isEmpty()) {
            DeviceInventory atFirst = failures.get(0).getInventory();
            Long freeBefore = atFirst.getRecovery() == null ? null : atFirst.getRecovery().getFreeBytes();
            Long freeNow = latest.getRecovery() == null ? null : latest.getRecovery().getFreeBytes();
            if (falseFailure) {
                cause = RemediationCause.FALSE_FAILURE;
            } else if (!Boolean.TRUE.equals(atFirst.getScriptPatched())
                    && Boolean.TRUE.equals(latest.getScriptPatched())) {
                cause = RemediationCause.SCRIPT_APPLIED;
            } else if (freeBefore != null && freeBefore < REQUIRED && freeNow != null && freeNow >= REQUIRED) {
                cause = RemediationCause.PARTITION_RESIZED;
            } else if (successes.isEmpty() && Boolean.TRUE.equals(atFixed)) {
                cause = RemediationCause.NEWER_RELEASE;
            } else {
                cause = RemediationCause.RETRY;
            }
        }
        boolean bitlockerOn = latest.getBitlocker() != null
                && latest.getBitlocker().getProtection() == BitLockerProtection.ON;
        return Optional.of(new DeviceTruth(device.deviceId, kb, state, cause, bitlockerOn && !fixedNow, atFixed,
                results, failures.size()));
    }

    /** Per-release sums, recounted from the per-device truth. */
    static List<ReleaseTruth> releases(List<DeviceTruth> devices, List<CatalogRelease> catalog) {
        List<ReleaseTruth> releases = new ArrayList<>();
        for (CatalogRelease release : catalog.stream().sorted(Comparator.comparing(CatalogRelease::kb)).toList()) {
            List<DeviceTruth> of = devices.stream().filter(d -> d.kb().equals(release.kb())).toList();
            Map<RemediationCause, Long> byCause = new EnumMap<>(RemediationCause.class);
            of.stream().filter(d -> d.cause() != null).forEach(d -> byCause.merge(d.cause(), 1L, Long::sum));
            releases.add(new ReleaseTruth(release.kb(), release.fixedWinreVersion(), of.size(),
                    of.stream().filter(d -> d.attempts() > 0).count(),
                    count(of, DeviceUpdateState.NEVER_ATTEMPTED), count(of, DeviceUpdateState.FAILING),
                    count(of, DeviceUpdateState.FIXED) + count(of, DeviceUpdateState.FALSE_FAILURE),
                    count(of, DeviceUpdateState.FALSE_FAILURE), byCause,
                    of.stream().filter(d -> Boolean.TRUE.equals(d.atFixedWinre())).count(),
                    of.stream().filter(DeviceTruth::exposed).count()));
        }
        return releases;
    }

    private static long count(List<DeviceTruth> devices, DeviceUpdateState state) {
        return devices.stream().filter(d -> d.state() == state).count();
    }
}
