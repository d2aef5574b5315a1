package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.topics.DlqHeaders;
import io.patchpulse.schemas.topics.TrendKey;
import io.patchpulse.schemas.values.Cohort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 3: decide lateness, drop replays, pass every admitted event on (to the device tracker), and turn each
 * install result into a delta of its window and cohort.
 *
 * <p>Runs in the task of the device's partition (no shuffle before it), so one device's events are seen in order by
 * one instance. The task keeps its own event-time clock: the newest occurredAt it accepted. An event whose window
 * closed more than the grace period before that clock is late and goes to the dead-letter topic. Everything else
 * is de-duplicated by event id; FAILED and SUCCEEDED results become a {@link FailureTrend} delta: one attempt, plus
 * one device attempted / failed / succeeded / failed-with-this-error the first time this device does that in this
 * window and cohort. The deltas are then shuffled by cohort and summed, so each device is counted once per window
 * however often Windows Update retried.
 *
 * <p>The clock, the seen event ids and the per-device flags are changelogged stores written in the same transaction
 * as the output (exactly_once_v2), so a crash replays to the same result. A wall-clock punctuator purges windows
 * that can no longer change.
 */
final class TrendCountProcessor implements FixedKeyProcessor<String, Checked, Counted> {

    private static final Logger LOG = LoggerFactory.getLogger(TrendCountProcessor.class);
    static final String STAGE = "streams.count";
    private static final String CLOCK_KEY = "clock";
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    private static final Duration PENDING_PURGE_INTERVAL = Duration.ofHours(1);
    private static final int MAX_RAW_ERROR_LENGTH = 32;
    private static final Pattern UNSAFE_IN_ERROR_LABEL = Pattern.compile("[^A-Za-z0-9_.:+-]");

    private static final StringSerializer KEYS = new StringSerializer();

    private final long windowMs;
    private final long graceMs;
    private final long falseFailureWithinMs;
    private FixedKeyProcessorContext<String, Counted> context;
    private KeyValueStore<String, Long> clock;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, String> flags;
    private KeyValueStore<String, String> pending;
    private KeyValueStore<String, io.patchpulse.schemas.avro.Release> releases;
    private long lastPendingPurge;

