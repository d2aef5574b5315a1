package io.patchpulse.streams.topology;

/**
 * DOMAIN.md rule 5, in one place: failures on an update are false when every one of them was reported while a
 * reboot was pending and success on the same update followed the first of them within the configured time. Used by
 * the device tracker (device status, remediation) and by the trend count (false failures leave the failure counts).
 */
final class FalseFailureRule {

    private FalseFailureRule() {
    }

    static boolean isFalse(int rebootPendingFailures, int otherFailures, long firstFailureAt, long successAt,
            long withinMs) {
        return rebootPendingFailures > 0 && otherFailures == 0 && successAt >= firstFailureAt
                && successAt - firstFailureAt <= withinMs;
    }
}
