package io.patchpulse.sink.dashboard;

import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.values.BitLockerCohort;
import io.patchpulse.schemas.values.SizeBucket;
import io.patchpulse.sink.dashboard.DashboardParameters.TimeRange;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbTables;
import io.patchpulse.sink.questdb.TrendTables;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the dashboard shows, read from QuestDB with SQL over HTTP. Every statement is built from constants, the
 * configured table names (checked by {@link TrendTables} and {@link QuestDbTables}) and values that passed
 * {@link DashboardParameters}; nothing else is concatenated in. Thread-safe.
 *
 * <p>Failure rates are {@code sum(devices_failed) / sum(devices_attempted)} over the windows asked for: a device
 * that attempted in two windows counts in both (the trend rows hold distinct devices per window, not per range).
 * The rate is {@code null} where no device attempted.
 */
final class DashboardQueries {

    /** Most rows a timeline answers (hourly windows: over a year). */
    static final int MAX_WINDOWS = 10_000;
    /** Most firing alerts listed, newest first. */
    static final int MAX_ALERTS = 500;

    private static final DateTimeFormatter SQL_TIME = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final QuestDbHttp http;
    private final String trends;
    private final String progress;
    private final String alerts;
    private final String deviceStatus;
    private final String remediations;
    private final List<ReleaseMark> releases;

    DashboardQueries(QuestDbHttp http, TrendTables trendTables, QuestDbTables tables, List<ReleaseMark> releases) {
        this.http = Objects.requireNonNull(http, "http");
        this.trends = trendTables.failureTrends();
        this.progress = tables.releaseProgress().name();
        this.alerts = tables.alerts().name();
        this.deviceStatus = tables.deviceStatus().name();
        this.remediations = tables.remediations().name();
        this.releases = List.copyOf(releases);
    }

