package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.WinreStatus;
import io.patchpulse.schemas.values.FreeBucket;
import io.patchpulse.schemas.values.WinreVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The model of one device during the January 2024 WinRE rollout (KB5034441 / KB5034440). Each device draws from its
 * own {@link Random}, seeded from the simulation seed and the device index, so a device's history does not depend on
 * how many other devices there are or in which order they are planned. Only {@link Random#nextDouble()} and
 * {@link Random#nextInt(int)} are used: both are specified exactly, so the output is the same on every JVM.
 *
 * <p>The rules, in one place:
 * <ul>
 *   <li>An attempt fails with 0x80070643 exactly when WinRE is enabled, the recovery partition has less than
 *       {@link FreeBucket#REQUIRED_BYTES} free and the WinRE image is not yet at the fixed version.</li>
 *   <li>Any other attempt may fail with a transient code (0x8024200B, 0x80070002); the next attempt then succeeds,
 *       and a transient failure is only drawn when a next attempt exists inside the period.</li>
 *   <li>Success moves WinRE to the line's fixed version (10.0.19041.3920 on Windows 10) and uses some of the free
 *       space (the serviced image is larger). With WinRE disabled there is no image to service: the update reports
 *       success and the WinRE version stays as it was.</li>
 *   <li>Windows Update retries once or twice a day, at varying hours, until success or the end of the period.</li>
 *   <li>Some blocked devices are remediated between two attempts: the partition is grown (KB5028997, only when it
 *       sits right after the OS partition) or the KB5034957 script patches the image in place (scriptPatched, WinRE
 *       at the fixed version). The next attempt succeeds.</li>
 *   <li>Some devices are out of the collector's reach (off VPN, travelling) for 1 to 3 days around one of their
 *       own records; Windows Update keeps working meanwhile, and what happens is received as a backlog when they
 *       come back (always under 5 days late). Everything else arrives seconds after it happens.</li>
 * </ul>
 */
final class DevicePlanner {

    static final long MIB = 1_048_576L;
    static final int INSTALL_FAILURE = 0x80070643;
    /** WU_E_UH_INSTALLERFAILURE and ERROR_FILE_NOT_FOUND: common one-off install errors that a retry clears. */
    static final int[] TRANSIENT_ERRORS = {0x8024200B, 0x80070002};

    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final String[] SITES = {"ams", "ber", "lon", "lyo", "muc", "nyc", "sgp"};

    private final SimulationSettings settings;
    private final RetrySchedule schedule;
    private final long startMs;
    private final long endMs;

    DevicePlanner(SimulationSettings settings) {
        this(settings, RetrySchedule.UNTIL_END);
    }

    DevicePlanner(SimulationSettings settings, RetrySchedule schedule) {
        this.settings = settings;
        this.schedule = schedule;
        this.startMs = settings.start().toEpochMilli();
        this.endMs = settings.end().toEpochMilli();
    }

    /** The whole history of device {@code index}. */
    DeviceTimeline plan(int index) {
        Random random = new Random(Seeds.deviceSeed(settings.seed(), index));
        DeviceProfile profile = drawProfile(index, random);
        DeviceState initial = drawInitialState(profile, random);
        return simulate(profile, initial, random);
    }

    /** True when an attempt on this device in this state fails for lack of recovery-partition space. */
    static boolean isBlocked(DeviceProfile profile, DeviceState state) {
        return profile.winreStatus() == WinreStatus.ENABLED
                && state.freeBytes() < FreeBucket.REQUIRED_BYTES
                && !atFixedVersion(profile, state);
    }

    private static boolean atFixedVersion(DeviceProfile profile, DeviceState state) {
        return WinreVersion.parse(state.winreVersion())
                .map(version -> version.isAtLeast(profile.os().fixedWinre()))
                .orElse(false);
    }

    private DeviceProfile drawProfile(int index, Random random) {
        OsLine os;
        if (random.nextDouble() < settings.windows11Share()) {
            os = OsLine.WINDOWS_11_21H2;
        } else {
            os = random.nextDouble() < 0.3 ? OsLine.WINDOWS_10_21H2 : OsLine.WINDOWS_10_22H2;
        }
        return drawProfile(settings, index, os, random);
    }

    /** Everything but the OS line of device {@code index}: title language, partition, WinRE, BitLocker, tags. */
    static DeviceProfile drawProfile(SimulationSettings settings, int index, OsLine os, Random random) {
        String product = os.family() + " " + pickProduct(random, os);
        int ubr = os.ubrs().get(random.nextInt(os.ubrs().size()));
        OsLine.TitleLanguage language = OsLine.TitleLanguage.ENGLISH;
        if (random.nextDouble() < settings.localizedTitleShare()) {
            double which = random.nextDouble();
            language = which < 0.4 ? OsLine.TitleLanguage.FRENCH
                    : which < 0.8 ? OsLine.TitleLanguage.GERMAN : OsLine.TitleLanguage.SPANISH;
        }
        // 3 % of inventories cannot read the recovery partition (size and free space unknown).
        boolean partitionReported = random.nextDouble() >= 0.03;
        double layoutRoll = random.nextDouble();
        RecoveryLayout layout = layoutRoll < 0.6 ? RecoveryLayout.AFTER_OS
                : layoutRoll < 0.8 ? RecoveryLayout.LAST_ON_DISK : RecoveryLayout.OTHER;
        PartitionStyle style = random.nextDouble() < 0.88 ? PartitionStyle.GPT : PartitionStyle.MBR;
        boolean winreEnabled = random.nextDouble() >= settings.winreDisabledShare();
        String location = winreEnabled ? winreLocation(layout, style) : null;
        BitLockerState bitlocker = drawBitLocker(random);
        String site = SITES[random.nextInt(SITES.length)];
        double ringRoll = random.nextDouble();
        String ring = ringRoll < 0.10 ? "pilot" : ringRoll < 0.95 ? "broad" : "critical";
        double spellingRoll = random.nextDouble();
        ErrorSpelling spelling = spellingRoll < 0.5 ? ErrorSpelling.HEX
                : spellingRoll < 0.8 ? ErrorSpelling.SIGNED : ErrorSpelling.UNSIGNED;
        return new DeviceProfile(index, Seeds.deviceId(settings.seed(), index), os, product, ubr, language,
                partitionReported, partitionReported ? layout : RecoveryLayout.UNKNOWN,
                partitionReported ? style : PartitionStyle.UNKNOWN,
                winreEnabled ? WinreStatus.ENABLED : WinreStatus.DISABLED, location, bitlocker, site, ring,
                spelling);
    }

    private static String pickProduct(Random random, OsLine os) {
        double roll = random.nextDouble();
        if (os == OsLine.WINDOWS_11_21H2) {
            return roll < 0.4 ? "Pro" : "Enterprise";
        }
        if (os == OsLine.WINDOWS_SERVER_2022) {
            return roll < 0.6 ? "Standard" : "Datacenter";
        }
        return roll < 0.4 ? "Pro" : roll < 0.9 ? "Enterprise" : "Education";
    }

    private static String winreLocation(RecoveryLayout layout, PartitionStyle style) {
        int partition;
        if (style == PartitionStyle.GPT) {
            // EFI, MSR, OS, then recovery; an OEM tools partition may sit before a last-on-disk recovery partition.
            partition = layout == RecoveryLayout.AFTER_OS ? 4 : layout == RecoveryLayout.LAST_ON_DISK ? 5 : 1;
        } else {
            // System Reserved, OS, then recovery.
            partition = layout == RecoveryLayout.AFTER_OS ? 3 : layout == RecoveryLayout.LAST_ON_DISK ? 4 : 1;
        }
        return "\\\\?\\GLOBALROOT\\device\\harddisk0\\partition" + partition + "\\Recovery\\WindowsRE";
    }

    private static BitLockerState drawBitLocker(Random random) {
        double roll = random.nextDouble();
        if (roll < 0.28) {
            return new BitLockerState(BitLockerProtection.OFF, BitLockerVolumeStatus.FULLY_DECRYPTED, "None",
                    ProtectorClass.NONE);
        }
        if (roll < 0.73) {
            double method = random.nextDouble();
            return new BitLockerState(BitLockerProtection.ON, BitLockerVolumeStatus.FULLY_ENCRYPTED,
                    method < 0.80 ? "XtsAes128" : method < 0.95 ? "XtsAes256" : "Aes128", ProtectorClass.TPM_ONLY);
        }
        if (roll < 0.85) {
            return new BitLockerState(BitLockerProtection.ON, BitLockerVolumeStatus.FULLY_ENCRYPTED, "XtsAes256",
                    ProtectorClass.TPM_PREBOOT);
        }
        if (roll < 0.94) {
            // Protection suspended (for example by a firmware update that never resumed it).
            return new BitLockerState(BitLockerProtection.OFF, BitLockerVolumeStatus.FULLY_ENCRYPTED, "XtsAes128",
                    ProtectorClass.TPM_ONLY);
        }
        if (roll < 0.98) {
            double status = random.nextDouble();
            BitLockerVolumeStatus volume = status < 0.6 ? BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS
                    : status < 0.8 ? BitLockerVolumeStatus.ENCRYPTION_PAUSED
                    : BitLockerVolumeStatus.DECRYPTION_IN_PROGRESS;
            return new BitLockerState(BitLockerProtection.OFF, volume, "XtsAes128", ProtectorClass.TPM_ONLY);
        }
        return new BitLockerState(BitLockerProtection.UNKNOWN, BitLockerVolumeStatus.UNKNOWN, null,
                ProtectorClass.UNKNOWN);
    }

    static DeviceState drawInitialState(DeviceProfile profile, Random random) {
        long sizeMib = profile.partitionReported() ? drawPartitionMib(random)
                // Not readable by the inventory; modelled with room to spare so that every 0x80070643 is
                // explained by a reported inventory.
                : 750 + random.nextInt(1300);
        // winre.wim: recently serviced images are 395-480 MiB, older ones 300-394 MiB.
        long imageMib = random.nextDouble() < 0.7 ? 395 + random.nextInt(86) : 300 + random.nextInt(95);
        long imageBytes = imageMib * MIB + random.nextInt((int) MIB);
        // File system, ReAgent.xml and boot files.
        long overheadBytes = (6 + random.nextInt(19)) * MIB;
        long sizeBytes = sizeMib * MIB;
        long freeBytes = Math.max(sizeBytes - imageBytes - overheadBytes, (8 + random.nextInt(24)) * MIB);
        String winre = profile.os().unpatchedWinre().get(random.nextInt(profile.os().unpatchedWinre().size()));
        return new DeviceState(sizeBytes, freeBytes, winre, false);
    }

    /** Recovery partition sizes in MiB as found in the field. */
    private static long drawPartitionMib(Random random) {
        double roll = random.nextDouble();
        if (roll < 0.05) {
            return pick(random, 450, 471, 484, 499); // older Windows 10 setups
        }
        if (roll < 0.26) {
            return 505 + random.nextInt(26); // the Windows default, ~500-530 MiB
        }
        if (roll < 0.57) {
            // OEM images, 540-650 MiB (the seed article's 572 and 607 MB partitions among them)
            return random.nextDouble() < 0.5 ? pick(random, 560, 572, 590, 607, 625, 650) : 540 + random.nextInt(111);
        }
        if (roll < 0.82) {
            return 750 + random.nextInt(274); // recreated by a feature update or OEM, 750 MiB to < 1 GiB
        }
        return pick(random, 1024, 1024, 1100, 1536, 2048);
    }

    static long pick(Random random, long... choices) {
        return choices[random.nextInt(choices.length)];
    }

    static long between(Random random, long low, long high) {
        return low + (long) (random.nextDouble() * (high - low));
    }

    private DeviceTimeline simulate(DeviceProfile profile, DeviceState initial, Random random) {
        boolean twiceDaily = random.nextDouble() < 0.4;
        long firstAttempt = startMs + (random.nextDouble() < 0.85
                ? between(random, 30 * MINUTE, 30 * HOUR) : between(random, 30 * HOUR, 96 * HOUR));

        // Windows Update gives up after a while (when the schedule says so), and at the latest at the re-offer.
        long stopAt = endMs;
        if (schedule.stops()) {
            stopAt = firstAttempt + DAY * (schedule.minRetryDays()
                    + random.nextInt(schedule.maxRetryDays() - schedule.minRetryDays() + 1));
        }
        long reofferMs = schedule.reofferAt() == null ? Long.MAX_VALUE : schedule.reofferAt().toEpochMilli();
        stopAt = Math.min(stopAt, reofferMs);

        List<long[]> attempts = new ArrayList<>();
        long download = firstAttempt;
        while (download < stopAt) {
            long started = download + between(random, 2 * MINUTE, 8 * MINUTE);
            long result = started + between(random, 3 * MINUTE, 15 * MINUTE);
            if (result >= endMs) {
                break;
            }
            attempts.add(new long[] {download, started, result});
            // Once or twice a day, at hours that drift from day to day.
            download += twiceDaily ? between(random, 10 * HOUR, 14 * HOUR) : between(random, 20 * HOUR, 28 * HOUR);
        }
        // Offered again: whoever is not fixed by then tries once more (most within a day), then daily again.
        int firstReoffered = attempts.size();
        if (reofferMs < endMs) {
            download = reofferMs + (random.nextDouble() < 0.85
                    ? between(random, 30 * MINUTE, 30 * HOUR) : between(random, 30 * HOUR, 72 * HOUR));
            if (!attempts.isEmpty()) {
                download = Math.max(download, attempts.get(attempts.size() - 1)[2] + HOUR);
            }
            while (true) {
                long started = download + between(random, 2 * MINUTE, 8 * MINUTE);
                long result = started + between(random, 3 * MINUTE, 15 * MINUTE);
                if (result >= endMs) {
                    break;
                }
                attempts.add(new long[] {download, started, result});
                download += between(random, 20 * HOUR, 28 * HOUR);
            }
        }

        long remediationAt = -1;
        boolean resize = false;
        if (isBlocked(profile, initial) && attempts.size() >= 2
                && random.nextDouble() < settings.remediationShare()) {
            int before = 1 + random.nextInt(attempts.size() - 1);
            if (firstReoffered > 0 && firstReoffered < attempts.size() && random.nextDouble() < 0.3) {
                // Remediated while Windows Update had given up: the re-offer then succeeds.
                before = firstReoffered;
            }
            long gapStart = attempts.get(before - 1)[2];
            long gapEnd = attempts.get(before)[0];
            remediationAt = gapStart + (long) ((0.1 + 0.8 * random.nextDouble()) * (gapEnd - gapStart));
            // Resizing (KB5028997) only works when the recovery partition sits right after the OS partition.
            resize = profile.layout() == RecoveryLayout.AFTER_OS && random.nextDouble() < 0.6;
        }

        // First what happens on the device (receive times are filled in afterwards) ...
        List<DeviceState> states = new ArrayList<>(3);
        states.add(initial);
        List<Step> happened = new ArrayList<>(8);
        long inventoryAt = startMs + between(random, MINUTE, 20 * MINUTE);
        happened.add(new Step(happened.size(), inventoryAt, 0, null, 0, 0));
        int stateIndex = 0;
        boolean transientBefore = false;
        RemediationCause remediatedBy = null;
        int failures = 0;
        boolean succeeded = false;
        for (int i = 0; i < attempts.size(); i++) {
            long[] attempt = attempts.get(i);
            boolean justRemediated = false;
            if (remediationAt >= 0 && remediationAt < attempt[0]) {
                DeviceState current = states.get(stateIndex);
                DeviceState remediated;
                if (resize) {
                    // Grown well past the requirement, so free space stays at or above 250 MiB after the update
                    // has used some of it: the resize is what made the difference, in every inventory after it.
                    long growth = Math.max(pick(random, 256, 300, 500, 750) * MIB,
                            FreeBucket.REQUIRED_BYTES + 64 * MIB - current.freeBytes());
                    remediated = current.withPartition(current.partitionSizeBytes() + growth,
                            current.freeBytes() + growth);
                } else {
                    long used = (5 + random.nextInt(16)) * MIB;
                    remediated = current.withWinre(profile.os().fixedWinre().toString(),
                            Math.max(MIB, current.freeBytes() - used), true);
                }
                states.add(remediated);
                stateIndex++;
                remediatedBy = resize ? RemediationCause.PARTITION_RESIZED : RemediationCause.SCRIPT_APPLIED;
                happened.add(new Step(happened.size(), remediationAt, 0, null, 0, stateIndex));
                remediationAt = -1;
                justRemediated = true;
            }
            happened.add(new Step(happened.size(), attempt[0], 0, Outcome.DOWNLOAD_STARTED, 0, stateIndex));
            happened.add(new Step(happened.size(), attempt[1], 0, Outcome.STARTED, 0, stateIndex));
            DeviceState current = states.get(stateIndex);
            if (isBlocked(profile, current)) {
                happened.add(new Step(happened.size(), attempt[2], 0, Outcome.FAILED, INSTALL_FAILURE, stateIndex));
                failures++;
                transientBefore = false;
                continue;
            }
            boolean hasNext = i + 1 < attempts.size();
            if (hasNext && !transientBefore && !justRemediated
                    && random.nextDouble() < settings.transientFailureRate()) {
                int error = TRANSIENT_ERRORS[random.nextInt(TRANSIENT_ERRORS.length)];
                happened.add(new Step(happened.size(), attempt[2], 0, Outcome.FAILED, error, stateIndex));
                failures++;
                transientBefore = true;
                continue;
            }
            DeviceState after = afterSuccess(profile, current, random);
            boolean changed = !after.equals(current);
            if (changed) {
                states.add(after);
                stateIndex++;
            }
            happened.add(new Step(happened.size(), attempt[2], 0, Outcome.SUCCEEDED, 0, stateIndex));
            if (changed) {
                happened.add(new Step(happened.size(), attempt[2], 0, null, 0, stateIndex));
            }
            succeeded = true;
            break;
        }
        // What the plan decided, for the truth: a remediation made the difference, else the plain retry did.
        RemediationCause cause = null;
        if (failures > 0 && succeeded) {
            cause = remediatedBy != null ? remediatedBy : RemediationCause.RETRY;
        }
        int results = failures + (succeeded ? 1 : 0);
        List<KbPlan> plans = List.of(new KbPlan(profile.os().january(), results, failures, succeeded, false, cause));
        // ... then when the collector hears of it.
        return new DeviceTimeline(profile, states, receive(startMs, settings, happened, random), plans);
    }

    /**
     * Receive times: seconds after the fact, except on devices out of reach for 1 to 3 days around one of their
     * own records, whose records from that stretch arrive as a backlog when they are back.
     */
    static List<Step> receive(long startMs, SimulationSettings settings, List<Step> happened, Random random) {
        long offlineFrom = Long.MAX_VALUE;
        long offlineUntil = Long.MAX_VALUE;
        long flushDelay = 0;
        if (random.nextDouble() < settings.offlineShare()) {
            long anchor = happened.get(random.nextInt(happened.size())).occurredAt();
            offlineFrom = Math.max(startMs, anchor - between(random, 0, 12 * HOUR));
            offlineUntil = offlineFrom + between(random, DAY, 3 * DAY);
            flushDelay = between(random, 10 * SECOND, 5 * MINUTE);
        }
        List<Step> received = new ArrayList<>(happened.size());
        int backlog = 0;
        for (Step step : happened) {
            long receivedAt;
            Step previous = received.isEmpty() ? null : received.get(received.size() - 1);
            if (step.isInventory() && previous != null && previous.outcome() == Outcome.SUCCEEDED
                    && previous.occurredAt() == step.occurredAt()) {
                // The new WinRE state is reported with the success, in the same upload.
                receivedAt = previous.receivedAt();
            } else if (step.occurredAt() >= offlineFrom && step.occurredAt() < offlineUntil) {
                // The backlog is uploaded in occurrence order, 200 ms apart, once the device is back.
                receivedAt = offlineUntil + flushDelay + 200L * backlog++;
            } else {
                receivedAt = step.occurredAt() + 500 + (long) (random.nextDouble() * 89_500);
            }
            received.add(step.withReceivedAt(receivedAt));
        }
        return received;
    }

    static DeviceState afterSuccess(DeviceProfile profile, DeviceState current, Random random) {
        if (profile.winreStatus() != WinreStatus.ENABLED || atFixedVersion(profile, current)) {
            // WinRE disabled: nothing to service. Already patched by the KB5034957 script: nothing left to do.
            return current;
        }
        long used = (10 + random.nextInt(31)) * MIB;
        return current.withWinre(profile.os().fixedWinre().toString(), Math.max(MIB, current.freeBytes() - used),
                current.scriptPatched());
    }
}
