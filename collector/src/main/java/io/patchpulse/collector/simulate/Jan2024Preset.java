package io.patchpulse.collector.simulate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jan-2024}: the KB5034441 (Windows 10 21H2/22H2) and KB5034440 (Windows 11 21H2) rollout from 2024-01-09
 * over six weeks. The model of {@link DevicePlanner}, with two more rules: each device's Windows Update gives up
 * after 10 to 21 days of daily retries, and Microsoft's re-offer on 2024-02-13 makes every device not fixed by then
 * attempt again (within a day for most), then daily to the end. Some blocked devices are resized (KB5028997, only
 * when the recovery partition sits right after the OS partition) or script-patched (KB5034957) in between, about a
 * third of them while Windows Update had given up, so that the re-offer is what finds them fixed.
 */
final class Jan2024Preset implements Preset {

    static final String NAME = "jan-2024";
    /** Microsoft offered KB5034441 again on Patch Tuesday, 2024-02-13 (DOMAIN.md section 1). */
    static final Instant REOFFER = Instant.parse("2024-02-13T18:00:00Z");
    /** Six weeks: the retries, the quiet weeks and a week after the re-offer. */
    static final int DEFAULT_DAYS = 42;
    static final RetrySchedule SCHEDULE = new RetrySchedule(10, 21, REOFFER);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "KB5034441/KB5034440 from 2024-01-09: daily retries, Windows Update gives up, re-offer on 2024-02-13, "
                + "resizes, KB5034957 scripts, transient failures";
    }

    @Override
    public int defaultDays() {
        return DEFAULT_DAYS;
    }

    @Override
    public PresetRun run(PresetSettings preset) {
        SimulationSettings settings = SimulationSettings.of(preset.devices(), preset.seed())
                .withDays(preset.daysOr(DEFAULT_DAYS));
        DevicePlanner planner = new DevicePlanner(settings, SCHEDULE);
        List<DeviceTimeline> timelines = new ArrayList<>(settings.devices());
        for (int device = 0; device < settings.devices(); device++) {
            timelines.add(planner.plan(device));
        }
        return new PresetRun(new Simulation(settings, timelines), Truths.of(NAME, settings,
                preset.falseFailureWithin(), timelines, CatalogRelease.CATALOG));
    }
}