    TrendCountProcessor(TopologySettings settings) {
        this.windowMs = settings.window().toMillis();
        this.graceMs = settings.grace().toMillis();
        this.falseFailureWithinMs = settings.rules().falseFailureWithin().toMillis();
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Counted> context) {
        this.context = context;
        this.clock = context.getStateStore(Names.STORE_EVENT_CLOCK);
        this.seen = context.getStateStore(Names.STORE_SEEN_EVENTS);
        this.flags = context.getStateStore(Names.STORE_DEVICE_FLAGS);
        this.pending = context.getStateStore(Names.STORE_PENDING_FAILURES);
        this.releases = context.getStateStore(Names.STORE_RELEASES);
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> purge());
    }

    @Override
    public void process(FixedKeyRecord<String, Checked> record) {
        Checked checked = record.value();
        InstallEvent event = checked.event();
        long occurred = event.getOccurredAt().toEpochMilli();
        long windowStart = occurred - Math.floorMod(occurred, windowMs);
        long now = clockValue();

        if (windowStart + windowMs + graceMs <= now) {
            Rejection late = new Rejection(DlqHeaders.REASON_LATE, "occurredAt", "event time " + event.getOccurredAt()
                    + " falls in a window that closed more than the grace period " + Duration.ofMillis(graceMs)
                    + " before the newest event time seen, " + Instant.ofEpochMilli(now));
            context.forward(record.withValue(Counted.rejected(checked.rejectedAs(late)))
                    .withHeaders(late.toHeaders(record.headers(), STAGE, context.recordMetadata().orElse(null),
                            context.currentSystemTimeMs())));
            return;
        }
        if (occurred > now) {
            clock.put(CLOCK_KEY, occurred);
        }

        // Event ids need only be unique per device (Windows' EventRecordID is), so the device is part of the key.
        String seenKey = windowPrefix(windowStart) + event.getDeviceId() + "|" + event.getEventId();
        if (seen.get(seenKey) != null) {
            LOG.debug("dropped replay of event {} at {}", event.getEventId(), context.recordMetadata().orElse(null));
            return;
        }
        seen.put(seenKey, occurred);
        context.forward(record.withValue(Counted.admitted(checked)));

        Outcome outcome = event.getOutcome();
        if (outcome == Outcome.WINRE_SERVICING_SUCCEEDED) {
            // WinREAgent 4501: the success that can show earlier failures to have been false.
            retractFalseFailures(record, event.getDeviceId(), event.getKb(), occurred);
            return;
        }
        if (outcome != Outcome.FAILED && outcome != Outcome.SUCCEEDED) {
            return; // only install results count in trends; the other observations matter to device status
        }
        TrendKey key = new TrendKey(windowStart, Cohort.of(event.getKb(), checked.inventory()));
        String flagsKey = windowPrefix(windowStart) + key.encode() + "|" + event.getDeviceId();
        DeviceWindowFlags before = DeviceWindowFlags.decode(flags.get(flagsKey));
        DeviceWindowFlags was = before == null ? DeviceWindowFlags.NONE : before;
        boolean failed = outcome == Outcome.FAILED;
        boolean rebootPending = failed && Boolean.TRUE.equals(event.getRebootPending());
        String error = failed ? errorOf(event) : null;
        DeviceWindowFlags after = failed ? was.withFailure(error, rebootPending) : was.withSuccess();

        FailureTrend delta = TrendMath.delta(key, windowMs, failed, before == null, failed && !was.failed(),
                !failed && !was.succeeded(), failed && !was.failedWith(error) ? error : null);
        flags.put(flagsKey, after.encode());
        context.forward(record.withValue(Counted.delta(key.encode(), delta)));
        if (event.getKb() != null) {
            if (failed) {
                rememberFailure(record, event.getDeviceId(), event.getKb(), rebootPending, occurred, key.encode());
            } else {
                retractFalseFailures(record, event.getDeviceId(), event.getKb(), occurred);
            }
        }
    }

    /** Keeps, per device and KB, what decides whether its failures were false, and where they were counted. */
    private void rememberFailure(FixedKeyRecord<String, Checked> record, String deviceId, String kb,
            boolean rebootPending, long occurred, String trendKey) {
        String key = deviceId + "|" + kb;
        PendingFailures known = PendingFailures.decode(pending.get(key));
        PendingFailures now = (known == null ? PendingFailures.NONE : known).with(rebootPending, occurred, trendKey);
        pending.put(key, now.encode());
        if (now.successAt() != Long.MIN_VALUE) {
            // The success came first (a backlog of failures learned after it): it can still prove them false.
            retract(record, deviceId, key, now.successAt());
        }
    }

    /**
     * Success on {@code kb} (or, for a WinREAgent 4501 that names no KB, on any release of the catalog the device
     * failed) at {@code successAt}: where that makes the device's earlier failures false ({@link FalseFailureRule}),
     * they leave the failure counts of their windows: a negative delta per window (failures, and the device as
     * failed or failed-with-that-error unless it also failed for real there).
     */
    private void retractFalseFailures(FixedKeyRecord<String, Checked> record, String deviceId, String kb,
            long successAt) {
        if (kb != null) {
            String key = deviceId + "|" + kb;
            PendingFailures known = PendingFailures.decode(pending.get(key));
            pending.put(key, (known == null ? PendingFailures.NONE : known).withSuccess(successAt).encode());
            retract(record, deviceId, key, successAt);
            return;
        }
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> own = pending.prefixScan(deviceId + "|", KEYS)) {
            own.forEachRemaining(entry -> {
                if (releases.get(entry.key.substring(deviceId.length() + 1)) != null) {
                    keys.add(entry.key); // WinREAgent speaks for WinRE updates only, not for Defender or .NET
                }
            });
        }
        keys.forEach(key -> retract(record, deviceId, key, successAt));
    }

    private void retract(FixedKeyRecord<String, Checked> record, String deviceId, String key, long successAt) {
        PendingFailures known = PendingFailures.decode(pending.get(key));
        if (known == null || known.trendKeys().isEmpty() || !FalseFailureRule.isFalse(known.rebootPending(),
                known.other(), known.firstAt(), successAt, falseFailureWithinMs)) {
            return;
        }
        for (String trendKey : known.trendKeys()) {
            TrendKey window = TrendKey.decode(trendKey);
            String flagsKey = windowPrefix(window.windowStart()) + trendKey + "|" + deviceId;
            DeviceWindowFlags was = DeviceWindowFlags.decode(flags.get(flagsKey));
            if (was == null || was.pendingCount() == 0) {
                continue; // purged with its window, or already taken back
            }
            DeviceWindowFlags now = was.withoutPending();
            Map<String, Long> errorsGone = new TreeMap<>();
            was.pendingErrors().stream().filter(error -> !now.errors().contains(error))
                    .forEach(error -> errorsGone.put(error, -1L));
            flags.put(flagsKey, now.encode());
            context.forward(record.withValue(Counted.delta(trendKey, TrendMath.retraction(window, windowMs,
                    was.pendingCount(), was.failed() && !now.failed(), errorsGone))));
        }
        pending.put(key, known.withoutTrendKeys().encode());
    }

    /**
     * The canonical code; else the raw one (never dropped), as {@code raw:} plus at most 32 characters of
     * {@code [A-Za-z0-9_.:+-]} (anything else becomes {@code _}) so a hostile value can neither break the flags'
     * encoding nor bloat a trend record; else "unknown".
     */
    static String errorOf(InstallEvent event) {
        if (event.getErrorCode() != null) {
            return event.getErrorCode();
        }
        String raw = event.getRawErrorCode();
        if (raw == null || raw.isBlank()) {
            return "unknown";
        }
        String kept = raw.strip();
        kept = kept.substring(0, Math.min(kept.length(), MAX_RAW_ERROR_LENGTH));
        return "raw:" + UNSAFE_IN_ERROR_LABEL.matcher(kept).replaceAll("_");
    }

    private long clockValue() {
        Long value = clock.get(CLOCK_KEY);
        return value == null ? Long.MIN_VALUE / 2 : value;
    }

    /** Window starts as fixed-width decimals, so keys sort by window and old windows can be range-deleted. */
    private static String windowPrefix(long windowStart) {
        return String.format(Locale.ROOT, "%015d|", windowStart);
    }

    private void purge() {
        long cutoff = clockValue() - graceMs - windowMs;
        if (cutoff <= 0) {
            return;
        }
        String upper = windowPrefix(cutoff);
        int removed = deleteBelow(seen, upper) + deleteBelow(flags, upper);
        long now = context.currentSystemTimeMs();
        if (now - lastPendingPurge >= PENDING_PURGE_INTERVAL.toMillis()) {
            // Failures whose windows are purged can no longer be taken back: their record is no longer needed.
            lastPendingPurge = now;
            removed += purgePending(cutoff - falseFailureWithinMs);
        }
        if (removed > 0) {
            LOG.debug("purged {} entries of windows before {}", removed, Instant.ofEpochMilli(cutoff));
        }
    }

    /**
     * Entries too old to change anything any more: failures whose first is before {@code before} can no longer turn
     * out false (every success still to come is later than the false-failure time), so they shrink to a settled
     * marker, which keeps the answer the same however late a new failure comes; entries with a success only are
     * dropped. Run on wall-clock time, it changes no result, only how much is kept.
     */
    private int purgePending(long before) {
        List<KeyValue<String, String>> changes = new ArrayList<>();
        try (KeyValueIterator<String, String> all = pending.all()) {
            all.forEachRemaining(entry -> {
                PendingFailures known = PendingFailures.decode(entry.value);
                boolean old = known.firstAt() < before || (known.firstAt() == Long.MAX_VALUE
                        && known.successAt() < before);
                if (!old || known.isSettled()) {
                    return;
                }
                changes.add(KeyValue.pair(entry.key, known.firstAt() == Long.MAX_VALUE ? null
                        : known.settled().encode()));
            });
        }
        changes.forEach(change -> {
            if (change.value == null) {
                pending.delete(change.key);
            } else {
                pending.put(change.key, change.value);
            }
        });
        return changes.size();
    }

    /**
     * Per device and KB: failures while a reboot was pending and other failures, the first one's time, the trend
     * keys the pending ones were counted under (until taken back), and the latest success. Stored as
     * {@code "first;pending;other;key1,key2;success"}.
     */
    record PendingFailures(long firstAt, int rebootPending, int other, List<String> trendKeys, long successAt) {

        static final PendingFailures NONE = new PendingFailures(Long.MAX_VALUE, 0, 0, List.of(), Long.MIN_VALUE);

        PendingFailures with(boolean whileRebootPending, long at, String trendKey) {
            int others = other + (whileRebootPending ? 0 : 1);
            List<String> keys = new ArrayList<>(trendKeys);
            if (whileRebootPending && others == 0 && !keys.contains(trendKey)) {
                keys.add(trendKey);
            }
            // Once a failure came without a pending reboot none of them can turn out false: no keys to keep.
            return new PendingFailures(Math.min(firstAt, at), rebootPending + (whileRebootPending ? 1 : 0), others,
                    others > 0 ? List.of() : List.copyOf(keys), successAt);
        }

        PendingFailures withSuccess(long at) {
            return new PendingFailures(firstAt, rebootPending, other, trendKeys, Math.max(successAt, at));
        }

        PendingFailures withoutTrendKeys() {
            return new PendingFailures(firstAt, rebootPending, other, List.of(), successAt);
        }

        /** Settled: too old for any success still to come to make its failures false (a few bytes are kept). */
        PendingFailures settled() {
            return new PendingFailures(firstAt, rebootPending, Math.max(other, 1), List.of(), successAt);
        }

        boolean isSettled() {
            return other > 0 && trendKeys.isEmpty();
        }

        String encode() {
            return firstAt + ";" + rebootPending + ";" + other + ";" + String.join(",", trendKeys) + ";" + successAt;
        }

        static PendingFailures decode(String text) {
            if (text == null) {
                return null;
            }
            String[] parts = text.split(";", -1);
            List<String> keys = parts[3].isEmpty() ? List.of() : List.of(parts[3].split(","));
            return new PendingFailures(Long.parseLong(parts[0]), Integer.parseInt(parts[1]),
                    Integer.parseInt(parts[2]), keys, parts.length > 4 ? Long.parseLong(parts[4]) : Long.MIN_VALUE);
        }
    }

    private static <V> int deleteBelow(KeyValueStore<String, V> store, String upperExclusive) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, V> old = store.range(windowPrefix(0), upperExclusive)) {
            while (old.hasNext()) {
                KeyValue<String, V> entry = old.next();
                if (entry.key.compareTo(upperExclusive) < 0) {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(store::delete); // not while iterating: the iterator must not see its own deletes
        return expired.size();
    }
}
