package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.WinreStatus;
import io.patchpulse.schemas.values.WinreVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The model of one device in April 2025, when KB5057589 (Windows 10 21H2/22H2) and KB5057588 (Windows Server 2022)
 * reported 0x80070643 falsely while another update waited for a restart (DOMAIN.md section 1, rule 5). Each device
 * draws from its own seeded {@link Random}, as in {@link DevicePlanner}, and falls into one kind:
 * <ul>
 *   <li>{@link Kind#FIRST_TIME}: the first attempt succeeds.</li>
 *   <li>{@link Kind#FALSE_FAILURE}: another update is pending a restart, so the first attempt reports FAILED
 *       0x80070643 with {@code rebootPending=true}; the device restarts 2 to 30 hours later (never later than half the
 *       false-failure time) and the update then succeeds.</li>
 *   <li>{@link Kind#LATE_REBOOT}: the same, but nobody restarts the device for longer than the false-failure time
 *       (one to three days more): the daily retries keep failing with {@code rebootPending=true} and the success after
 *       the restart counts as a plain retry, not as a false failure.</li>
 *   <li>{@link Kind#SPACE}: a real failure. WinRE enabled, less than 100 MiB free in the recovery partition, no reboot
 *       pending; every daily retry fails, and on half of these devices each failure comes with a WinREAgent 4502
 *       (ErrorPhase 2, CBS_E_INSUFFICIENT_DISK_SPACE) one to three minutes before it.</li>
 *   <li>{@link Kind#NEWER_RELEASE} (Windows 10 only): still failing KB5034441 for lack of space (two failures in the
 *       week before 2025-04-08, 150 to 249 MiB free, WinRE below 10.0.19041.3920); KB5057589 then succeeds first time
 *       and brings WinRE to 10.0.19041.5728 (a model assumption, see {@link WinreUpdate}): fixed for KB5034441 by the
 *       newer release, without ever succeeding on it.</li>
 * </ul>
 * Model assumptions beyond DOMAIN.md: the April 2025 payload needs less room than KB5034441 (so 150 to 249 MiB is
 * enough for it); outside the space failures every device has at least 130 MiB free; most Windows 10 WinRE images
 * are already at or above 10.0.19041.3920 in April 2025; Server 2022 images are spread around 10.0.20348.2846.
 * A success services WinRE (when enabled) to the update's version and uses 10 to 40 MiB.
 */
final class Apr2025Planner {

    /** KB5057589's release: Patch Tuesday, 2025-04-08, 10:00 Pacific (daylight time). */
    static final Instant START = Instant.parse("2025-04-08T17:00:00Z");
    /** CBS_E_INSUFFICIENT_DISK_SPACE, the servicing error behind the space failures (DOMAIN.md section 1). */
    static final int INSUFFICIENT_SPACE = 0x800F0828;

    private static final long MIB = DevicePlanner.MIB;
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final double SERVER_SHARE = 0.3;

    /** What happens to a device; see the class comment. */
    enum Kind {
        FIRST_TIME, FALSE_FAILURE, LATE_REBOOT, SPACE, NEWER_RELEASE
    }

    private final SimulationSettings settings;
    private final long startMs;
    private final long endMs;
    private final long falseFailureMs;

    Apr2025Planner(SimulationSettings settings, Duration falseFailureWithin) {
        this.settings = settings;
        this.startMs = settings.start().toEpochMilli();
        this.endMs = settings.end().toEpochMilli();
        this.falseFailureMs = falseFailureWithin.toMillis();
        long needed = lastPossibleResult() - startMs;
        if (needed >= endMs - startMs) {
            throw new IllegalArgumentException("apr-2025 needs at least " + (needed / DAY + 1) + " days with a "
                    + "false-failure time of " + falseFailureWithin + ", was " + settings.days());
        }
    }

    /** Latest moment any planned result can happen, relative to the period (late restarts are the last). */
    private long lastPossibleResult() {
        return startMs + 96 * HOUR + 30 * MINUTE + falseFailureMs + 3 * DAY + 30 * MINUTE;
    }

    /** The whole history of device {@code index}. */
    DeviceTimeline plan(int index) {
        Random random = new Random(Seeds.deviceSeed(settings.seed(), index));
        OsLine os = random.nextDouble() < SERVER_SHARE ? OsLine.WINDOWS_SERVER_2022
                : random.nextDouble() < 0.3 ? OsLine.WINDOWS_10_21H2 : OsLine.WINDOWS_10_22H2;
        DeviceProfile profile = DevicePlanner.drawProfile(settings, index, os, random);
        DeviceState drawn = DevicePlanner.drawInitialState(profile, random);
        WinreUpdate update = os == OsLine.WINDOWS_SERVER_2022 ? WinreUpdate.KB5057588 : WinreUpdate.KB5057589;
        boolean serviceable = profile.winreStatus() == WinreStatus.ENABLED && profile.partitionReported();

        double roll = random.nextDouble();
        Kind kind = roll < 0.04 && serviceable && os != OsLine.WINDOWS_SERVER_2022 ? Kind.NEWER_RELEASE
                : roll < 0.08 && serviceable ? Kind.SPACE
                : roll < 0.10 ? Kind.LATE_REBOOT
                : roll < 0.40 ? Kind.FALSE_FAILURE
                : Kind.FIRST_TIME;

        DeviceState initial = initialState(profile, drawn, kind, random);
        return new Device(profile, update, initial, random).plan(kind);
    }

    private static DeviceState initialState(DeviceProfile profile, DeviceState drawn, Kind kind, Random random) {
        String winre;
        if (profile.os() == OsLine.WINDOWS_SERVER_2022) {
            winre = pick(random, "10.0.20348.2227", "10.0.20348.2582", "10.0.20348.2849", "10.0.20348.3207",
                    "10.0.20348.3207");
        } else if (kind == Kind.NEWER_RELEASE || random.nextDouble() < 0.2) {
            winre = drawn.winreVersion(); // still below 10.0.19041.3920
        } else {
            winre = pick(random, "10.0.19041.3920", "10.0.19041.4522", "10.0.19041.5363", "10.0.19041.5363");
        }
        long free;
        if (kind == Kind.SPACE) {
            free = (8 + random.nextInt(88)) * MIB;
        } else if (kind == Kind.NEWER_RELEASE) {
            free = (150 + random.nextInt(100)) * MIB - random.nextInt((int) MIB);
        } else {
            free = Math.max(drawn.freeBytes(), (130 + random.nextInt(60)) * MIB);
        }
        long size = Math.max(drawn.partitionSizeBytes(), free + 300 * MIB);
        return new DeviceState(size, free, winre, false);
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** One device being planned: its steps and states grow as the plan goes. */
    private final class Device {
        private final DeviceProfile profile;
        private final WinreUpdate update;
        private final Random random;
        private final List<DeviceState> states = new ArrayList<>(3);
        private final List<Step> happened = new ArrayList<>(16);

        Device(DeviceProfile profile, WinreUpdate update, DeviceState initial, Random random) {
            this.profile = profile;
            this.update = update;
            this.random = random;
            states.add(initial);
        }

        DeviceTimeline plan(Kind kind) {
            List<KbPlan> plans = new ArrayList<>(2);
            long firstAttempt = startMs + (random.nextDouble() < 0.85
                    ? DevicePlanner.between(random, 30 * MINUTE, 30 * HOUR)
                    : DevicePlanner.between(random, 30 * HOUR, 96 * HOUR));
            if (kind == Kind.NEWER_RELEASE) {
                // Two KB5034441 failures in the week before Patch Tuesday, the inventory just before the first.
                long first = startMs - 7 * DAY + DevicePlanner.between(random, HOUR, DAY);
                inventory(first - DevicePlanner.between(random, MINUTE, 20 * MINUTE));
                long end = attempt(first, WinreUpdate.KB5034441, false);
                attempt(end + DevicePlanner.between(random, 44 * HOUR, 76 * HOUR), WinreUpdate.KB5034441, false);
                plans.add(new KbPlan(WinreUpdate.KB5034441, 2, 2, false, false, RemediationCause.NEWER_RELEASE));
            } else {
                inventory(startMs + DevicePlanner.between(random, MINUTE, 20 * MINUTE));
            }
            switch (kind) {
                case SPACE -> plans.add(space(firstAttempt));
                case FALSE_FAILURE -> plans.add(rebootPending(firstAttempt,
                        DevicePlanner.between(random, 2 * HOUR, Math.min(30 * HOUR, falseFailureMs / 2))));
                case LATE_REBOOT -> plans.add(rebootPending(firstAttempt,
                        falseFailureMs + DevicePlanner.between(random, DAY, 3 * DAY)));
                case NEWER_RELEASE -> {
                    succeed(firstAttempt, true, true);
                    plans.add(new KbPlan(update, 1, 0, true, false, null));
                }
                default -> {
                    succeed(firstAttempt, true, random.nextDouble() < 0.5);
                    plans.add(new KbPlan(update, 1, 0, true, false, null));
                }
            }
            return new DeviceTimeline(profile, states, DevicePlanner.receive(startMs, settings, happened, random),
                    plans);
        }

        /** Fails every day until the end of the period; half the devices also log a WinREAgent 4502. */
        private KbPlan space(long firstAttempt) {
            boolean agentEvents = random.nextDouble() < 0.5;
            int failures = 0;
            long download = firstAttempt;
            while (true) {
                long started = download + DevicePlanner.between(random, 2 * MINUTE, 8 * MINUTE);
                long result = started + DevicePlanner.between(random, 3 * MINUTE, 15 * MINUTE);
                if (result >= endMs) {
                    break;
                }
                add(download, Outcome.DOWNLOAD_STARTED, 0, update, false, 0);
                add(started, Outcome.STARTED, 0, update, false, 0);
                if (agentEvents) {
                    // Within the attempt, a minute or three before Windows Update reports the failure.
                    long servicing = result - DevicePlanner.between(random, MINUTE, 3 * MINUTE);
                    add(servicing, Outcome.WINRE_SERVICING_FAILED, INSUFFICIENT_SPACE, update, false, 2);
                }
                add(result, Outcome.FAILED, DevicePlanner.INSTALL_FAILURE, update, false, 0);
                failures++;
                download += DevicePlanner.between(random, 20 * HOUR, 28 * HOUR);
            }
            return new KbPlan(update, failures, failures, false, false, null);
        }

        /**
         * Fails with a restart pending, retries daily (still pending) until the restart {@code restartAfter} after
         * the first failure, then succeeds.
         */
        private KbPlan rebootPending(long firstAttempt, long restartAfter) {
            long firstFailure = attempt(firstAttempt, update, true);
            long restart = firstFailure + restartAfter;
            int failures = 1;
            long download = firstAttempt + DevicePlanner.between(random, 20 * HOUR, 28 * HOUR);
            while (download + 30 * MINUTE < restart) {
                attempt(download, update, true);
                failures++;
                download += DevicePlanner.between(random, 20 * HOUR, 28 * HOUR);
            }
            succeed(restart, false, random.nextDouble() < 0.6);
            boolean falseFailure = happened.get(happened.size() - 1).occurredAt() - firstFailure <= falseFailureMs;
            return new KbPlan(update, failures + 1, failures, true, falseFailure,
                    falseFailure ? RemediationCause.FALSE_FAILURE : RemediationCause.RETRY);
        }

        /** Download, start, failure with 0x80070643; returns the failure's time. */
        private long attempt(long download, WinreUpdate which, boolean pending) {
            long started = download + DevicePlanner.between(random, 2 * MINUTE, 8 * MINUTE);
            long result = started + DevicePlanner.between(random, 3 * MINUTE, 15 * MINUTE);
            add(download, Outcome.DOWNLOAD_STARTED, 0, which, false, 0);
            add(started, Outcome.STARTED, 0, which, false, 0);
            add(result, Outcome.FAILED, DevicePlanner.INSTALL_FAILURE, which, pending, 0);
            return result;
        }

        /**
         * A successful install starting at {@code at} (with a download first unless it resumes after a restart),
         * optionally with a WinREAgent 4501, then the new inventory.
         */
        private void succeed(long at, boolean download, boolean agentEvent) {
            long started;
            if (download) {
                add(at, Outcome.DOWNLOAD_STARTED, 0, update, false, 0);
                started = at + DevicePlanner.between(random, 2 * MINUTE, 8 * MINUTE);
            } else {
                started = at + DevicePlanner.between(random, 2 * MINUTE, 10 * MINUTE);
            }
            long result = started + DevicePlanner.between(random, 3 * MINUTE, 15 * MINUTE);
            add(started, Outcome.STARTED, 0, update, false, 0);
            DeviceState current = states.get(states.size() - 1);
            DeviceState after = serviced(current);
            boolean changed = !after.equals(current);
            if (changed) {
                states.add(after);
            }
            if (agentEvent && profile.winreStatus() == WinreStatus.ENABLED) {
                long servicing = result - DevicePlanner.between(random, MINUTE, 3 * MINUTE);
                add(servicing, Outcome.WINRE_SERVICING_SUCCEEDED, 0, update, false, 0);
            }
            add(result, Outcome.SUCCEEDED, 0, update, false, 0);
            if (changed) {
                inventory(result);
            }
        }

        private DeviceState serviced(DeviceState current) {
            if (profile.winreStatus() != WinreStatus.ENABLED) {
                return current;
            }
            boolean older = WinreVersion.parse(current.winreVersion())
                    .map(version -> !version.isAtLeast(update.winreAfter())).orElse(true);
            if (!older) {
                return current;
            }
            long used = (10 + random.nextInt(31)) * MIB;
            return current.withWinre(update.winreAfter().toString(), Math.max(MIB, current.freeBytes() - used),
                    current.scriptPatched());
        }

        private void inventory(long at) {
            happened.add(new Step(happened.size(), at, 0, null, 0, states.size() - 1));
        }

        private void add(long at, Outcome outcome, int hresult, WinreUpdate which, boolean pending, int phase) {
            happened.add(new Step(happened.size(), at, 0, outcome, hresult, states.size() - 1, which, pending,
                    phase));
        }
    }
}
