package io.patchpulse.collector.simulate;

import java.time.Instant;

/**
 * Settings of one fleet simulation: everything the output depends on. Two simulations with equal settings produce
 * byte-identical records.
 *
 * @param devices              number of simulated devices (1 to 10,000,000)
 * @param seed                 seed of every random choice
 * @param start                when the update is released and the simulated period starts (default
 *                             {@link #DEFAULT_START}, KB5034441's Patch Tuesday)
 * @param days                 length of the simulated period in days (default {@value #DEFAULT_DAYS}); attempts
 *                             end inside it, backlogged reports may arrive up to three days later
 * @param windows11Share       share of devices on Windows 11 21H2 (KB5034440); the rest run Windows 10 21H2/22H2
 *                             (KB5034441). Default {@value #DEFAULT_WINDOWS11_SHARE}
 * @param localizedTitleShare  share of devices that report a French, German or Spanish update title. Default
 *                             {@value #DEFAULT_LOCALIZED_TITLE_SHARE}
 * @param winreDisabledShare   share of devices with WinRE disabled. Default {@value #DEFAULT_WINRE_DISABLED_SHARE}
 * @param transientFailureRate chance that an attempt which would succeed fails with a transient code and succeeds
 *                             on a later retry. Default {@value #DEFAULT_TRANSIENT_FAILURE_RATE}
 * @param remediationShare     share of devices blocked by recovery-partition space that an admin remediates
 *                             (resize or KB5034957 script) during the period. Default
 *                             {@value #DEFAULT_REMEDIATION_SHARE}
 * @param offlineShare         share of devices out of the collector's reach for 1 to 3 days, reporting a backlog
 *                             afterwards. Default {@value #DEFAULT_OFFLINE_SHARE}
 */
public record SimulationSettings(int devices, long seed, Instant start, int days, double windows11Share,
                                 double localizedTitleShare, double winreDisabledShare, double transientFailureRate,
                                 double remediationShare, double offlineShare) {

    /** KB5034441's release: Patch Tuesday, 2024-01-09, 10:00 Pacific. */
    public static final Instant DEFAULT_START = Instant.parse("2024-01-09T18:00:00Z");
    /** Two weeks: long enough to see daily retries and remediations. */
    public static final int DEFAULT_DAYS = 14;
    /** Windows 11 21H2 was a small part of enterprise fleets in January 2024. */
    public static final double DEFAULT_WINDOWS11_SHARE = 0.12;
    /** Default share of non-English update titles. */
    public static final double DEFAULT_LOCALIZED_TITLE_SHARE = 0.15;
    /** Default share of devices with WinRE disabled. */
    public static final double DEFAULT_WINRE_DISABLED_SHARE = 0.05;
    /** Default chance of a transient failure per attempt. */
    public static final double DEFAULT_TRANSIENT_FAILURE_RATE = 0.04;
    /** Default share of space-blocked devices remediated during the period. */
    public static final double DEFAULT_REMEDIATION_SHARE = 0.35;
    /** Default share of devices with an offline stretch. */
    public static final double DEFAULT_OFFLINE_SHARE = 0.15;

    /** Largest fleet accepted: device indexes and per-device sequences stay far from overflow. */
    public static final int MAX_DEVICES = 10_000_000;

    /** Validates every component. */
    public SimulationSettings {
        if (devices < 1 || devices > MAX_DEVICES) {
            throw new IllegalArgumentException("devices must be between 1 and " + MAX_DEVICES + ", was " + devices);
        }
        if (start == null) {
            throw new IllegalArgumentException("start must not be null");
        }
        if (days < 1 || days > 366) {
            throw new IllegalArgumentException("days must be between 1 and 366, was " + days);
        }
        requireShare("windows11Share", windows11Share);
        requireShare("localizedTitleShare", localizedTitleShare);
        requireShare("winreDisabledShare", winreDisabledShare);
        requireShare("transientFailureRate", transientFailureRate);
        requireShare("remediationShare", remediationShare);
        requireShare("offlineShare", offlineShare);
    }

    /** Default settings for {@code devices} devices and {@code seed}. */
    public static SimulationSettings of(int devices, long seed) {
        return new SimulationSettings(devices, seed, DEFAULT_START, DEFAULT_DAYS, DEFAULT_WINDOWS11_SHARE,
                DEFAULT_LOCALIZED_TITLE_SHARE, DEFAULT_WINRE_DISABLED_SHARE, DEFAULT_TRANSIENT_FAILURE_RATE,
                DEFAULT_REMEDIATION_SHARE, DEFAULT_OFFLINE_SHARE);
    }

    /** A copy with another start. */
    public SimulationSettings withStart(Instant newStart) {
        return new SimulationSettings(devices, seed, newStart, days, windows11Share, localizedTitleShare,
                winreDisabledShare, transientFailureRate, remediationShare, offlineShare);
    }

    /** A copy with another period length. */
    public SimulationSettings withDays(int newDays) {
        return new SimulationSettings(devices, seed, start, newDays, windows11Share, localizedTitleShare,
                winreDisabledShare, transientFailureRate, remediationShare, offlineShare);
    }

    /** End of the simulated period (exclusive): no attempt finishes at or after it. */
    public Instant end() {
        return start.plusSeconds(86_400L * days);
    }

    private static void requireShare(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be a share between 0 and 1, was " + value);
        }
    }
}
