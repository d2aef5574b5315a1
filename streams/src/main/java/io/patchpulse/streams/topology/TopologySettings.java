package io.patchpulse.streams.topology;

import io.patchpulse.schemas.topics.Topics;
import java.time.Duration;

/**
 * Everything the topology depends on, and nothing else: the topic registry, the trend window and the grace period
 * for late events. The topology is a pure function of this record.
 *
 * @param topics  topic names and serdes
 * @param window  size of the tumbling event-time trend windows (default 1 hour): whole minutes dividing a day
 * @param grace   how long after a window closes (in event time) its late events are still counted (default 7 days)
 * @param rules   the truth of a failure: false failures and confirmed space failures
 * @param alerts  when a cohort's failures count as a spike
 * @param combineEvery how long (wall clock) each task sums trend deltas per window and cohort before the shuffle by
 *                     cohort ({@link TrendCombiner}); zero: no combiner, every delta is shuffled on its own
 */
public record TopologySettings(Topics topics, Duration window, Duration grace, DeviceRules rules,
                               AlertRules alerts, Duration combineEvery) {

    /** Default trend window. */
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
    private static final long MINUTE_MS = Duration.ofMinutes(1).toMillis();
    /** Default grace period: devices come back online after days and report a backlog. */
    public static final Duration DEFAULT_GRACE = Duration.ofDays(7);

    public TopologySettings {
        if (topics == null) {
            throw new IllegalArgumentException("topics must be given");
        }
        // Whole minutes: the VictoriaMetrics writer stamps a window's rewrites inside it and VictoriaMetrics keeps
        // the newest sample per minute (-dedup.minScrapeInterval=1m), so no minute may hold two windows.
        if (window == null || window.isNegative() || window.isZero() || window.toMillis() % MINUTE_MS != 0
                || Duration.ofDays(1).toMillis() % window.toMillis() != 0) {
            throw new IllegalArgumentException("trend window must be a whole number of minutes that divides a day"
                    + " evenly (for example PT1H or PT15M), got " + window);
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive, got " + grace);
        }
        if (combineEvery == null || combineEvery.isNegative()) {
            throw new IllegalArgumentException("the combine interval must be zero (off) or positive, got "
                    + combineEvery);
        }
        if (rules == null || alerts == null) {
            throw new IllegalArgumentException("device rules and alert rules must be given");
        }
        if (rules.falseFailureWithin().compareTo(grace) > 0) {
            throw new IllegalArgumentException("the false-failure time " + rules.falseFailureWithin()
                    + " must not exceed the grace period " + grace + ": the failures it takes back must still be"
                    + " in their windows");
        }
    }

    /** Settings without the combiner (every delta is shuffled on its own, as the topology tests expect). */
    public TopologySettings(Topics topics, Duration window, Duration grace, DeviceRules rules, AlertRules alerts) {
        this(topics, window, grace, rules, alerts, Duration.ZERO);
    }

    /** Settings with the default device and alert rules, without the combiner. */
    public TopologySettings(Topics topics, Duration window, Duration grace) {
        this(topics, window, grace, DeviceRules.defaults(), AlertRules.defaults());
    }

    /** A copy that combines trend deltas for {@code every} (wall clock) before the shuffle; zero turns it off. */
    public TopologySettings withCombineEvery(Duration every) {
        return new TopologySettings(topics, window, grace, rules, alerts, every);
    }

    /** Defaults for a topic registry. */
    public static TopologySettings defaults(Topics topics) {
        return new TopologySettings(topics, DEFAULT_WINDOW, DEFAULT_GRACE);
    }
}
