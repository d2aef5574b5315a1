package io.patchpulse.collector.parse;

import io.patchpulse.collector.CollectedRecord;
import java.util.ArrayList;
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
public record ParseResult(List<Line> records, List<Problem> problems, long accepted, long skipped) {

    /** One normalized record and the line of the item it came from. */
    public record Line(long line, CollectedRecord record) {
    }

    /** Lists are copied. */
    public ParseResult {
        records = List.copyOf(records);
        problems = List.copyOf(problems);
    }

    /** Items refused, one problem each. */
    public long rejected() {
        return problems.size();
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
                }
            }
            for (CollectedRecord record : produced) {
                records.add(new Line(line, record));
            }
            accepted++;
            return this;
        }

        /** The item at {@code line} was read; it yields {@code produced}. */
        public Builder accept(long line, CollectedRecord produced) {
            return accept(line, List.of(produced));
        }

        /** The item at {@code line} was read but is not about update installs. */
        public Builder skip(long line) {
            skipped++;
            return this;
        }

        /** The item at {@code line} was refused. */
        public Builder reject(long line, String field, String message) {
            problems.add(new Problem(line, field, message));
            return this;
        }

        /** The item was refused. */
        public Builder reject(Problem problem) {
            problems.add(Objects.requireNonNull(problem, "problem"));
            return this;
        }

        /** Adds everything {@code other} holds (for a parser that delegates part of its input). */
        public Builder addAll(ParseResult other) {
            records.addAll(other.records());
            problems.addAll(other.problems());
            accepted += other.accepted();
            skipped += other.skipped();
            return this;
        }

        public ParseResult build() {
            return new ParseResult(records, problems, accepted, skipped);
        }
    }
}
