package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.topics.TrendKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Trend records as deltas (what one event adds) and their sum (the totals of a window and cohort). Each delta is one
 * update of its key's totals ({@code revision} 1), so the sum's {@code revision} counts the updates: 1 for the first
 * delta (the reduce keeps it as the first total), +1 for each later one, retractions included. The sum lives in the
 * changelogged store, so the count survives restarts and strictly grows per key.
 */
final class TrendMath {

    private TrendMath() {
    }

    /** The contribution of one install result to its window and cohort. */
    static FailureTrend delta(TrendKey key, long windowMs, boolean failed, boolean newDevice, boolean newFailedDevice,
            boolean newSucceededDevice, String newError) {
        return of(key, windowMs)
                .setAttempts(1)
                .setFailures(failed ? 1 : 0)
                .setDevicesAttempted(newDevice ? 1 : 0)
                .setDevicesFailed(newFailedDevice ? 1 : 0)
                .setDevicesSucceeded(newSucceededDevice ? 1 : 0)
                .setDevicesFailedByError(newError == null ? Map.of() : Map.of(newError, 1L))
                .build();
    }

    /**
     * Takes back {@code failures} failures of one device in a window once they are known to be false: fewer
     * failures, one device fewer failed when it has no other failure there, and fewer devices per error in
     * {@code errorsGone} (values -1). Attempts stay: they happened.
     */
    static FailureTrend retraction(TrendKey key, long windowMs, int failures, boolean deviceNoLongerFailed,
            Map<String, Long> errorsGone) {
        return of(key, windowMs)
                .setAttempts(0)
                .setFailures(-failures)
                .setDevicesAttempted(0)
                .setDevicesFailed(deviceNoLongerFailed ? -1 : 0)
                .setDevicesSucceeded(0)
                .setDevicesFailedByError(errorsGone)
                .build();
    }

    /** A record of {@code key}'s window and cohort, counts still to set. */
    private static FailureTrend.Builder of(TrendKey key, long windowMs) {
        return FailureTrend.newBuilder()
                .setWindowStart(Instant.ofEpochMilli(key.windowStart()))
                .setWindowEnd(Instant.ofEpochMilli(key.windowStart() + windowMs))
                .setKb(key.cohort().kb())
                .setSizeBucket(key.cohort().sizeBucket())
                .setFreeBucket(key.cohort().freeBucket())
                .setBitlocker(key.cohort().bitlocker())
                .setRevision(1);
    }

    /** The sum of two records of the same window and cohort. */
    static FailureTrend add(FailureTrend total, FailureTrend delta) {
        Map<String, Long> errors = new HashMap<>(total.getDevicesFailedByError());
        delta.getDevicesFailedByError().forEach((code, devices) -> errors.merge(code, devices, Long::sum));
        return FailureTrend.newBuilder(total)
                .setAttempts(total.getAttempts() + delta.getAttempts())
                .setFailures(total.getFailures() + delta.getFailures())
                .setDevicesAttempted(total.getDevicesAttempted() + delta.getDevicesAttempted())
                .setDevicesFailed(total.getDevicesFailed() + delta.getDevicesFailed())
                .setDevicesSucceeded(total.getDevicesSucceeded() + delta.getDevicesSucceeded())
                .setDevicesFailedByError(errors)
                .setRevision(total.getRevision() + delta.getRevision())
                .build();
    }
}
