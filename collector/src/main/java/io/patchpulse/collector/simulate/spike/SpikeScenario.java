package io.patchpulse.collector.simulate.spike;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.values.Cohort;
import io.patchpulse.schemas.values.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * The {@code spike} scenario: a fleet at a quiet baseline, then one cohort (in some seeds two) starts failing at a
 * known minute, for some hours. Deterministic: the same settings give the same records and the same truth on every
 * JVM (only {@link Random#nextDouble()} and {@link Random#nextInt(int)}, which are specified exactly, and one
 * {@code Random} per device, so a device's history does not depend on the others).
 *
 * <p>The model:
 * <ul>
 *   <li>Devices run Windows 10 22H2, Windows 11 21H2 or Server 2022 ({@link SpikeFleet}); each is offered its
 *       line's January 2024 WinRE update and cumulative update. Recovery partition size and free space, and the
 *       BitLocker state, are drawn per device from a skewed mix, so cohorts range from a handful to a few hundred
 *       devices.</li>
 *   <li>Quiet baseline: install results arrive as a Poisson stream per device (mean one every
 *       {@code meanAttemptInterval}), half on each update; {@code transientFailureRate} of them fail with a
 *       one-off error (0x8024200B, 0x80070002).</li>
 *   <li>The spike, from a minute drawn in the evening of the re-offer day (2024-02-13, 17:00 to 23:00 UTC): the
 *       update is re-offered, every device of the spike cohort scans for it within hours (exponential, mean 90
 *       minutes), and each attempt of that cohort on that update fails with probability 0.6 to 0.9; a failed device
 *       retries 1 to 4 hours later. The fault is confined to the cohort by construction (a stand-in for a cause only
 *       that cohort shares), so the truth is exact. Its error is 0x80070643 for a WinRE update on a cohort with less
 *       than 250 MB free (the January 2024 pattern), else 0x800F0922. After 3 to 8 hours it stops: later attempts
 *       succeed.</li>
 *   <li>Spike cohorts are drawn from the cohorts with at least {@code minSpikeDevices} devices.</li>
 *   <li>Most records arrive seconds after they happen; {@code offlineShare} of them hours later (a device off the
 *       network), so the trend stage sees late events too.</li>
 * </ul>
 *
 * @param seed                 everything random derives from it
 * @param devices              fleet size
 * @param start                first minute of the simulated period
 * @param baselineDays         quiet days before the spike day
 * @param meanAttemptInterval  mean time between a device's install results at baseline
 * @param transientFailureRate share of baseline attempts that fail once
 * @param offlineShare         share of records received hours late
 * @param minSpikeDevices      a spike cohort has at least this many devices
 */
public record SpikeScenario(long seed, int devices, Instant start, int baselineDays, Duration meanAttemptInterval,
                            double transientFailureRate, double offlineShare, int minSpikeDevices) {

    /** The default start: two quiet days before Microsoft's re-offer of the WinRE updates on 2024-02-13. */
    public static final Instant DEFAULT_START = Instant.parse("2024-02-11T00:00:00Z");

    static final String WINRE_SPACE_ERROR = "0x80070643";
    /** CBS_E_INSTALLERS_FAILED: the servicing stack gave up; stands for any non-space cause. */
    static final String OTHER_SPIKE_ERROR = "0x800F0922";
    static final int[] TRANSIENT_ERRORS = {0x8024200B, 0x80070002};

    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    public SpikeScenario {
        if (devices < 1 || baselineDays < 1 || meanAttemptInterval == null || meanAttemptInterval.isNegative()
                || meanAttemptInterval.isZero() || start == null || minSpikeDevices < 1) {
            throw new IllegalArgumentException("a spike scenario needs devices, a start, at least one quiet day, a"
                    + " positive mean attempt interval and a minimum spike cohort size");
        }
        if (!(transientFailureRate >= 0 && transientFailureRate < 1) || !(offlineShare >= 0 && offlineShare < 1)) {
            throw new IllegalArgumentException("rates must be in [0, 1)");
        }
    }

    /**
     * Defaults for {@code seed}: 1,500 devices, two quiet days (a baseline of 24 hourly windows needs one), one install
     * result per device a day, 3 % transient failures, 2 % of records late, spike cohorts of at least 60 devices.
     * About 7,000 records: small enough to run many seeds through a TopologyTestDriver.
     */
    public static SpikeScenario defaults(long seed) {
        return new SpikeScenario(seed, 1_500, DEFAULT_START, 2, Duration.ofHours(24), 0.03, 0.02, 60);
    }

    /** End of the simulated period: a day and a half after the spike day begins, room for spikes to resolve. */
    public Instant end() {
        return spikeDay().plus(Duration.ofHours(36));
    }

    private Instant spikeDay() {
        return start.plus(Duration.ofDays(baselineDays));
    }

    /** Plans the fleet, draws the spikes and builds every record. */
    public SpikeSimulation plan() {
        List<SpikeFleet.Device> fleet = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            fleet.add(SpikeFleet.draw(seed, i));
        }
        List<Spike> spikes = drawSpikes(fleet);
        List<Planned> planned = new ArrayList<>();
        for (SpikeFleet.Device device : fleet) {
            planDevice(device, spikes, planned);
        }
        planned.sort(Comparator.comparingLong(Planned::receivedAt).thenComparingInt(Planned::device)
                .thenComparingInt(Planned::sequence));
        List<CollectedRecord> records = new ArrayList<>(planned.size());
        for (Planned p : planned) {
            records.add(p.record());
        }
        List<SpikeTruth> truth = spikes.stream().map(spike -> new SpikeTruth(spike.cohort, spike.errorCode,
                Instant.ofEpochMilli(spike.startMs), Instant.ofEpochMilli(spike.endMs), spike.devices)).toList();
        return new SpikeSimulation(this, records, truth);
    }

    /** One planted spike. */
    private record Spike(Cohort cohort, String errorCode, long startMs, long endMs, double failureProbability,
                         int devices) {
    }

    /** A record with what orders it. */
    private record Planned(long receivedAt, int device, int sequence, CollectedRecord record) {
    }

    private List<Spike> drawSpikes(List<SpikeFleet.Device> fleet) {
        Map<String, Cohort> cohorts = new TreeMap<>();
        Map<String, Integer> sizes = new TreeMap<>();
        for (SpikeFleet.Device device : fleet) {
            for (SpikeFleet.Update update : device.os().updates()) {
                Cohort cohort = device.cohort(update.kb());
                String key = key(cohort);
                cohorts.put(key, cohort);
                sizes.merge(key, 1, Integer::sum);
            }
        }
        List<String> candidates = sizes.entrySet().stream().filter(e -> e.getValue() >= minSpikeDevices)
                .map(Map.Entry::getKey).toList();
        if (candidates.isEmpty()) {
            throw new IllegalStateException("no cohort has " + minSpikeDevices + " devices: the fleet of " + devices
                    + " is too small for a spike");
        }
        Random random = new Random(SpikeFleet.hash(seed, -1, 0x5B1CE));
        int count = random.nextDouble() < 0.3 && candidates.size() > 1 ? 2 : 1;
        List<String> chosen = new ArrayList<>();
        while (chosen.size() < count) {
            String pick = candidates.get(random.nextInt(candidates.size()));
            if (!chosen.contains(pick)) {
                chosen.add(pick);
            }
        }
        List<Spike> spikes = new ArrayList<>();
        for (String key : chosen) {
            Cohort cohort = cohorts.get(key);
            long startMs = spikeDay().toEpochMilli() + 17 * HOUR + random.nextInt(6 * 60) * MINUTE;
            long endMs = startMs + 3 * HOUR + random.nextInt(5 * 60) * MINUTE;
            String error = SpikeFleet.isWinreUpdate(cohort.kb()) && "<250MB".equals(cohort.freeBucket())
                    ? WINRE_SPACE_ERROR : OTHER_SPIKE_ERROR;
            spikes.add(new Spike(cohort, error, startMs, endMs, 0.6 + 0.3 * random.nextDouble(), sizes.get(key)));
        }
        return spikes;
    }

    private static String key(Cohort cohort) {
        return cohort.kb() + "|" + cohort.sizeBucket() + "|" + cohort.freeBucket() + "|" + cohort.bitlocker();
    }

    /** An attempt the device will make: when, and on which update. */
    private record Attempt(long at, SpikeFleet.Update update) {
    }

    private void planDevice(SpikeFleet.Device device, List<Spike> spikes, List<Planned> out) {
        Random random = new Random(SpikeFleet.hash(seed, device.index(), 0xA77E));
        long startMs = start.toEpochMilli();
        long endMs = end().toEpochMilli();
        int sequence = 0;
        Map<String, Cohort> cohortOf = new TreeMap<>();
        for (SpikeFleet.Update update : device.os().updates()) {
            cohortOf.put(update.kb(), device.cohort(update.kb()));
        }

        long observed = startMs - (long) (random.nextDouble() * 6 * HOUR);
        DeviceInventory first = device.inventory(observed);
        out.add(new Planned(observed + 3_000, device.index(), sequence++,
                new CollectedRecord.Inventory(first, Instant.ofEpochMilli(observed + 3_000))));

        PriorityQueue<Attempt> attempts = new PriorityQueue<>(Comparator.comparingLong(Attempt::at));
        double meanMs = meanAttemptInterval.toMillis();
        for (long t = startMs + exponential(random, meanMs); t < endMs; t += exponential(random, meanMs)) {
            List<SpikeFleet.Update> updates = device.os().updates();
            attempts.add(new Attempt(t, updates.get(random.nextInt(updates.size()))));
        }
        for (Spike spike : spikes) {
            for (SpikeFleet.Update update : device.os().updates()) {
                if (cohortOf.get(update.kb()).equals(spike.cohort)) {
                    // The re-offer: the device finds the update at its next scan.
                    attempts.add(new Attempt(spike.startMs + exponential(random, 90 * MINUTE), update));
                }
            }
        }
        while (!attempts.isEmpty()) {
            Attempt attempt = attempts.poll();
            if (attempt.at() >= endMs) {
                break;
            }
            Spike spike = spikeAt(spikes, cohortOf.get(attempt.update().kb()), attempt.at());
            String rawError = null;
            if (spike != null) {
                if (random.nextDouble() < spike.failureProbability) {
                    rawError = spell(random, (int) Long.parseLong(spike.errorCode.substring(2), 16));
                    attempts.add(new Attempt(attempt.at() + HOUR + (long) (random.nextDouble() * 3 * HOUR),
                            attempt.update()));
                }
            } else if (random.nextDouble() < transientFailureRate) {
                rawError = spell(random, TRANSIENT_ERRORS[random.nextInt(TRANSIENT_ERRORS.length)]);
            }
            long occurred = attempt.at();
            long received = occurred + 2_000 + random.nextInt(28_000);
            if (random.nextDouble() < offlineShare) {
                received = occurred + HOUR + (long) (random.nextDouble() * 11 * HOUR);
            }
            InstallEvent event = InstallEvent.newBuilder()
                    .setEventId(SpikeFleet.eventId(seed, device.index(), sequence))
                    .setDeviceId(device.deviceId())
                    .setOccurredAt(Instant.ofEpochMilli(occurred))
                    .setReceivedAt(Instant.ofEpochMilli(received))
                    .setSource(EventSource.SIMULATOR)
                    .setKb(attempt.update().kb())
                    .setUpdateGuid(attempt.update().guid())
                    .setUpdateTitle(attempt.update().title())
                    .setOutcome(rawError == null ? Outcome.SUCCEEDED : Outcome.FAILED)
                    .setErrorCode(rawError == null ? null : ErrorCode.normalize(rawError).orElseThrow())
                    .setRawErrorCode(rawError)
                    .setRebootPending(Boolean.FALSE)
                    .setInventory(device.inventory(occurred))
                    .build();
            out.add(new Planned(received, device.index(), sequence++, new CollectedRecord.Event(event)));
        }
    }

    private static Spike spikeAt(List<Spike> spikes, Cohort cohort, long at) {
        for (Spike spike : spikes) {
            if (spike.cohort.equals(cohort) && at >= spike.startMs && at < spike.endMs) {
                return spike;
            }
        }
        return null;
    }

    /** Half the sources report hex, the other half the signed decimal that osquery and WMI use (DOMAIN.md rule 2). */
    private static String spell(Random random, int hresult) {
        return random.nextInt(2) == 0 ? String.format(java.util.Locale.ROOT, "0x%08X", hresult)
                : Integer.toString(hresult);
    }

    private static long exponential(Random random, double meanMs) {
        return Math.max(1, (long) (-StrictMath.log(1.0 - random.nextDouble()) * meanMs));
    }
}
