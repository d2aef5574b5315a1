package io.patchpulse.streams.topology;

/**
 * When a cohort's failures count as a spike. A window fires when its failing devices and its failure rate are both
 * at least {@code factor} times the cohort's own baseline (the mean of its previous {@code baselineWindows}
 * windows) and at least the floors {@code minDevicesFailed} and {@code minFailureRate}.
 *
 * @param baselineWindows  how many earlier windows make the baseline (default 24: a day of hourly windows)
 * @param minDevicesFailed floor of failing devices in the window (default 10)
 * @param minFailureRate   floor of the failure rate, devices failed / devices attempted (default 0.2)
 * @param factor           how far above the baseline both must be (default 3.0)
 * @param stayFraction     hysteresis: a firing episode goes on while its windows reach this fraction of both
 *                         thresholds, so a spike that dips just under the floor does not resolve and fire again
 *                         (default 0.5)
 */
public record AlertRules(int baselineWindows, long minDevicesFailed, double minFailureRate, double factor,
                         double stayFraction) {

    public AlertRules {
        if (baselineWindows < 1 || baselineWindows > 24 * 28) {
            throw new IllegalArgumentException("baseline windows must be between 1 and 672, got " + baselineWindows);
        }
        if (minDevicesFailed < 1) {
            throw new IllegalArgumentException("the floor of failing devices must be at least 1, got "
                    + minDevicesFailed);
        }
        if (!(minFailureRate >= 0.0 && minFailureRate <= 1.0)) {
            throw new IllegalArgumentException("the failure-rate floor must be between 0 and 1, got " + minFailureRate);
        }
        if (!(stayFraction > 0.0 && stayFraction <= 1.0)) {
            throw new IllegalArgumentException("the stay fraction must be above 0 and at most 1, got " + stayFraction);
        }
        if (!(factor >= 1.0)) {
            throw new IllegalArgumentException("the factor over the baseline must be at least 1, got " + factor);
        }
    }

    /** The defaults. */
    public static AlertRules defaults() {
        return new AlertRules(24, 10, 0.2, 3.0, 0.5);
    }
}
