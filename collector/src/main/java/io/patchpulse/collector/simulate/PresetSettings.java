package io.patchpulse.collector.simulate;

import java.time.Duration;

/**
 * What a preset run depends on beyond the preset itself.
 *
 * @param devices            number of simulated devices
 * @param seed               seed of every random choice
 * @param days               length of the simulated period, null for the preset's default
 * @param falseFailureWithin how soon a success must follow a reboot-pending failure for it to be a false failure
 *                           (the streams app's {@code DeviceRules.DEFAULT_FALSE_FAILURE_WITHIN}, 3 days, by default;
 *                           the simulator cannot depend on the streams module, so it is repeated here)
 */
public record PresetSettings(int devices, long seed, Integer days, Duration falseFailureWithin) {

    /** Default for {@link #falseFailureWithin}: the streams app's default. */
    public static final Duration DEFAULT_FALSE_FAILURE_WITHIN = Duration.ofDays(3);

    /** Validates what the simulator's own settings do not. */
    public PresetSettings {
        if (falseFailureWithin == null || falseFailureWithin.isNegative() || falseFailureWithin.isZero()) {
            throw new IllegalArgumentException("false-failure time must be positive, was " + falseFailureWithin);
        }
    }

    /** {@code devices} devices, {@code seed}, the preset's period and the default false-failure time. */
    public static PresetSettings of(int devices, long seed) {
        return new PresetSettings(devices, seed, null, DEFAULT_FALSE_FAILURE_WITHIN);
    }

    /** A copy with another period length (null: the preset's default). */
    public PresetSettings withDays(Integer newDays) {
        return new PresetSettings(devices, seed, newDays, falseFailureWithin);
    }

    /** A copy with another false-failure time. */
    public PresetSettings withFalseFailureWithin(Duration within) {
        return new PresetSettings(devices, seed, days, within);
    }

    /** The period length for {@code preset}. */
    int daysOr(int presetDefault) {
        return days == null ? presetDefault : days;
    }
}
