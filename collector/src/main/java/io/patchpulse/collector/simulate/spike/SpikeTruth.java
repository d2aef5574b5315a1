package io.patchpulse.collector.simulate.spike;

import io.patchpulse.schemas.values.Cohort;
import java.time.Instant;
import java.util.Locale;

/**
 * One spike the scenario planted: which cohort, with which error, from which minute to which.
 *
 * @param cohort    KB x size bucket x free bucket x BitLocker cohort that fails
 * @param errorCode the canonical error its failing attempts report
 * @param startsAt  the first minute attempts of this cohort fail (event time)
 * @param endsAt    from here on they succeed again
 * @param devices   devices in the cohort
 */
public record SpikeTruth(Cohort cohort, String errorCode, Instant startsAt, Instant endsAt, int devices) {

    /** The cohort as the spike-alerts store keys it: {@code kb|sizeBucket|freeBucket|bitlocker}. */
    public String cohortKey() {
        return cohort.kb() + "|" + cohort.sizeBucket() + "|" + cohort.freeBucket() + "|" + cohort.bitlocker();
    }

    /** One JSON object, for a truth file written next to the events. */
    public String toJson() {
        return String.format(Locale.ROOT, "{\"kind\":\"spike\",\"kb\":\"%s\",\"sizeBucket\":\"%s\",\"freeBucket\":\"%s\","
                        + "\"bitlocker\":\"%s\",\"errorCode\":\"%s\",\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"devices\":%d}",
                cohort.kb(), cohort.sizeBucket(), cohort.freeBucket(), cohort.bitlocker(), errorCode, startsAt, endsAt,
                devices);
    }
}
