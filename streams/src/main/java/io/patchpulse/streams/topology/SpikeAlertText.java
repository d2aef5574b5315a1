package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.SpikeAlert;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** The words and links of a spike alert: a summary a person can act on, and the runbook to follow. */
public final class SpikeAlertText {

    /** Manual resize of the recovery partition (reagentc + diskpart), for WinRE updates that lack space. */
    public static final String RUNBOOK_WINRE_RESIZE = "https://support.microsoft.com/help/5028997";
    /** KB5034957: scripts that patch the WinRE image in place, no resize needed. */
    public static final String KB5034957_URL = "https://support.microsoft.com/help/5034957";
    /**
     * Every other spike: the project's own runbook (a path in the repository, {@code deploy/runbooks/}; the
     * deployment may publish it under a URL of its own).
     */
    public static final String RUNBOOK_GENERIC = "deploy/runbooks/update-failure-spike.md";

    /** The generic install failure that a WinRE update reports when the recovery partition lacks space. */
    static final String INSTALL_FAILURE = "0x80070643";
    static final String FREE_UNDER_250 = "<250MB";

    private SpikeAlertText() {
    }

    /**
     * True for the January 2024 pattern: a WinRE update ({@code winreRelease}: its KB is in the release catalog)
     * failing with 0x80070643 where free space is short.
     */
    static boolean isWinreSpaceFailure(boolean winreRelease, String errorCode, String freeBucket) {
        return winreRelease && INSTALL_FAILURE.equals(errorCode) && FREE_UNDER_250.equals(freeBucket);
    }

    static String runbookUrl(boolean winreRelease, String errorCode, String freeBucket) {
        return isWinreSpaceFailure(winreRelease, errorCode, freeBucket) ? RUNBOOK_WINRE_RESIZE : RUNBOOK_GENERIC;
    }

    /** What fired, where, how many, against which baseline, and what to check. */
    static String firing(FailureTrend window, boolean winreRelease, String errorCode, long errorDevices,
            CohortHistory.Baseline baseline) {
        String what = String.format(Locale.ROOT,
                "%s is failing on %d of %d devices (%s) in cohort %s during %s; ",
                window.getKb(), window.getDevicesFailed(), window.getDevicesAttempted(),
                percent(rate(window)), cohort(window), span(window));
        String against = baseline.windows() == 0
                ? "the cohort has no earlier windows (a new release or a newly seen cohort), so only the floors apply. "
                : String.format(Locale.ROOT, "its baseline is %.1f failing devices (%s) per window over the previous"
                        + " %d windows. ", baseline.devicesFailed(), percent(baseline.failureRate()), baseline.windows());
        String error = String.format(Locale.ROOT, "%d of the failing devices report %s. ", errorDevices, errorCode);
        return what + against + error + advice(winreRelease, errorCode, window.getFreeBucket());
    }

    /** Which window brought the cohort back below the thresholds. */
    static String resolved(SpikeAlert fired, CohortHistory.Counts window, Instant start, Instant end) {
        return String.format(Locale.ROOT,
                "Resolved: %s in cohort %s has fallen back, %d of %d devices failing (%s) during %s"
                        + " (baseline %.1f devices, %s). It fired at %s, mostly %s.",
                fired.getKb(), cohort(fired.getSizeBucket(), fired.getFreeBucket(), fired.getBitlocker()),
                window.failed(), window.attempted(), percent(window.rate()), span(start, end),
                fired.getBaselineDevicesFailed(), percent(fired.getBaselineFailureRate()),
                fired.getStartsAt().truncatedTo(ChronoUnit.SECONDS), fired.getErrorCode());
    }

    private static String advice(boolean winreRelease, String errorCode, String freeBucket) {
        if (isWinreSpaceFailure(winreRelease, errorCode, freeBucket)) {
            return "The recovery partition has less than the ~250 MB free this WinRE update needs (the real error is"
                    + " CBS_E_INSUFFICIENT_DISK_SPACE): check reagentc /info and the partition's free space, then grow"
                    + " the partition per KB5028997 (only when it sits right after the OS partition) or patch WinRE in"
                    + " place with the KB5034957 script (" + KB5034957_URL + ").";
        }
        if (INSTALL_FAILURE.equals(errorCode)) {
            return "0x80070643 is a generic install failure (Defender, .NET and MSI report it too): check the CBS and"
                    + " WindowsUpdate logs of a few failing devices for the real error, whether a reboot is pending"
                    + " (the April 2025 false failure), and what changed for this cohort.";
        }
        return "Check the Windows Update logs of a few failing devices for " + errorCode + ", and what changed for this"
                + " cohort around the start (a new or re-offered release, disk space, BitLocker state).";
    }

    static double rate(FailureTrend window) {
        return window.getDevicesAttempted() == 0 ? 0.0
                : (double) window.getDevicesFailed() / window.getDevicesAttempted();
    }

    private static String cohort(FailureTrend window) {
        return cohort(window.getSizeBucket(), window.getFreeBucket(), window.getBitlocker());
    }

    private static String cohort(String size, String free, String bitlocker) {
        return "recovery partition " + size + ", free " + free + ", BitLocker " + bitlocker;
    }

    private static String span(FailureTrend window) {
        return span(window.getWindowStart(), window.getWindowEnd());
    }

    private static String span(Instant start, Instant end) {
        return "the window " + start + " to " + end;
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }
}
