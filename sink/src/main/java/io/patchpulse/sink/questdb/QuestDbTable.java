package io.patchpulse.sink.questdb;

import io.questdb.client.Sender;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One QuestDB table fed with one row per value of a topic: its name, columns, designated timestamp, dedup keys and
 * how a value becomes a row, all in one definition, so the DDL, the line-protocol row and the in-batch dedup key can
 * never disagree about a column.
 *
 * <p>The table is a WAL table with {@code DEDUP UPSERT KEYS(ts, key columns...)}: a row whose designated timestamp
 * and key columns match a stored row replaces it whole (columns a value leaves null become null), so a re-delivered
 * or newer value for a key is an update. A value's designated timestamp must therefore be the same for every
 * update of its key; {@link QuestDbTables} says per table which timestamp that is.
 *
 * <p>Null values are left out of the line-protocol row, which QuestDB stores as SQL NULL. QuestDB's BOOLEAN has no
 * NULL: nullable flags are {@link ColumnType#SYMBOL}s {@code 'true'}/{@code 'false'} instead (see
 * {@link Builder#nullableFlag}). Immutable and thread-safe.
 *
 * @param <V> the topic's value type
 */
public final class QuestDbTable<V> {

    /** Name of the designated timestamp column in every table. */
    public static final String TS = "ts";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,126}");

    /** QuestDB column types the tables use, with the line-protocol call that writes each. */
    public enum ColumnType {
        /** Repeated labels (KB, cohort, state, cause); written with {@code symbol()}, before the other columns. */
        SYMBOL,
        /** Free text and high-cardinality ids. */
        VARCHAR,
        LONG,
        DOUBLE,
        BOOLEAN,
        TIMESTAMP;

        String sql() {
            return name();
        }
    }

    /**
     * One column: its name, type, whether it is part of the dedup key, and the value's field it holds.
     *
     * @param value the field, {@code null} for SQL NULL; typed by {@code type}: {@link CharSequence} for SYMBOL and
     *     VARCHAR, {@link Number} for LONG and DOUBLE, {@link Boolean}, {@link Instant} for TIMESTAMP
     */
    public record Column<V>(String name, ColumnType type, boolean key, Function<V, ?> value) {

        public Column {
            checkName("column", name);
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
            if (name.equalsIgnoreCase(TS)) {
                throw new IllegalArgumentException("column name '" + TS + "' is the designated timestamp's");
            }
        }
    }

    private final String name;
    private final String partitionBy;
    private final Function<V, Instant> timestamp;
    private final Function<V, Optional<Instant>> windowStart;
    private final List<Column<V>> columns;

    private QuestDbTable(Builder<V> builder) {
        this.name = builder.name;
        this.partitionBy = builder.partitionBy;
        this.timestamp = builder.timestamp;
        this.windowStart = builder.windowStart;
        this.columns = List.copyOf(builder.columns);
    }

    /** Starts a definition of table {@code name} (letters, digits, {@code _}). */
    public static <V> Builder<V> builder(String name) {
        return new Builder<>(name);
    }

    public String name() {
        return name;
    }

    /** The columns besides {@value #TS}, in DDL order. */
    public List<Column<V>> columns() {
        return columns;
    }

    /** The dedup key: {@value #TS} first, then the key columns in DDL order. */
    public List<String> upsertKeys() {
        List<String> keys = new ArrayList<>();
        keys.add(TS);
        for (Column<V> column : columns) {
            if (column.key()) {
                keys.add(column.name());
            }
        }
        return List.copyOf(keys);
    }

    /** {@code CREATE TABLE IF NOT EXISTS ...} as a WAL table with its dedup keys. */
    public String createDdl() {
        String body = columns.stream()
                .map(column -> column.name() + " " + column.type().sql())
                .collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + name + " (" + TS + " TIMESTAMP, " + body + ") TIMESTAMP(" + TS
                + ") PARTITION BY " + partitionBy + " WAL DEDUP UPSERT KEYS(" + String.join(", ", upsertKeys()) + ")";
    }

    /** {@code ALTER TABLE ... DEDUP ENABLE UPSERT KEYS(...)}: dedup on a table line-protocol writes made alone. */
    public String enableDedupDdl() {
        return "ALTER TABLE " + name + " DEDUP ENABLE UPSERT KEYS(" + String.join(", ", upsertKeys()) + ")";
    }

    /**
     * Creates the table when missing and (re)enables its deduplication.
     *
     * @throws QuestDbException when QuestDB refuses (an existing table of another shape, say) or cannot be reached
     */
    public void createIfMissing(QuestDbHttp http) {
        Objects.requireNonNull(http, "http");
        http.execute(createDdl());
        http.execute(enableDedupDdl());
    }

    /** The designated timestamp of {@code value}'s row. */
    public Instant timestamp(V value) {
        return Objects.requireNonNull(timestamp.apply(value), () -> name + ": no designated timestamp for " + value);
    }

    /** The window the value belongs to, for {@link io.patchpulse.sink.WriteResult#newestWindowStart()}; may be empty. */
    public Optional<Instant> windowStart(V value) {
        return windowStart.apply(value);
    }

    /** The value's dedup key as text: rows of one batch with equal keys are one row in the table. */
    public String key(V value) {
        StringBuilder key = new StringBuilder().append(timestamp(value).toString());
        for (Column<V> column : columns) {
            if (column.key()) {
                // Length-prefixed, so no separator inside a value can make two keys equal.
                String text = String.valueOf(column.value().apply(value));
                key.append('|').append(text.length()).append(':').append(text);
            }
        }
        return key.toString();
    }

    /** Appends {@code value} as one row: symbols first (the line protocol wants them so), then the other columns. */
    public void append(Sender sender, V value) {
        sender.table(name);
        for (Column<V> column : columns) {
            if (column.type() == ColumnType.SYMBOL) {
                Object field = column.value().apply(value);
                if (field != null) {
                    sender.symbol(column.name(), field.toString());
                }
            }
        }
        for (Column<V> column : columns) {
            if (column.type() != ColumnType.SYMBOL) {
                appendField(sender, column, column.value().apply(value));
            }
        }
        sender.at(timestamp(value));
    }

    private void appendField(Sender sender, Column<V> column, Object field) {
        if (field == null) {
            return;
        }
        try {
            switch (column.type()) {
                case VARCHAR -> sender.stringColumn(column.name(), field.toString());
                case LONG -> sender.longColumn(column.name(), ((Number) field).longValue());
                case DOUBLE -> sender.doubleColumn(column.name(), ((Number) field).doubleValue());
                case BOOLEAN -> sender.boolColumn(column.name(), (Boolean) field);
                case TIMESTAMP -> sender.timestampColumn(column.name(), (Instant) field);
                default -> throw new IllegalStateException("unexpected column type " + column.type());
            }
        } catch (ClassCastException e) {
            throw new IllegalStateException(name + "." + column.name() + " is " + column.type() + " but the value is a "
                    + field.getClass().getName(), e);
        }
    }

    @Override
    public String toString() {
        return "QuestDbTable[" + name + "]";
    }

    static void checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be a plain name (letters, digits, _), was " + name);
        }
    }

    /** Builds a {@link QuestDbTable}: the designated timestamp, then the columns in DDL order. */
    public static final class Builder<V> {

        private final String name;
        private final List<Column<V>> columns = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private String partitionBy = "DAY";
        private Function<V, Instant> timestamp;
        private Function<V, Optional<Instant>> windowStart = value -> Optional.empty();

        private Builder(String name) {
            checkName("table name", name);
            this.name = name;
        }

        /** The designated timestamp: the same for every update of a key, or the upsert adds a row. */
        public Builder<V> timestamp(Function<V, Instant> timestamp) {
            this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
            return this;
        }

        /** Partitioning: {@code DAY} unless told ({@code HOUR}, {@code DAY}, {@code WEEK}, {@code MONTH}, {@code YEAR}). */
        public Builder<V> partitionBy(String unit) {
            String upper = unit.toUpperCase(Locale.ROOT);
            if (!Set.of("HOUR", "DAY", "WEEK", "MONTH", "YEAR").contains(upper)) {
                throw new IllegalArgumentException("a WAL table is partitioned by HOUR, DAY, WEEK, MONTH or YEAR, was "
                        + unit);
            }
            this.partitionBy = upper;
            return this;
        }

        /** What {@link QuestDbTable#windowStart} reports; empty when not set. */
        public Builder<V> windowStart(Function<V, Optional<Instant>> windowStart) {
            this.windowStart = Objects.requireNonNull(windowStart, "windowStart");
            return this;
        }

        /** A dedup key column (besides {@value #TS}). */
        public Builder<V> key(String column, ColumnType type, Function<V, ?> value) {
            return add(new Column<>(column, type, true, value));
        }

        public Builder<V> symbol(String column, Function<V, ?> value) {
            return add(new Column<>(column, ColumnType.SYMBOL, false, value));
        }

        public Builder<V> varchar(String column, Function<V, ?> value) {
            return add(new Column<>(column, ColumnType.VARCHAR, false, value));
        }

        public Builder<V> longColumn(String column, Function<V, ? extends Number> value) {
            return add(new Column<>(column, ColumnType.LONG, false, value));
        }

        public Builder<V> doubleColumn(String column, Function<V, ? extends Number> value) {
            return add(new Column<>(column, ColumnType.DOUBLE, false, value));
        }

        /** A flag that is never null (QuestDB's BOOLEAN stores no NULL). */
        public Builder<V> flag(String column, Function<V, Boolean> value) {
            return add(new Column<>(column, ColumnType.BOOLEAN, false, value));
        }

        /** A nullable flag: a SYMBOL {@code 'true'} or {@code 'false'}, NULL when unknown. */
        public Builder<V> nullableFlag(String column, Function<V, Boolean> value) {
            return add(new Column<>(column, ColumnType.SYMBOL, false, v -> {
                Boolean flag = value.apply(v);
                return flag == null ? null : flag.toString();
            }));
        }

        public Builder<V> timestampColumn(String column, Function<V, Instant> value) {
            return add(new Column<>(column, ColumnType.TIMESTAMP, false, value));
        }

        public QuestDbTable<V> build() {
            if (timestamp == null) {
                throw new IllegalStateException("table " + name + " needs a designated timestamp");
            }
            if (columns.isEmpty()) {
                throw new IllegalStateException("table " + name + " needs columns");
            }
            return new QuestDbTable<>(this);
        }

        private Builder<V> add(Column<V> column) {
            if (!names.add(column.name().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("table " + name + " has column " + column.name() + " twice");
            }
            columns.add(column);
            return this;
        }
    }
}
