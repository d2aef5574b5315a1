package io.patchpulse.streams.topology;

import java.time.Duration;

/**
 * The rules that decide the truth of a failure (DOMAIN.md section 2, rule 5).
 *
 * @param falseFailureWithin  a failure reported while a reboot was pending is a false failure when success on the
 *                            same update (event 19, or WinREAgent 4501) follows within this time (default 3 days)
 * @param spaceEvidenceWithin a WinREAgent 4502 with ErrorPhase 2 at most this far (before or after) from a failure
 *                            confirms that the recovery partition lacks space (default 1 hour)
 */
public record DeviceRules(Duration falseFailureWithin, Duration spaceEvidenceWithin) {

    /** Default for {@link #falseFailureWithin}. */
    public static final Duration DEFAULT_FALSE_FAILURE_WITHIN = Duration.ofDays(3);
    /** Default for {@link #spaceEvidenceWithin}. */
    public static final Duration DEFAULT_SPACE_EVIDENCE_WITHIN = Duration.ofHours(1);

    public DeviceRules {
        if (falseFailureWithin == null || falseFailureWithin.isNegative() || falseFailureWithin.isZero()) {
            throw new IllegalArgumentException("false-failure time must be positive, got " + falseFailureWithin);
        }
        if (spaceEvidenceWithin == null || spaceEvidenceWithin.isNegative()) {
            throw new IllegalArgumentException("space-evidence time must be zero or positive, got "
                    + spaceEvidenceWithin);
        }
    }

    /** The defaults. */
    public static DeviceRules defaults() {
        return new DeviceRules(DEFAULT_FALSE_FAILURE_WITHIN, DEFAULT_SPACE_EVIDENCE_WITHIN);
    }
}
