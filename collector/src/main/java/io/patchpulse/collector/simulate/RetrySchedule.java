package io.patchpulse.collector.simulate;

import java.time.Instant;

/**
 * How long Windows Update keeps retrying a failing update, and whether Microsoft offers it again later.
 *
 * @param minRetryDays fewest days a device keeps retrying after its first attempt (0 with {@link #UNTIL_END})
 * @param maxRetryDays most days a device keeps retrying (each device draws its own, between the two)
 * @param reofferAt    when the update is offered again (null: never): every device not fixed by then attempts once
 *                     more within a day or so, and retries daily until the end of the period
 */
record RetrySchedule(int minRetryDays, int maxRetryDays, Instant reofferAt) {

    /** Retry once or twice a day until the end of the period, no re-offer: the model of {@link FleetSimulator}. */
    static final RetrySchedule UNTIL_END = new RetrySchedule(0, 0, null);

    RetrySchedule {
        if (minRetryDays < 0 || maxRetryDays < minRetryDays) {
            throw new IllegalArgumentException("retry days must satisfy 0 <= min <= max, were " + minRetryDays
                    + " and " + maxRetryDays);
        }
    }

    /** True when Windows Update gives up after a while. */
    boolean stops() {
        return maxRetryDays > 0;
    }
}
