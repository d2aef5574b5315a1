package io.patchpulse.streams.topology;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the spike detector remembers of one cohort: the first window it saw, the newest window of the current (or
 * last) episode that was above the thresholds, and the devices failed / attempted of its recent windows. Stored as
 * a short string, {@code "1704819600000;1704823200000;1704816000000:2:40,1704819600000:31:52"}
 * ({@code first;lastAbove;start:failed:attempted,...}, {@code -} for no episode yet).
 *
 * @param firstWindow start of the first window of the cohort ever seen (kept when older windows are dropped)
 * @param lastAbove   start of the newest window of the current or last episode that was above, or null
 * @param windows     window start -> counts, only windows that had a record
 */
record CohortHistory(long firstWindow, Long lastAbove, SortedMap<Long, Counts> windows) {

    /** Devices failed and attempted in one window. */
    record Counts(long failed, long attempted) {

        static final Counts NONE = new Counts(0, 0);

        double rate() {
            return attempted == 0 ? 0.0 : (double) failed / attempted;
        }
    }

    /**
     * The mean devices failed and the mean failure rate over {@code windows} earlier windows.
     *
     * @param windows how many windows the means cover (0: none, the cohort is new)
     */
    record Baseline(double devicesFailed, double failureRate, int windows) {

        static final Baseline NONE = new Baseline(0.0, 0.0, 0);
    }

    /** A cohort seen for the first time, in window {@code windowStart}. */
    static CohortHistory first(long windowStart) {
        return new CohortHistory(windowStart, null, Collections.emptySortedMap());
    }

    /** With the latest totals of window {@code windowStart}; the first window moves back if this one is older. */
    CohortHistory with(long windowStart, Counts counts) {
        SortedMap<Long, Counts> more = new TreeMap<>(windows);
        more.put(windowStart, counts);
        return new CohortHistory(Math.min(firstWindow, windowStart), lastAbove, Collections.unmodifiableSortedMap(more));
    }

    /** With the episode's newest window above the thresholds. */
    CohortHistory withLastAbove(long windowStart) {
        return new CohortHistory(firstWindow, windowStart, windows);
    }

    /** Without the windows that start before {@code keepFrom}. */
    CohortHistory trimmedBefore(long keepFrom) {
        if (windows.isEmpty() || windows.firstKey() >= keepFrom) {
            return this;
        }
        return new CohortHistory(firstWindow, lastAbove,
                Collections.unmodifiableSortedMap(new TreeMap<>(windows.tailMap(keepFrom))));
    }

    /** Start of the newest window seen. */
    long newestWindow() {
        return windows.isEmpty() ? firstWindow : windows.lastKey();
    }

    /** The counts of window {@code windowStart}, zero when it had no record. */
    Counts counts(long windowStart) {
        return windows.getOrDefault(windowStart, Counts.NONE);
    }

    /**
     * The baseline of window {@code windowStart}: the means over the up to {@code size} windows before it, from the
     * cohort's first window on. A window without a record counts as zero; windows before the cohort was first seen
     * do not count at all, so a cohort seen for the first time in {@code windowStart} has no baseline
     * ({@link Baseline#NONE}: only the floors apply).
     */
    Baseline baseline(long windowStart, long windowMs, int size) {
        long from = Math.max(firstWindow, windowStart - size * windowMs);
        if (from >= windowStart) {
            return Baseline.NONE;
        }
        int count = (int) ((windowStart - from + windowMs - 1) / windowMs);
        long failed = 0;
        double rates = 0.0;
        for (Map.Entry<Long, Counts> entry : windows.subMap(from, windowStart).entrySet()) {
            failed += entry.getValue().failed();
            rates += entry.getValue().rate();
        }
        return new Baseline((double) failed / count, rates / count, count);
    }

    String encode() {
        StringBuilder text = new StringBuilder();
        text.append(firstWindow).append(';').append(lastAbove == null ? "-" : lastAbove.toString()).append(';');
        boolean first = true;
        for (Map.Entry<Long, Counts> entry : windows.entrySet()) {
            if (!first) {
                text.append(',');
            }
            first = false;
            text.append(entry.getKey()).append(':').append(entry.getValue().failed()).append(':')
                    .append(entry.getValue().attempted());
        }
        return text.toString();
    }

    static CohortHistory decode(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split(";", -1);
        SortedMap<Long, Counts> windows = new TreeMap<>();
        if (!parts[2].isEmpty()) {
            for (String window : parts[2].split(",")) {
                String[] fields = window.split(":");
                windows.put(Long.parseLong(fields[0]), new Counts(Long.parseLong(fields[1]), Long.parseLong(fields[2])));
            }
        }
        return new CohortHistory(Long.parseLong(parts[0]), "-".equals(parts[1]) ? null : Long.valueOf(parts[1]),
                Collections.unmodifiableSortedMap(windows));
    }
}
