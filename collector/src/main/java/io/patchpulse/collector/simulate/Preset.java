package io.patchpulse.collector.simulate;

/**
 * A named, seeded, deterministic scenario: its records (in receive order, as {@link Simulation} yields them) and its
 * {@link PresetTruth}, decided from the same plan. Equal {@link PresetSettings} give identical records and truth.
 * The known presets are in {@link Presets}.
 */
public interface Preset {

    /** The name on the command line, for example {@code jan-2024}. */
    String name();

    /** One line on what the preset models. */
    String description();

    /** Length of the simulated period when the settings do not say. */
    int defaultDays();

    /** Plans the run. */
    PresetRun run(PresetSettings settings);
}
