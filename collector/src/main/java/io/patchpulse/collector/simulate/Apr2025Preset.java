package io.patchpulse.collector.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code apr-2025}: KB5057589 (Windows 10 21H2/22H2) and KB5057588 (Windows Server 2022) from 2025-04-08, with the
 * false 0x80070643 of devices waiting for a restart, real space failures for contrast, restarts that come too late to
 * count as false failures, and Windows 10 devices that KB5057589 fixes for KB5034441. The rules are on
 * {@link Apr2025Planner}.
 */
final class Apr2025Preset implements Preset {

    static final String NAME = "apr-2025";
    /** Two weeks: room for restarts a few days after the false-failure time. */
    static final int DEFAULT_DAYS = 14;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "KB5057589/KB5057588 from 2025-04-08: false failures while a restart is pending, late restarts, real "
                + "space failures, KB5034441 fixed by the newer release";
    }

    @Override
    public int defaultDays() {
        return DEFAULT_DAYS;
    }

    @Override
    public PresetRun run(PresetSettings preset) {
        SimulationSettings settings = new SimulationSettings(preset.devices(), preset.seed(), Apr2025Planner.START,
                preset.daysOr(DEFAULT_DAYS), 0.0, SimulationSettings.DEFAULT_LOCALIZED_TITLE_SHARE,
                SimulationSettings.DEFAULT_WINRE_DISABLED_SHARE, 0.0, 0.0, SimulationSettings.DEFAULT_OFFLINE_SHARE);
        Apr2025Planner planner = new Apr2025Planner(settings, preset.falseFailureWithin());
        List<DeviceTimeline> timelines = new ArrayList<>(settings.devices());
        for (int device = 0; device < settings.devices(); device++) {
            timelines.add(planner.plan(device));
        }
        return new PresetRun(new Simulation(settings, timelines), Truths.of(NAME, settings,
                preset.falseFailureWithin(), timelines, CatalogRelease.CATALOG));
    }
}