    /** The KBs with trend rows, most failed devices first, then the catalog's KBs without trend rows. */
    List<KbSummary> kbs() {
        List<KbSummary> kbs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Map<String, Object> row : http.query("SELECT kb, sum(devices_attempted) attempted,"
                + " sum(devices_failed) failed FROM " + trends + " GROUP BY kb ORDER BY failed DESC, kb")) {
            String kb = (String) row.get("kb");
            if (kb != null && seen.add(kb)) {
                kbs.add(new KbSummary(kb, number(row.get("attempted")), number(row.get("failed"))));
            }
        }
        for (ReleaseMark release : releaseMarks(TimeRange.all())) {
            if (seen.add(release.kb())) {
                kbs.add(new KbSummary(release.kb(), 0, 0));
            }
        }
        return kbs;
    }

    /** Failure rate per size bucket and BitLocker cohort of {@code kb} over {@code range}. */
    HeatMap heatMap(String kb, TimeRange range) {
        List<Map<String, Object>> rows = http.query("SELECT size_bucket, bitlocker,"
                + " sum(devices_attempted) attempted, sum(devices_failed) failed FROM " + trends
                + " WHERE kb = " + quote(kb) + timeFilter(range)
                + " GROUP BY size_bucket, bitlocker ORDER BY size_bucket, bitlocker");
        // Axes list every known label in the enums' order (a fixed grid), then labels a newer producer added.
        Set<String> sizes = new LinkedHashSet<>();
        Arrays.stream(SizeBucket.values()).map(SizeBucket::label).forEach(sizes::add);
        Set<String> bitlocker = new LinkedHashSet<>();
        Arrays.stream(BitLockerCohort.values()).map(BitLockerCohort::label).forEach(bitlocker::add);
        List<HeatCell> cells = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            String size = label(row.get("size_bucket"));
            String cohort = label(row.get("bitlocker"));
            sizes.add(size);
            bitlocker.add(cohort);
            long attempted = number(row.get("attempted"));
            long failed = number(row.get("failed"));
            cells.add(new HeatCell(size, cohort, attempted, failed, rate(failed, attempted)));
        }
        return new HeatMap(kb, range.from().orElse(null), range.to().orElse(null), List.copyOf(sizes),
                List.copyOf(bitlocker), cells);
    }

    /** Devices attempted and failed on {@code kb} per window (all cohorts), with the release dates to mark. */
    Timeline timeline(String kb, TimeRange range) {
        List<Map<String, Object>> rows = http.query("SELECT ts, sum(attempts) attempts, sum(failures) failures,"
                + " sum(devices_attempted) attempted, sum(devices_failed) failed FROM " + trends
                + " WHERE kb = " + quote(kb) + timeFilter(range) + " GROUP BY ts ORDER BY ts LIMIT " + MAX_WINDOWS);
        List<TimelinePoint> windows = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            long attempted = number(row.get("attempted"));
            long failed = number(row.get("failed"));
            windows.add(new TimelinePoint((Instant) row.get("ts"), number(row.get("attempts")),
                    number(row.get("failures")), attempted, failed, rate(failed, attempted)));
        }
        return new Timeline(kb, range.from().orElse(null), range.to().orElse(null), windows, releaseMarks(range));
    }

    /**
     * Release dates: the marks given to the dashboard, then for every other KB in {@code release_progress} its first
     * day there; within {@code range} when it has ends.
     */
    List<ReleaseMark> releaseMarks(TimeRange range) {
        Map<String, ReleaseMark> marks = new LinkedHashMap<>();
        releases.forEach(mark -> marks.putIfAbsent(mark.kb(), mark));
        for (Map<String, Object> row : http.query("SELECT kb, min(ts) first_day FROM " + progress
                + " GROUP BY kb ORDER BY first_day, kb")) {
            String kb = (String) row.get("kb");
            if (kb != null && row.get("first_day") instanceof Instant first) {
                marks.putIfAbsent(kb, new ReleaseMark(kb, LocalDate.ofInstant(first, ZoneOffset.UTC),
                        kb + " (first day in release_progress)"));
            }
        }
        return marks.values().stream()
                .filter(mark -> within(mark.releasedOn().atStartOfDay(ZoneOffset.UTC).toInstant(), range))
                .sorted(Comparator.comparing(ReleaseMark::releasedOn).thenComparing(ReleaseMark::kb))
                .toList();
    }

    /** The latest {@code release_progress} row of every KB, and the exposed devices by cohort from device_status. */
    Progress progress() {
        List<ReleaseProgressRow> latest = new ArrayList<>();
        for (Map<String, Object> row : http.query("SELECT * FROM " + progress + " LATEST ON ts PARTITION BY kb"
                + " ORDER BY kb")) {
            Map<String, Long> fixedBy = new TreeMap<>();
            for (RemediationCause cause : RemediationCause.values()) {
                String column = QuestDbTables.FIXED_BY_PREFIX + cause.name().toLowerCase(Locale.ROOT);
                long devices = number(row.get(column));
                if (devices != 0) {
                    fixedBy.put(cause.name(), devices);
                }
            }
            Instant day = (Instant) row.get("ts");
            latest.add(new ReleaseProgressRow((String) row.get("kb"), LocalDate.ofInstant(day, ZoneOffset.UTC),
                    number(row.get("devices_tracked")), number(row.get("devices_attempted")),
                    number(row.get("devices_failing")), number(row.get("devices_fixed")),
                    number(row.get("devices_false_failure")), fixedBy, number(row.get("devices_at_fixed_winre")),
                    (Double) row.get("share_at_fixed_winre"), number(row.get("exposed_devices")),
                    (Instant) row.get("updated_at")));
        }
        List<ExposedCohort> exposed = new ArrayList<>();
        for (Map<String, Object> row : http.query("SELECT kb, size_bucket, free_bucket, bitlocker, count() devices"
                + " FROM " + deviceStatus + " WHERE exposed = true GROUP BY kb, size_bucket, free_bucket, bitlocker"
                + " ORDER BY kb, devices DESC, size_bucket, free_bucket, bitlocker")) {
            exposed.add(new ExposedCohort((String) row.get("kb"), label(row.get("size_bucket")),
                    label(row.get("free_bucket")), label(row.get("bitlocker")), number(row.get("devices"))));
        }
        return new Progress(latest, exposed);
    }

    /** Alerts whose latest row is FIRING, newest start first. */
    List<FiringAlert> firingAlerts() {
        // The latest row per alert first, then the state: a resolved alert must not show through an older row.
        List<Map<String, Object>> rows = http.query("SELECT * FROM (SELECT * FROM " + alerts
                + " LATEST ON ts PARTITION BY alert_id) WHERE state = 'FIRING' ORDER BY ts DESC, alert_id LIMIT "
                + MAX_ALERTS);
        List<FiringAlert> firing = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            firing.add(new FiringAlert((String) row.get("alert_id"), (String) row.get("kb"),
                    (String) row.get("error_code"), label(row.get("size_bucket")), label(row.get("free_bucket")),
                    label(row.get("bitlocker")), (Instant) row.get("ts"), (Instant) row.get("window_start"),
                    (Instant) row.get("window_end"), number(row.get("current_devices_failed")),
                    number(row.get("current_devices_attempted")), (Double) row.get("current_failure_rate"),
                    (Double) row.get("baseline_failure_rate"), (String) row.get("summary"),
                    (String) row.get("runbook_url"), (Instant) row.get("detected_at")));
        }
        return firing;
    }

    /** The device's status rows (one per KB) and its remediations; empty when the device is unknown. */
    Optional<DeviceLookup> device(String deviceId) {
        String id = quote(deviceId);
        List<Map<String, Object>> statuses = withoutTs(http.query("SELECT * FROM " + deviceStatus
                + " WHERE device_id = " + id + " ORDER BY kb"));
        List<Map<String, Object>> fixes = http.query("SELECT * FROM " + remediations + " WHERE device_id = " + id
                + " ORDER BY ts, kb");
        if (statuses.isEmpty() && fixes.isEmpty()) {
            return Optional.empty();
        }
        List<Map<String, Object>> renamed = new ArrayList<>(fixes.size());
        for (Map<String, Object> row : fixes) {
            Map<String, Object> copy = new LinkedHashMap<>();
            row.forEach((column, value) -> copy.put(column.equals("ts") ? "fixed_at" : column, value));
            renamed.add(copy);
        }
        return Optional.of(new DeviceLookup(deviceId, statuses, renamed));
    }

    /** A validated value as an SQL string literal (doubling quotes too, though validation lets none through). */
    static String quote(String validated) {
        return "'" + validated.replace("'", "''") + "'";
    }

    static String timeFilter(TimeRange range) {
        StringBuilder sql = new StringBuilder();
        range.from().ifPresent(from -> sql.append(" AND ts >= '").append(SQL_TIME.format(from)).append('\''));
        range.to().ifPresent(to -> sql.append(" AND ts < '").append(SQL_TIME.format(to)).append('\''));
        return sql.toString();
    }

    private static boolean within(Instant instant, TimeRange range) {
        return range.from().map(from -> !instant.isBefore(from)).orElse(true)
                && range.to().map(instant::isBefore).orElse(true);
    }

    private static List<Map<String, Object>> withoutTs(List<Map<String, Object>> rows) {
        // device_status.ts is one fixed instant for every row (see QuestDbTables): it means nothing to a reader.
        List<Map<String, Object>> copies = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Map<String, Object> copy = new LinkedHashMap<>(row);
            copy.remove("ts");
            copies.add(copy);
        }
        return copies;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }

    private static String label(Object value) {
        return value == null ? "unknown" : value.toString();
    }

    private static Double rate(long failed, long attempted) {
        return attempted == 0 ? null : (double) failed / attempted;
    }

    /** One KB and its totals over all windows and cohorts. */
    record KbSummary(String kb, long devicesAttempted, long devicesFailed) {
    }

    /** One cell of the heat map. */
    record HeatCell(String sizeBucket, String bitlocker, long devicesAttempted, long devicesFailed,
            Double failureRate) {
    }

    /** The heat map of a KB: both axes in display order, and the cells that have rows. */
    record HeatMap(String kb, Instant from, Instant to, List<String> sizeBuckets, List<String> bitlocker,
            List<HeatCell> cells) {
    }

    /** One window of the timeline, all cohorts together. */
    record TimelinePoint(Instant windowStart, long attempts, long failures, long devicesAttempted,
            long devicesFailed, Double failureRate) {
    }

    record Timeline(String kb, Instant from, Instant to, List<TimelinePoint> windows, List<ReleaseMark> releases) {
    }

    /** The latest day of a KB's release progress. */
    record ReleaseProgressRow(String kb, LocalDate day, long devicesTracked, long devicesAttempted,
            long devicesFailing, long devicesFixed, long devicesFalseFailure, Map<String, Long> fixedByCause,
            long devicesAtFixedWinre, Double shareAtFixedWinre, long exposedDevices, Instant updatedAt) {
    }

    /** Devices exposed to CVE-2024-20666 (BitLocker on, WinRE unpatched) in one cohort. */
    record ExposedCohort(String kb, String sizeBucket, String freeBucket, String bitlocker, long devices) {
    }

    record Progress(List<ReleaseProgressRow> releases, List<ExposedCohort> exposed) {
    }

    record FiringAlert(String alertId, String kb, String errorCode, String sizeBucket, String freeBucket,
            String bitlocker, Instant startsAt, Instant windowStart, Instant windowEnd, long currentDevicesFailed,
            long currentDevicesAttempted, Double currentFailureRate, Double baselineFailureRate, String summary,
            String runbookUrl, Instant detectedAt) {
    }

    /** A device's rows: column name to value, as stored. */
    record DeviceLookup(String deviceId, List<Map<String, Object>> statuses, List<Map<String, Object>> remediations) {
    }
}
