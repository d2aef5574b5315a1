package io.patchpulse.schemas.values;

/**
 * Free space in the recovery partition. KB5034441 needs about 250 MB free (DOMAIN.md section 1): the threshold is
 * 250 MiB.
 */
public enum FreeBucket {
    UNDER_250_MIB("<250MB"),
    AT_LEAST_250_MIB(">=250MB"),
    UNKNOWN("unknown");

    /** Free bytes the WinRE update needs. */
    public static final long REQUIRED_BYTES = 250L * 1_048_576L;

    private final String label;

    FreeBucket(String label) {
        this.label = label;
    }

    /** The bucket of a free-space figure in bytes; {@code null} or negative values are unknown. */
    public static FreeBucket ofBytes(Long bytes) {
        if (bytes == null || bytes < 0) {
            return UNKNOWN;
        }
        return bytes < REQUIRED_BYTES ? UNDER_250_MIB : AT_LEAST_250_MIB;
    }

    /** The label written to topics, metrics and the store. */
    public String label() {
        return label;
    }
}
