package io.patchpulse.collector.simulate;

import java.util.List;
import java.util.stream.Collectors;

/** The known presets, by name. A new preset is one more line in {@link #ALL}. */
public final class Presets {

    private static final List<Preset> ALL = List.of(
            new Jan2024Preset(),
            new Apr2025Preset(),
            new SpikePreset());

    private Presets() {
    }

    /** Every preset, in the order above. */
    public static List<Preset> all() {
        return ALL;
    }

    /** Their names, comma separated, for help texts and messages. */
    public static String names() {
        return ALL.stream().map(Preset::name).collect(Collectors.joining(", "));
    }

    /**
     * The preset called {@code name}.
     *
     * @throws IllegalArgumentException naming the known presets when there is none of that name
     */
    public static Preset named(String name) {
        return ALL.stream().filter(preset -> preset.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown preset '" + name + "'; known presets: "
                        + names()));
    }
}
