package io.patchpulse.collector.simulate;

/**
 * A failure spike a preset planted: which cohort starts failing, on which KB, and when (the {@code spike} preset's
 * truth; the other presets plant none).
 *
 * @param kb       the KB whose installs start failing
 * @param cohort   the cohort key as the spike-alert store spells it ({@code sizeBucket|freeBucket|bitlocker})
 * @param startsAt event time of the spike's start, ISO-8601 (UTC)
 */
public record SpikeTruth(String kb, String cohort, String startsAt) {
}
