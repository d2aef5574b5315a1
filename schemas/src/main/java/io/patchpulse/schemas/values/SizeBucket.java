package io.patchpulse.schemas.values;

/** Recovery-partition size cohorts, in MiB as Windows tools show them (ARCHITECTURE.md, "Cohorts and buckets"). */
public enum SizeBucket {
    UNDER_500_MIB("<500MB"),
    FROM_500_TO_750_MIB("500-750MB"),
    FROM_750_MIB_TO_1_GIB("750MB-1GB"),
    AT_LEAST_1_GIB(">=1GB"),
    UNKNOWN("unknown");

    private static final long MIB = 1_048_576L;

    private final String label;

    SizeBucket(String label) {
        this.label = label;
    }

    /** The bucket of a partition size in bytes; {@code null} or negative sizes are unknown. */
    public static SizeBucket ofBytes(Long bytes) {
        if (bytes == null || bytes < 0) {
            return UNKNOWN;
        }
        if (bytes < 500 * MIB) {
            return UNDER_500_MIB;
        }
        if (bytes < 750 * MIB) {
            return FROM_500_TO_750_MIB;
        }
        if (bytes < 1024 * MIB) {
            return FROM_750_MIB_TO_1_GIB;
        }
        return AT_LEAST_1_GIB;
    }

    /** The label written to topics, metrics and the store. */
    public String label() {
        return label;
    }
}
