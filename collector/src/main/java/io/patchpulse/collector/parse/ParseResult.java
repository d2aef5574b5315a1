package io.patchpulse.collector.parse;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.DeviceInventory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import io.patchpulse.schemas.validate.EventValidator;
import io.patchpulse.schemas.validate.Violation;
import java.time.Instant;

/**
 * What a parser made of one input: the normalized records and the problems, each with the line of the item it came
 * from, and how many items were accepted (produced records or were complete but irrelevant), skipped (read fine
 * but not about update installs, for example another provider's event) or rejected (a {@link Problem} each).
 *
 * <p>An item can yield several records (a device report gives an inventory and its events) or none.
 */
public record ParseResult(List<Line> records, List<Problem> problems, long accepted, long skipped, long rejected,
                          BitSet itemLines) {

    /**
     * At most this many problems are kept, in input order; {@link #rejected} still counts all. An input with more
     * bad items than this is not telemetry with a few bad lines but the wrong thing, and a million problem objects
     * would only exhaust the heap.
     */
    public static final int MAX_PROBLEMS = 1000;

    /** One normalized record and the line of the item it came from. */
    public record Line(long line, CollectedRecord record) {
    }

    /** Lists are copied. {@code itemLines} holds the line of every item (accepted, skipped or rejected). */
    public ParseResult {
        records = List.copyOf(records);
        problems = List.copyOf(problems);
        itemLines = (BitSet) itemLines.clone();
    }

    /**
     * The first line after {@code line} where an item starts, or 0 when none does: a rejected item's text runs up
     * to there (so a dead letter carries its item and no neighbour, skipped ones included).
     */
    public long nextItemLine(long line) {
        if (line >= Integer.MAX_VALUE) {
            return 0;
        }
        int next = itemLines.nextSetBit((int) line + 1);
        return next < 0 ? 0 : next;
    }

    /** True when every rejected item has its problem in {@link #problems}. */
    public boolean allProblemsKept() {
        return rejected == problems.size();
    }

    /** Records and problems of the items at {@code lines} removed and replaced by {@code problem} each. */
    public ParseResult withRejected(java.util.Map<Long, Problem> rejectedLines) {
        if (rejectedLines.isEmpty()) {
            return this;
        }
        List<Line> kept = records.stream().filter(r -> !rejectedLines.containsKey(r.line())).toList();
        List<Problem> all = new ArrayList<>(problems);
        all.addAll(rejectedLines.values());
        all.sort(java.util.Comparator.comparingLong(Problem::line));
        return new ParseResult(kept, all, accepted - rejectedLines.size(), skipped, rejected + rejectedLines.size(),
                itemLines);
    }

    /** The records without their lines. */
    public List<CollectedRecord> collected() {
        return records.stream().map(Line::record).toList();
    }

    /**
     * A builder; parsers call one of accept / skip / reject per item. Install events are checked against the rules
     * of {@link EventValidator} as of {@code now} (the receive time), so the sender learns at once what the
     * pipeline would refuse.
     */
    public static Builder builder(Instant now) {
        return new Builder(now);
    }

    /** Collects a result item by item. Not thread-safe. */
    public static final class Builder {
        private final List<Line> records = new ArrayList<>();
        private final List<Problem> problems = new ArrayList<>();
        private long accepted;
        private long skipped;
        private long rejected;
        private final BitSet itemLines = new BitSet();
        private final Instant now;

        private Builder(Instant now) {
            this.now = Objects.requireNonNull(now, "now");
        }

        /**
         * The item at {@code line} was read; it yields {@code produced} (possibly none). When one of its install
         * events breaks a pipeline rule the whole item is rejected instead, naming the field.
         */
        public Builder accept(long line, List<? extends CollectedRecord> produced) {
            for (CollectedRecord record : produced) {
                Objects.requireNonNull(record, "record");
                if (record instanceof CollectedRecord.Event event) {
                    Optional<Violation> violation = EventValidator.check(event.deviceId(), event.event(), now);
                    if (violation.isPresent()) {
                        return reject(line, violation.get().field(), violation.get().detail());
                    }
                    DeviceInventory embedded = event.event().getInventory();
                    if (embedded != null && !plausible(embedded.getObservedAt())) {
                        // The snapshot's time decides which inventory is a device's latest: one from 1915 or
                        // 2026 would be the oldest or the newest for ever.
                        return reject(line, "inventory.observedAt", implausible("inventory.observedAt",
                                embedded.getObservedAt()));
                    }
                } else {
                    String deviceId = record.deviceId();
                    if (deviceId == null || deviceId.isBlank() || deviceId.length() > EventValidator.MAX_ID_LENGTH) {
                        return reject(line, "deviceId", "deviceId must be 1 to " + EventValidator.MAX_ID_LENGTH
                                + " characters");
                    }
                    Optional<Violation> violation = EventValidator.checkInventory(
                            ((CollectedRecord.Inventory) record).inventory());
                    if (violation.isPresent()) {
                        return reject(line, violation.get().field(), violation.get().detail());
                    }
                    Instant observed = record.timestamp();
                    if (!plausible(observed)) {
                        return reject(line, "observedAt", implausible("observedAt", observed));
                    }
                }
            }
            for (CollectedRecord record : produced) {
                records.add(new Line(line, record));
            }
            accepted++;
            mark(line);
            return this;
        }

        /** True when a device's clock could have said {@code time}: from 2000 on, at most a day ahead of now. */
        private boolean plausible(Instant time) {
            return !time.isBefore(EventValidator.EARLIEST) && !time.isAfter(now.plus(EventValidator.CLOCK_SKEW));
        }

        private String implausible(String field, Instant time) {
            return field + " " + time + " is before " + EventValidator.EARLIEST + " or more than "
                    + EventValidator.CLOCK_SKEW.toHours() + " h in the future: a device clock error";
        }

        /** The item at {@code line} was read; it yields {@code produced}. */
        public Builder accept(long line, CollectedRecord produced) {
            return accept(line, List.of(produced));
        }

        /** The item at {@code line} was read but is not about update installs. */
        public Builder skip(long line) {
            skipped++;
            mark(line);
            return this;
        }

        private void mark(long line) {
            if (line > 0 && line < Integer.MAX_VALUE) {
                itemLines.set((int) line);
            }
        }

        /** The item at {@code line} was refused. */
        public Builder reject(long line, String field, String message) {
            return reject(new Problem(line, field, message));
        }

        /** The item was refused. */
        public Builder reject(Problem problem) {
            Objects.requireNonNull(problem, "problem");
            rejected++;
            mark(problem.line());
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(problem);
            }
            return this;
        }

        /** Adds everything {@code other} holds (for a parser that delegates part of its input). */
        public Builder addAll(ParseResult other) {
            records.addAll(other.records());
            other.problems().forEach(this::reject);
            itemLines.or(other.itemLines());
            rejected += other.rejected() - other.problems().size();
            accepted += other.accepted();
            skipped += other.skipped();
            return this;
        }

        public ParseResult build() {
            return new ParseResult(records, problems, accepted, skipped, rejected, itemLines);
        }
    }
}
