package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.values.WinreVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the planner's decisions ({@link KbPlan} per device and update, the device's last state and its profile)
 * into a {@link PresetTruth}, with the definitions written there. No record is read: the truth stays independent of
 * how the records are built.
 */
final class Truths {

    private Truths() {
    }

    /** The truth of a run the fleet model planned (such runs plant no spike). */
    static PresetTruth of(String preset, SimulationSettings settings, Duration falseFailureWithin,
                          List<DeviceTimeline> timelines, List<CatalogRelease> catalog) {
        List<DeviceTruth> devices = new ArrayList<>();
        List<ReleaseTruth> releases = new ArrayList<>();
        List<CatalogRelease> sorted = new ArrayList<>(catalog);
        sorted.sort(Comparator.comparing(CatalogRelease::kb));
        for (CatalogRelease release : sorted) {
            List<DeviceTruth> ofRelease = new ArrayList<>();
            for (DeviceTimeline timeline : timelines) {
                device(timeline, release).ifPresent(ofRelease::add);
            }
            devices.addAll(ofRelease);
            releases.add(sum(release, ofRelease));
        }
        devices.sort(Comparator.comparing(DeviceTruth::deviceId).thenComparing(DeviceTruth::kb));
        return new PresetTruth(preset, settings.seed(), settings.devices(), settings.days(),
                settings.start().toString(), iso(falseFailureWithin), devices, releases, List.of());
    }

    /** ISO-8601 in whole days where it is whole days ("P3D", as people write it), else Duration's own ("PT36H"). */
    static String iso(Duration duration) {
        if (duration.toSeconds() % 86_400 == 0 && duration.getNano() == 0) {
            return "P" + duration.toDays() + "D";
        }
        return duration.toString();
    }

    private static Optional<DeviceTruth> device(DeviceTimeline timeline, CatalogRelease release) {
        DeviceProfile profile = timeline.profile();
        KbPlan plan = timeline.plans().stream().filter(p -> p.update().kb().equals(release.kb())).findFirst()
                .orElse(null);
        int results = plan == null ? 0 : plan.results();
        int failures = plan == null ? 0 : plan.failures();
        if (!release.osBuilds().contains(profile.os().build()) && results == 0) {
            return Optional.empty();
        }
        Optional<WinreVersion> winre = WinreVersion.parse(timeline.lastState().winreVersion());
        Optional<WinreVersion> fixed = WinreVersion.parse(release.fixedWinreVersion());
        Boolean atFixed = winre.isPresent() && fixed.isPresent() ? winre.get().isAtLeast(fixed.get()) : null;

        DeviceUpdateState state;
        if (plan != null && plan.falseFailure()) {
            state = DeviceUpdateState.FALSE_FAILURE;
        } else if (plan != null && plan.succeeded() || Boolean.TRUE.equals(atFixed)) {
            state = DeviceUpdateState.FIXED;
        } else if (failures > 0) {
            state = DeviceUpdateState.FAILING;
        } else {
            state = DeviceUpdateState.NEVER_ATTEMPTED;
        }
        boolean fixedNow = state == DeviceUpdateState.FIXED || state == DeviceUpdateState.FALSE_FAILURE;
        RemediationCause cause = null;
        if (fixedNow && failures > 0) {
            cause = plan.cause();
            if (cause == null) {
                throw new IllegalStateException("the plan of " + profile.deviceId() + " fixes a failing device on "
                        + release.kb() + " without saying why");
            }
        }
        boolean exposed = profile.bitlocker().protection() == BitLockerProtection.ON && !fixedNow;
        return Optional.of(new DeviceTruth(profile.deviceId(), release.kb(), state, cause, exposed, atFixed, results,
                failures));
    }

    private static ReleaseTruth sum(CatalogRelease release, List<DeviceTruth> devices) {
        Map<RemediationCause, Long> byCause = new EnumMap<>(RemediationCause.class);
        long attempted = 0;
        long never = 0;
        long failing = 0;
        long fixed = 0;
        long falseFailure = 0;
        long atFixed = 0;
        long exposed = 0;
        for (DeviceTruth device : devices) {
            attempted += device.attempts() > 0 ? 1 : 0;
            switch (device.state()) {
                case NEVER_ATTEMPTED -> never++;
                case FAILING -> failing++;
                case FALSE_FAILURE -> {
                    fixed++;
                    falseFailure++;
                }
                default -> fixed++;
            }
            if (device.cause() != null) {
                byCause.merge(device.cause(), 1L, Long::sum);
            }
            atFixed += Boolean.TRUE.equals(device.atFixedWinre()) ? 1 : 0;
            exposed += device.exposed() ? 1 : 0;
        }
        return new ReleaseTruth(release.kb(), release.fixedWinreVersion(), devices.size(), attempted, never, failing,
                fixed, falseFailure, byCause, atFixed, exposed);
    }
}
