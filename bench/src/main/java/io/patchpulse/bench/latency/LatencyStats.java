package io.patchpulse.bench.latency;

import java.util.Arrays;

/**
 * Order statistics of a set of latencies, in milliseconds. Percentiles are nearest-rank (the smallest sample with at
 * least p % of the samples at or below it), so each is a measured value and {@code p50 <= p99 <= max} always holds.
 *
 * @param count  samples
 * @param minMs  smallest
 * @param p50Ms  median (nearest rank)
 * @param p99Ms  99th percentile (nearest rank; with fewer than 100 samples it is the maximum)
 * @param maxMs  largest
 * @param meanMs arithmetic mean
 */
public record LatencyStats(int count, double minMs, double p50Ms, double p99Ms, double maxMs, double meanMs) {

    /** The statistics of {@code nanos} (durations in nanoseconds, at least one). */
    public static LatencyStats ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no latency samples");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long value : sorted) {
            sum += value;
        }
        return new LatencyStats(sorted.length, ms(sorted[0]), ms(rank(sorted, 50)), ms(rank(sorted, 99)),
                ms(sorted[sorted.length - 1]), ms(sum / sorted.length));
    }

    /** Nearest rank: the value at 1-based rank ceil(p / 100 * n). */
    static long rank(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    private static double ms(double nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0; // microsecond resolution is plenty
    }
}
