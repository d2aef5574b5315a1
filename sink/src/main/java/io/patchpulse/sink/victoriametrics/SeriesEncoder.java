package io.patchpulse.sink.victoriametrics;

import java.time.Duration;
import java.time.Instant;

/**
 * How one topic's values become line-protocol samples: the key that identifies a value (the last value per key in a
 * batch wins), the window or day it belongs to, and the lines themselves, stamped by {@link #revisionStamp}.
 *
 * @param <V> the topic's value type
 */
public interface SeriesEncoder<V> {

    /** Identifies the samples a value writes: two values with one key write the same series. */
    String key(V value);

    /** The start of the value's window or day (what {@code WriteResult#newestWindowStart} reports). */
    Instant timestamp(V value);

    /** Appends the value's lines, each ended with {@code at(revisionStamp(...))}. */
    void encode(V value, LineProtocol out);

    /**
     * Where a rewrite of a window's totals is stamped: {@code start + revision} milliseconds, the revision taken as at
     * least 1 (0: a record from before the field existed) and at most {@code length - 1} ms, so every rewrite of a
     * window lies strictly inside it, {@code (start, start + length)}, a later revision later.
     *
     * <p>Why: VictoriaMetrics (1.79 here) does not keep the last write of samples that share a series and a
     * millisecond; with {@code -dedup.minScrapeInterval=1m} it keeps, per minute {@code (k*60s, (k+1)*60s]}, the
     * sample with the biggest timestamp, and {@code last_over_time} picks the latest one anyway. Distinct,
     * growing timestamps make the newest revision win in storage, at query time and on any release. A re-delivery
     * writes the same revision at the same millisecond with the same values, so it changes nothing. Up to 59,999
     * revisions a window keeps one sample (its first minute); beyond that one sample per further minute, the last
     * one newest, still inside the window.
     *
     * @param start    the window or day start (whole minutes, like every window: one dedup minute never holds two
     *                 windows)
     * @param length   the window or day length
     * @param revision the record's revision: how often the topology has updated its key
     */
    static Instant revisionStamp(Instant start, Duration length, long revision) {
        long maxOffset = length.toMillis() - 1;
        return start.plusMillis(Math.max(1, Math.min(revision, maxOffset)));
    }
}
