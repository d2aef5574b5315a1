package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.DeviceEvidence;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.values.BitLockerCohort;
import io.patchpulse.schemas.values.FreeBucket;
import io.patchpulse.schemas.values.SizeBucket;
import io.patchpulse.schemas.values.WinreVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Follows every device through every release of the catalog until it is fixed (DOMAIN.md section 2, rules 5 to 7).
 *
 * <p>Runs in the device's own task, after de-duplication and the lateness check, so it sees each observation of a
 * device once, in the order its task processes them. Per device and release it keeps a {@link DeviceStatus} (store
 * {@link Names#STORE_DEVICE_STATUS}, key {@code deviceId|kb}). A device is tracked for a release when its OS build is
 * one of the release's {@code osBuilds}, or when it reports a result on the release's KB; KBs outside the catalog
 * (Defender, .NET, ...) are not tracked here (the trends count them).
 *
 * <p>The rules, in the order they are applied to an observation:
 * <ol>
 *   <li>An event on the release's KB: FAILED counts an attempt and a failure and makes the device FAILING; the
 *       evidence at the first failure (free space, partition size, WinRE version, KB5034957 flag) is kept.
 *       SUCCEEDED counts an attempt and fixes it: FALSE_FAILURE when every failure came with a pending reboot and
 *       the success followed the first within {@link DeviceRules#falseFailureWithin()}, else FIXED.</li>
 *   <li>WinREAgent 4501 (servicing succeeded) is a success for the KB it names, or, when it names none, for
 *       releases that failed only while a reboot was pending (the April 2025 pattern).</li>
 *   <li>WinREAgent 4502 with ErrorPhase 2 within {@link DeviceRules#spaceEvidenceWithin()} of a failure confirms
 *       insufficient recovery-partition space.</li>
 *   <li>The device state the observation carries updates the facts: WinRE version, free space, partition size,
 *       KB5034957 flag, BitLocker. A WinRE version at or above the release's fixed version fixes the device.</li>
 * </ol>
 * A failing device that becomes fixed yields one {@link Remediation}; its cause is decided from the evidence,
 * strongest first: false failure, KB5034957 script applied, partition resized (it grew, or free space went from
 * under to over 250 MiB), newer release (fixed by WinRE version without a success on the KB), else a plain retry.
 * FIXED and FALSE_FAILURE are final: a device that got there is not offered the update again.
 *
 * <p>Every change of a status is forwarded with the change it makes to its release's totals (a
 * {@link org.apache.kafka.streams.processor.api.Record} per status, remediation and delta), all in the
 * transaction of the input record (exactly_once_v2).
 */
final class DeviceTracker implements Processor<String, DeviceObservation, String, Tracked> {

    private static final StringSerializer KEYS = new StringSerializer();
    private static final long MIB = 1_048_576L;

    private final long falseFailureWithinMs;
    private final long spaceEvidenceWithinMs;
    /**
     * How long (event time) a fix seen in the WinRE version waits for the event that explains it: the device's own
     * success, or another release's, often reported in the same upload and read from another topic a moment later.
     */
    static final Duration SETTLE = Duration.ofMinutes(10);
    /** The same in wall-clock time, for the last fixes of a stream that goes quiet. */
    static final Duration SETTLE_WALL = Duration.ofSeconds(30);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeviceTracker.class);

    private ProcessorContext<String, Tracked> context;
    private boolean warnedEmptyCatalog;
    private KeyValueStore<String, DeviceStatus> statuses;
    private KeyValueStore<String, String> provisional;
    private KeyValueStore<String, Release> releases;

    DeviceTracker(DeviceRules rules) {
        this.falseFailureWithinMs = rules.falseFailureWithin().toMillis();
        this.spaceEvidenceWithinMs = rules.spaceEvidenceWithin().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, Tracked> context) {
        this.context = context;
        this.statuses = context.getStateStore(Names.STORE_DEVICE_STATUS);
        this.provisional = context.getStateStore(Names.STORE_PROVISIONAL_FIXES);
        this.releases = context.getStateStore(Names.STORE_RELEASES);
        context.schedule(SETTLE.dividedBy(2), PunctuationType.STREAM_TIME,
                streamTime -> settle(fix -> fix.at() + SETTLE.toMillis() <= streamTime));
        context.schedule(Duration.ofSeconds(10), PunctuationType.WALL_CLOCK_TIME,
                now -> settle(fix -> fix.since() + SETTLE_WALL.toMillis() <= now));
    }

    @Override
    public void process(Record<String, DeviceObservation> record) {
        String deviceId = record.key();
        DeviceObservation observation = record.value();
        if (deviceId == null || observation == null) {
            return;
        }
        InstallEvent event = observation instanceof DeviceObservation.Event e ? e.event() : null;
        DeviceInventory inventory = observation.inventory();
        Integer build = inventory == null || inventory.getOs() == null ? null : inventory.getOs().getBuild();
        Map<String, Release> catalog = catalog();
        if (catalog.isEmpty() && !warnedEmptyCatalog) {
            warnedEmptyCatalog = true;
            LOG.warn("the release catalog is empty, so no device is followed yet (task {}): publish it with"
                    + " 'patchpulse releases load'", context.taskId());
        }

        Map<String, DeviceStatus> known = statusesOf(deviceId);
        TreeSet<String> kbs = new TreeSet<>(known.keySet());
        if (build != null) {
            catalog.values().stream().filter(release -> release.getOsBuilds().contains(build))
                    .forEach(release -> kbs.add(release.getKb()));
        }
        if (event != null && event.getKb() != null) {
            kbs.add(event.getKb());
        }
        // A release taken out of the catalog is no longer followed: its statuses stay as they were.
        kbs.retainAll(catalog.keySet());
        long at = observation.at();
        for (String kb : kbs) {
            String key = deviceId + "|" + kb;
            DeviceStatus before = known.get(kb);
            Update update = new Update(deviceId, kb, catalog.get(kb), before, at,
                    ProvisionalFix.decode(provisional.get(key)), catalog.keySet());
            if (event != null) {
                update.apply(event, inventory);
            }
            update.learn(inventory);
            update.fixByVersion();
            DeviceStatus after = update.build();
            if (update.settling) {
                provisional.put(key, new ProvisionalFix(after.getFixedAt().toEpochMilli(),
                        context.currentSystemTimeMs()).encode());
            }
            if (after.equals(before)) {
                continue;
            }
            statuses.put(key, after);
            context.forward(new Record<>(deviceId, Tracked.status(after), record.timestamp()));
            context.forward(new Record<>(deviceId, Tracked.progress(ProgressMath.delta(before, after, at)),
                    record.timestamp()));
            if (update.remediated) {
                provisional.delete(key);
                context.forward(new Record<>(deviceId, Tracked.remediation(remediationOf(after, catalog.get(kb))),
                        record.timestamp()));
            }
        }
    }

    /**
     * Emits the remediation of every fix seen in the WinRE version that has waited long enough for an explaining
     * event ({@link #SETTLE}): its cause is final from then on.
     */
    private void settle(java.util.function.Predicate<ProvisionalFix> due) {
        java.util.List<KeyValue<String, ProvisionalFix>> ready = new java.util.ArrayList<>();
        try (KeyValueIterator<String, String> all = provisional.all()) {
            all.forEachRemaining(entry -> {
                ProvisionalFix fix = ProvisionalFix.decode(entry.value);
                if (fix != null && due.test(fix)) {
                    ready.add(KeyValue.pair(entry.key, fix));
                }
            });
        }
        for (KeyValue<String, ProvisionalFix> entry : ready) {
            provisional.delete(entry.key);
            DeviceStatus status = statuses.get(entry.key);
            if (status == null || status.getFixCause() == null) {
                continue;
            }
            context.forward(new Record<>(status.getDeviceId(), Tracked.remediation(remediationOf(status,
                    releases.get(status.getKb()))), entry.value.at()));
        }
    }

    /** A fix seen in the WinRE version at {@code at} (event time), waiting since {@code since} (wall clock). */
    record ProvisionalFix(long at, long since) {

        String encode() {
            return at + ";" + since;
        }

        static ProvisionalFix decode(String text) {
            if (text == null) {
                return null;
            }
            int semicolon = text.indexOf(';');
            return new ProvisionalFix(Long.parseLong(text.substring(0, semicolon)),
                    Long.parseLong(text.substring(semicolon + 1)));
        }
    }

    /** The remediation record of a status that went from failing to fixed. */
    static Remediation remediationOf(DeviceStatus status, Release release) {
        DeviceEvidence evidence = status.getEvidence();
        long fixedAt = status.getFixedAt().toEpochMilli();
        long failingSince = status.getFirstFailureAt().toEpochMilli();
        boolean bySuccess = evidence.getFixedByEventId() != null;
        return Remediation.newBuilder()
                .setDeviceId(status.getDeviceId())
                .setKb(status.getKb())
                .setCause(status.getFixCause())
                .setEvidence(explain(status, release))
                .setFailingSince(status.getFirstFailureAt())
                .setFixedAt(status.getFixedAt())
                .setTimeToFixMillis(Math.max(0, fixedAt - failingSince))
                .setFixedByEventId(bySuccess ? evidence.getFixedByEventId() : null)
                .setWinreVersionBefore(evidence.getWinreVersionAtFirstFailure())
                .setWinreVersionAfter(status.getWinreVersion())
                .setFreeBytesBefore(evidence.getFreeBytesAtFirstFailure())
                .setFreeBytesAfter(evidence.getFreeBytes())
                .setSizeBucket(SizeBucket.ofBytes(evidence.getPartitionBytesAtFirstFailure()).label())
                .setFreeBucket(FreeBucket.ofBytes(evidence.getFreeBytesAtFirstFailure()).label())
                .setBitlocker(status.getBitlocker())
                .build();
    }

    private static String explain(DeviceStatus status, Release release) {
        DeviceEvidence evidence = status.getEvidence();
        Duration toFix = Duration.ofMillis(Math.max(0,
                status.getFixedAt().toEpochMilli() - status.getFirstFailureAt().toEpochMilli()));
        return switch (status.getFixCause()) {
            case FALSE_FAILURE -> "failed " + evidence.getRebootPendingFailures() + " time(s), each while a reboot was"
                    + " pending, and succeeded " + human(toFix) + " after the first failure: a false failure";
            case SCRIPT_APPLIED -> "the KB5034957 script reported success (WinREPathScriptSucceed=1) after the first"
                    + " failure";
            case PARTITION_RESIZED -> "the recovery partition was resized: "
                    + mib(evidence.getPartitionBytesAtFirstFailure()) + " -> " + mib(evidence.getPartitionBytes())
                    + ", free " + mib(evidence.getFreeBytesAtFirstFailure()) + " -> " + mib(evidence.getFreeBytes());
            case NEWER_RELEASE -> "WinRE reached " + status.getWinreVersion()
                    + (release == null || release.getFixedWinreVersion() == null ? ""
                            : " (fixed version " + release.getFixedWinreVersion() + ")")
                    + " after another release succeeded, without a success on " + status.getKb();
            case RETRY -> "a later attempt succeeded with no space, script or other-release change seen";
            default -> "unknown";
        };
    }

    /** The catalog as it is now: releases arrive on the global store at any time, so it is read on every record. */
    private Map<String, Release> catalog() {
        Map<String, Release> catalog = new LinkedHashMap<>();
        try (KeyValueIterator<String, Release> all = releases.all()) {
            while (all.hasNext()) {
                KeyValue<String, Release> entry = all.next();
                if (entry.value != null) {
                    catalog.put(entry.key, entry.value);
                }
            }
        }
        return catalog;
    }

    private Map<String, DeviceStatus> statusesOf(String deviceId) {
        Map<String, DeviceStatus> found = new TreeMap<>();
        String prefix = deviceId + "|";
        try (KeyValueIterator<String, DeviceStatus> own = statuses.prefixScan(prefix, KEYS)) {
            while (own.hasNext()) {
                KeyValue<String, DeviceStatus> entry = own.next();
                found.put(entry.key.substring(prefix.length()), entry.value);
            }
        }
        return found;
    }

    /** One status being updated by one observation. */
    private final class Update {

        private final Release release;
        private final DeviceStatus before;
        private final DeviceStatus.Builder status;
        private final DeviceEvidence.Builder evidence;
        private final long at;
        private final ProvisionalFix pending;
        private final java.util.Set<String> catalogKbs;
        /** A failing device got fixed by this observation, or its settling fix got its explaining event. */
        boolean remediated;
        /** A fix seen in the WinRE version: its remediation waits for an explaining event ({@link #SETTLE}). */
        boolean settling;

        Update(String deviceId, String kb, Release release, DeviceStatus before, long at, ProvisionalFix pending,
                java.util.Set<String> catalogKbs) {
            this.release = release;
            this.before = before;
            this.at = at;
            this.pending = pending;
            this.catalogKbs = catalogKbs;
            if (before == null) {
                this.status = DeviceStatus.newBuilder().setDeviceId(deviceId).setKb(kb)
                        .setState(DeviceUpdateState.NEVER_ATTEMPTED).setUpdatedAt(Instant.ofEpochMilli(at));
                this.evidence = DeviceEvidence.newBuilder();
            } else {
                this.status = DeviceStatus.newBuilder(before);
                this.evidence = DeviceEvidence.newBuilder(before.getEvidence());
            }
        }

        void apply(InstallEvent event, DeviceInventory inventory) {
            boolean ownKb = status.getKb().equals(event.getKb());
            long occurred = event.getOccurredAt().toEpochMilli();
            Outcome outcome = event.getOutcome();
            if (ownKb && outcome == Outcome.FAILED) {
                failed(event, inventory, occurred);
            } else if (ownKb && outcome == Outcome.SUCCEEDED) {
                status.setAttempts(status.getAttempts() + 1);
                attemptAt(occurred);
                succeeded(occurred, event.getEventId());
            } else if (!ownKb && event.getKb() != null && catalogKbs.contains(event.getKb())
                    && (outcome == Outcome.SUCCEEDED || outcome == Outcome.WINRE_SERVICING_SUCCEEDED)) {
                // Another WinRE release installed: the evidence for a fix by a newer release.
                if (evidence.getOtherReleaseSucceededAt() == null
                        || occurred > evidence.getOtherReleaseSucceededAt().toEpochMilli()) {
                    evidence.setOtherReleaseSucceededAt(event.getOccurredAt());
                }
                if (pending != null && evidence.getFixedByEventId() == null
                        && status.getState() == DeviceUpdateState.FIXED) {
                    status.setFixCause(cause(false));
                }
            } else if (outcome == Outcome.WINRE_SERVICING_SUCCEEDED && (ownKb || event.getKb() == null)) {
                if (ownKb || failedOnlyWhileRebootPending()) {
                    succeeded(occurred, event.getEventId());
                }
                if (event.getWinreVersion() != null) {
                    status.setWinreVersion(event.getWinreVersion());
                }
            } else if (outcome == Outcome.WINRE_SERVICING_FAILED && Integer.valueOf(2).equals(event.getWinreErrorPhase())
                    && (ownKb || event.getKb() == null)) {
                evidence.setSpaceFailureAt(event.getOccurredAt());
                if (near(evidence.getLastFailureAt(), occurred) || near(status.getFirstFailureAt(), occurred)) {
                    status.setInsufficientSpaceConfirmed(true);
                }
            }
        }

        private void failed(InstallEvent event, DeviceInventory inventory, long occurred) {
            status.setAttempts(status.getAttempts() + 1);
            status.setFailures(status.getFailures() + 1);
            attemptAt(occurred);
            status.setLastErrorCode(TrendCountProcessor.errorOf(event));
            boolean firstKnown = status.getFirstFailureAt() == null;
            if (firstKnown || occurred < status.getFirstFailureAt().toEpochMilli()) {
                status.setFirstFailureAt(event.getOccurredAt());
                // The device as it was when the trouble started: what a fix is measured against.
                Facts facts = Facts.of(inventory, evidence, status);
                evidence.setFreeBytesAtFirstFailure(facts.freeBytes())
                        .setPartitionBytesAtFirstFailure(facts.partitionBytes())
                        .setWinreVersionAtFirstFailure(facts.winreVersion())
                        .setScriptPatchedAtFirstFailure(facts.scriptPatched());
            }
            if (Boolean.TRUE.equals(event.getRebootPending())) {
                evidence.setRebootPendingFailures(evidence.getRebootPendingFailures() + 1);
            } else {
                evidence.setOtherFailures(evidence.getOtherFailures() + 1);
            }
            if (evidence.getLastFailureAt() == null || occurred > evidence.getLastFailureAt().toEpochMilli()) {
                evidence.setLastFailureAt(event.getOccurredAt());
            }
            if (evidence.getSpaceFailureAt() != null && near(evidence.getSpaceFailureAt(), occurred)) {
                status.setInsufficientSpaceConfirmed(true);
            }
            DeviceUpdateState state = status.getState();
            if (state == DeviceUpdateState.NEVER_ATTEMPTED) {
                status.setState(DeviceUpdateState.FAILING);
            } else if (isFixed(state) && status.getFixCause() == null && firstKnown && status.getFixedAt() != null
                    && occurred < status.getFixedAt().toEpochMilli()) {
                // Learned late (a backlog): the device was failing before the fix it already reported.
                boolean bySuccess = evidence.getFixedByEventId() != null;
                decide(status.getFixedAt().toEpochMilli(), bySuccess);
                if (bySuccess) {
                    remediated = true;
                } else {
                    settling = true;
                }
            }
        }

        private void succeeded(long occurred, String eventId) {
            DeviceUpdateState state = status.getState();
            if (state == DeviceUpdateState.FAILING) {
                evidence.setFixedByEventId(eventId);
                decide(occurred, true);
                remediated = true;
            } else if (state == DeviceUpdateState.NEVER_ATTEMPTED) {
                evidence.setFixedByEventId(eventId);
                status.setState(DeviceUpdateState.FIXED).setFixedAt(Instant.ofEpochMilli(occurred));
            } else if (pending != null && evidence.getFixedByEventId() == null && status.getFixCause() != null
                    && occurred <= pending.at() + SETTLE.toMillis()) {
                // The success that explains a fix first seen in the WinRE version (read a moment earlier from the
                // inventory): it is a fix by this update after all.
                evidence.setFixedByEventId(eventId);
                decide(Math.min(occurred, status.getFixedAt().toEpochMilli()), true);
                remediated = true;
            }
        }

        /** Learns the device state an observation carries. */
        void learn(DeviceInventory inventory) {
            if (inventory == null) {
                return;
            }
            long observed = inventory.getObservedAt().toEpochMilli();
            if (evidence.getFactsObservedAt() != null && observed < evidence.getFactsObservedAt().toEpochMilli()) {
                return; // an older snapshot (a backlog): the facts already known are newer
            }
            evidence.setFactsObservedAt(inventory.getObservedAt());
            RecoveryPartition recovery = inventory.getRecovery();
            if (recovery != null) {
                if (recovery.getFreeBytes() != null) {
                    evidence.setFreeBytes(recovery.getFreeBytes());
                }
                if (recovery.getPartitionSizeBytes() != null) {
                    evidence.setPartitionBytes(recovery.getPartitionSizeBytes());
                }
                status.setSizeBucket(SizeBucket.ofBytes(recovery.getPartitionSizeBytes()).label())
                        .setFreeBucket(FreeBucket.ofBytes(recovery.getFreeBytes()).label());
            }
            WinreInfo winre = inventory.getWinre();
            if (winre != null && winre.getVersion() != null) {
                status.setWinreVersion(winre.getVersion());
            }
            if (inventory.getScriptPatched() != null) {
                evidence.setScriptPatched(inventory.getScriptPatched());
            }
            BitLockerInfo bitlocker = inventory.getBitlocker();
            if (bitlocker != null) {
                status.setBitlocker(BitLockerCohort.of(bitlocker).label())
                        .setBitlockerOn(bitlocker.getProtection() == BitLockerProtection.ON);
            }
        }

        /**
         * A WinRE image at or above the release's fixed version fixes the device, unless the observation is the
         * device's own success on the KB (that already decided).
         */
        void fixByVersion() {
            if (!Boolean.TRUE.equals(atFixedVersion()) || isFixed(status.getState())) {
                return;
            }
            if (status.getState() == DeviceUpdateState.FAILING) {
                decide(at, false);
                settling = true;
            } else {
                status.setState(DeviceUpdateState.FIXED).setFixedAt(Instant.ofEpochMilli(at));
            }
        }

        /** A failing device is fixed at {@code fixedAt}: its state and the cause, from the evidence. */
        private void decide(long fixedAt, boolean bySuccess) {
            boolean falseFailure = bySuccess && FalseFailureRule.isFalse(evidence.getRebootPendingFailures(),
                    evidence.getOtherFailures(), status.getFirstFailureAt().toEpochMilli(), fixedAt,
                    falseFailureWithinMs);
            status.setState(falseFailure ? DeviceUpdateState.FALSE_FAILURE : DeviceUpdateState.FIXED)
                    .setFixedAt(Instant.ofEpochMilli(fixedAt))
                    .setFixCause(falseFailure ? RemediationCause.FALSE_FAILURE : cause(bySuccess));
        }

        private RemediationCause cause(boolean bySuccess) {
            if (Boolean.TRUE.equals(evidence.getScriptPatched())
                    && !Boolean.TRUE.equals(evidence.getScriptPatchedAtFirstFailure())) {
                return RemediationCause.SCRIPT_APPLIED;
            }
            if (resized()) {
                return RemediationCause.PARTITION_RESIZED;
            }
            Instant other = evidence.getOtherReleaseSucceededAt();
            boolean newerRelease = !bySuccess && other != null && status.getFirstFailureAt() != null
                    && !other.isBefore(status.getFirstFailureAt());
            return newerRelease ? RemediationCause.NEWER_RELEASE : RemediationCause.RETRY;
        }

        private boolean resized() {
            Long sizeBefore = evidence.getPartitionBytesAtFirstFailure();
            Long sizeNow = evidence.getPartitionBytes();
            Long freeBefore = evidence.getFreeBytesAtFirstFailure();
            Long freeNow = evidence.getFreeBytes();
            boolean grew = sizeBefore != null && sizeNow != null && sizeNow > sizeBefore;
            boolean freed = freeBefore != null && freeNow != null && freeBefore < FreeBucket.REQUIRED_BYTES
                    && freeNow >= FreeBucket.REQUIRED_BYTES;
            return grew || freed;
        }

        private boolean failedOnlyWhileRebootPending() {
            return status.getState() == DeviceUpdateState.FAILING && evidence.getOtherFailures() == 0
                    && evidence.getRebootPendingFailures() > 0;
        }

        private Boolean atFixedVersion() {
            if (release == null || release.getFixedWinreVersion() == null) {
                return null;
            }
            Optional<WinreVersion> fixed = WinreVersion.parse(release.getFixedWinreVersion());
            Optional<WinreVersion> current = WinreVersion.parse(status.getWinreVersion());
            if (fixed.isEmpty() || current.isEmpty()) {
                return null;
            }
            return current.get().isAtLeast(fixed.get());
        }

        private void attemptAt(long occurred) {
            if (status.getLastAttemptAt() == null || occurred > status.getLastAttemptAt().toEpochMilli()) {
                status.setLastAttemptAt(Instant.ofEpochMilli(occurred));
            }
        }

        private boolean near(Instant other, long occurred) {
            return other != null && Math.abs(other.toEpochMilli() - occurred) <= spaceEvidenceWithinMs;
        }

        DeviceStatus build() {
            status.setEvidence(evidence.build());
            status.setWinreAtFixedVersion(atFixedVersion());
            status.setExposed(status.getBitlockerOn() && !isFixed(status.getState()));
            if (before != null) {
                status.setUpdatedAt(before.getUpdatedAt());
                DeviceStatus unchanged = status.build();
                if (unchanged.equals(before)) {
                    return before;
                }
                status.setUpdatedAt(Instant.ofEpochMilli(Math.max(at, before.getUpdatedAt().toEpochMilli())));
            }
            return status.build();
        }
    }

    static boolean isFixed(DeviceUpdateState state) {
        return state == DeviceUpdateState.FIXED || state == DeviceUpdateState.FALSE_FAILURE;
    }

    private static String mib(Long bytes) {
        return bytes == null ? "unknown" : (bytes / MIB) + " MiB";
    }

    private static String human(Duration duration) {
        return duration.toHours() >= 1 ? duration.toHours() + " h" : duration.toMinutes() + " min";
    }

    /** The facts at the first failure: the event's own snapshot, else what the status already knew. */
    private record Facts(Long freeBytes, Long partitionBytes, String winreVersion, Boolean scriptPatched) {

        static Facts of(DeviceInventory inventory, DeviceEvidence.Builder known, DeviceStatus.Builder status) {
            Long free = known.getFreeBytes();
            Long size = known.getPartitionBytes();
            String winre = status.getWinreVersion();
            Boolean script = known.getScriptPatched();
            if (inventory != null) {
                RecoveryPartition recovery = inventory.getRecovery();
                if (recovery != null && recovery.getFreeBytes() != null) {
                    free = recovery.getFreeBytes();
                }
                if (recovery != null && recovery.getPartitionSizeBytes() != null) {
                    size = recovery.getPartitionSizeBytes();
                }
                if (inventory.getWinre() != null && inventory.getWinre().getVersion() != null) {
                    winre = inventory.getWinre().getVersion();
                }
                if (inventory.getScriptPatched() != null) {
                    script = inventory.getScriptPatched();
                }
            }
            return new Facts(free, size, winre, script);
        }
    }
}
