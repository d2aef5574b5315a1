package io.patchpulse.schemas.topics;

import io.patchpulse.schemas.values.Cohort;
import java.time.Instant;

/**
 * Key of a {@code failure-trends} record: window start and cohort, readable in console tools, e.g.
 * {@code 2024-01-09T14:00:00Z|KB5034441|500-750MB|<250MB|on-tpm}. Records with the same key replace each other.
 */
public record TrendKey(long windowStart, Cohort cohort) {

    private static final String SEPARATOR = "|";

    /** The string form used as the Kafka key. */
    public String encode() {
        return Instant.ofEpochMilli(windowStart) + SEPARATOR + cohort.kb() + SEPARATOR + cohort.sizeBucket()
                + SEPARATOR + cohort.freeBucket() + SEPARATOR + cohort.bitlocker();
    }

    /** Parses {@link #encode()}'s output. */
    public static TrendKey decode(String key) {
        String[] parts = key.split("\\|", -1);
        if (parts.length != 5) {
            throw new IllegalArgumentException("not a trend key (window|kb|size|free|bitlocker): " + key);
        }
        return new TrendKey(Instant.parse(parts[0]).toEpochMilli(), new Cohort(parts[1], parts[2], parts[3], parts[4]));
    }
}
