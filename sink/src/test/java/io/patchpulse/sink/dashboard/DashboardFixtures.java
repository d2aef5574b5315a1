package io.patchpulse.sink.dashboard;

import static io.patchpulse.sink.TrendFixtures.trend;

import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.DeviceEvidence;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbRecordWriter;
import io.patchpulse.sink.questdb.QuestDbTables;
import io.patchpulse.sink.questdb.QuestDbTrendWriter;
import io.patchpulse.sink.questdb.TrendTables;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Made-up outputs of one KB5034441 release week (January 2024), written field by field, and their seeding into
 * QuestDB through the sink's own writers. Tests compute what the dashboard must show from these lists, not from SQL.
 */
final class DashboardFixtures {

    static final String KB = "KB5034441";
    static final String OTHER_KB = "KB5034439";
    /** First trend window: 2024-01-09 14:00 UTC, release day of KB5034441. */
    static final Instant W0 = Instant.parse("2024-01-09T14:00:00Z");
    static final Duration HOUR = Duration.ofHours(1);
    static final Duration WAL_TIMEOUT = Duration.ofSeconds(30);
    private static final Instant REMEDIATION_FIXED_AT = W0.plus(HOUR.multipliedBy(20));

    /** Trend windows: KB5034441 over four hours and five cohorts, KB5034439 over two hours. */
    static final List<FailureTrend> TRENDS = trends();
    /** Release progress: two days of KB5034441 (the second is the latest), one of KB5034439. */
    static final List<ReleaseProgress> PROGRESS = List.of(
            progress(KB, LocalDate.of(2024, 1, 9), 1_000, 400, 150, 0, 3, Map.of(), 0, 0.0, 410),
            progress(KB, LocalDate.of(2024, 1, 10), 1_000, 730, 260, 41, 9,
                    Map.of("SCRIPT_APPLIED", 30L, "PARTITION_RESIZED", 11L), 41, 0.041, 388),
            progress(OTHER_KB, LocalDate.of(2024, 1, 10), 200, 90, 12, 2, 0, Map.of("RETRY", 2L), 2, 0.01, 37));
    /** The spike that still fires; another episode that fired and then resolved; a firing one of KB5034439. */
    static final SpikeAlert FIRING = alert("KB5034441|<500MB|<250MB|on-tpm|2024-01-09T16:00:00Z", KB, "<500MB",
            "<250MB", "on-tpm", W0.plus(HOUR.multipliedBy(2)), 37, 52, 0.04);
    static final SpikeAlert RESOLVED_FIRST = alert("KB5034441|500-750MB|<250MB|off|2024-01-09T15:00:00Z", KB,
            "500-750MB", "<250MB", "off", W0.plus(HOUR), 9, 20, 0.05);
    static final SpikeAlert OTHER_FIRING = alert("KB5034439|>=1GB|>=250MB|on-preboot|2024-01-09T14:00:00Z", OTHER_KB,
            ">=1GB", ">=250MB", "on-preboot", W0, 4, 10, 0.0);
    static final SpikeAlert RESOLVED = resolved(RESOLVED_FIRST);
    /** Statuses: two exposed failing devices, one fixed by the script, one never attempted, one on KB5034439. */
    static final List<DeviceStatus> STATUSES = List.of(
            failing("PC-0001.corp.example", KB, "<500MB", "<250MB", "on-tpm", true, 3),
            failing("PC-0002.corp.example", KB, "<500MB", "<250MB", "on-tpm", true, 1),
            failing("PC-0003.corp.example", KB, "500-750MB", "<250MB", "on-preboot", true, 2),
            failing("PC-0004.corp.example", KB, "500-750MB", "<250MB", "off", false, 5),
            fixed("PC-0005.corp.example", KB),
            neverAttempted("PC-0006.corp.example", KB),
            failing("PC-0001.corp.example", OTHER_KB, ">=1GB", ">=250MB", "on-tpm", true, 1));
    static final Remediation REMEDIATION = Remediation.newBuilder()
            .setDeviceId("PC-0005.corp.example")
            .setKb(KB)
            .setCause(RemediationCause.SCRIPT_APPLIED)
            .setEvidence("fixture: KB5034957 script, then event 19")
            .setFailingSince(W0.plusSeconds(600))
            .setFixedAt(REMEDIATION_FIXED_AT)
            .setTimeToFixMillis(HOUR.multipliedBy(20).minusSeconds(600).toMillis())
            .setFixedByEventId("evt-19-0005")
            .setWinreVersionBefore("10.0.19041.3636")
            .setWinreVersionAfter("10.0.19041.3920")
            .setFreeBytesBefore(80L * 1_048_576)
            .setFreeBytesAfter(330L * 1_048_576)
            .setSizeBucket("<500MB")
            .setFreeBucket("<250MB")
            .setBitlocker("on-tpm")
            .build();

    private DashboardFixtures() {
    }

    /** Creates the tables and writes every fixture through the sink's writers; returns once QuestDB applied them. */
    static void seed(EmbeddedQuestDb questDb) {
        QuestDbHttp http = new QuestDbHttp(questDb.httpUrl());
        TrendTables trendTables = TrendTables.defaults();
        QuestDbTables tables = QuestDbTables.defaults();
        trendTables.createIfMissing(http);
        tables.createIfMissing(http);
        String sender = questDb.senderConfig();
        try (QuestDbTrendWriter trends = new QuestDbTrendWriter(sender, trendTables);
                QuestDbRecordWriter<ReleaseProgress> progress = new QuestDbRecordWriter<>(sender,
                        tables.releaseProgress());
                QuestDbRecordWriter<SpikeAlert> alerts = new QuestDbRecordWriter<>(sender, tables.alerts());
                QuestDbRecordWriter<DeviceStatus> statuses = new QuestDbRecordWriter<>(sender, tables.deviceStatus());
                QuestDbRecordWriter<Remediation> remediations = new QuestDbRecordWriter<>(sender,
                        tables.remediations())) {
            trends.write(TRENDS);
            progress.write(PROGRESS);
            alerts.write(List.of(FIRING, RESOLVED_FIRST, OTHER_FIRING));
            // The resolution comes in a later batch, as from the topic: it must replace the firing row.
            alerts.write(List.of(RESOLVED));
            statuses.write(STATUSES);
            remediations.write(List.of(REMEDIATION));
        }
        for (String table : List.of("failure_trends", "failure_errors", "release_progress", "alerts",
                "device_status", "remediations")) {
            http.awaitWalApplied(table, WAL_TIMEOUT);
        }
    }

    private static List<FailureTrend> trends() {
        // {size, free, bitlocker, then per hour: devices attempted, devices failed}
        Object[][] cohorts = {
                {"<500MB", "<250MB", "on-tpm", new long[][] {{20, 3}, {25, 9}, {52, 37}, {30, 21}}},
                {"<500MB", ">=250MB", "on-tpm", new long[][] {{10, 0}, {12, 1}, {9, 0}, {11, 1}}},
                {"<500MB", "<250MB", "off", new long[][] {{7, 2}, {8, 3}, {6, 2}, {5, 1}}},
                {"500-750MB", "<250MB", "off", new long[][] {{15, 4}, {20, 9}, {18, 2}, {17, 1}}},
                {">=1GB", ">=250MB", "on-preboot", new long[][] {{40, 0}, {38, 0}, {41, 1}, {39, 0}}},
        };
        List<FailureTrend> trends = new ArrayList<>();
        for (Object[] cohort : cohorts) {
            long[][] hours = (long[][]) cohort[3];
            for (int hour = 0; hour < hours.length; hour++) {
                long attempted = hours[hour][0];
                long failed = hours[hour][1];
                // Retries: each failing device tried twice.
                trends.add(trend(W0.plus(HOUR.multipliedBy(hour)), KB, (String) cohort[0], (String) cohort[1],
                        (String) cohort[2], attempted + failed, 2 * failed, attempted, failed, attempted - failed,
                        failed == 0 ? Map.of() : Map.of("0x80070643", failed)));
            }
        }
        trends.add(trend(W0, OTHER_KB, ">=1GB", ">=250MB", "on-preboot", 10, 4, 10, 4, 6, Map.of("0x80070643", 4L)));
        trends.add(trend(W0.plus(HOUR), OTHER_KB, ">=1GB", ">=250MB", "on-preboot", 12, 1, 12, 1, 11,
                Map.of("0x80070643", 1L)));
        return List.copyOf(trends);
    }

    private static ReleaseProgress progress(String kb, LocalDate day, long tracked, long attempted, long failing,
            long fixed, long falseFailure, Map<String, Long> fixedBy, long atFixed, double share, long exposed) {
        return io.patchpulse.sink.TrendFixtures.progress(kb, day, tracked, attempted, failing, fixed, falseFailure,
                fixedBy, atFixed, share, exposed, day.atTime(23, 59).toInstant(java.time.ZoneOffset.UTC));
    }

    private static SpikeAlert alert(String id, String kb, String size, String free, String bitlocker,
            Instant windowStart, long failed, long attempted, double baselineRate) {
        return SpikeAlert.newBuilder()
                .setAlertId(id)
                .setState(AlertState.FIRING)
                .setKb(kb)
                .setErrorCode("0x80070643")
                .setSizeBucket(size)
                .setFreeBucket(free)
                .setBitlocker(bitlocker)
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plus(HOUR))
                .setStartsAt(windowStart.plus(Duration.ofMinutes(42)))
                .setCurrentDevicesFailed(failed)
                .setCurrentDevicesAttempted(attempted)
                .setCurrentFailureRate((double) failed / attempted)
                .setBaselineDevicesFailed(1.5)
                .setBaselineFailureRate(baselineRate)
                .setBaselineWindows(24)
                .setSummary(failed + " of " + attempted + " devices on " + size + "/" + free + "/" + bitlocker
                        + " failed " + kb + " with 0x80070643 <script>alert(1)</script>")
                .setRunbookUrl("https://example.invalid/runbooks/winre-space")
                .setDetectedAt(windowStart.plus(Duration.ofMinutes(43)))
                .build();
    }

    private static SpikeAlert resolved(SpikeAlert alert) {
        Instant next = alert.getWindowEnd();
        return SpikeAlert.newBuilder(alert)
                .setState(AlertState.RESOLVED)
                .setWindowStart(next)
                .setWindowEnd(next.plus(HOUR))
                .setEndsAt(next)
                .setCurrentDevicesFailed(2)
                .setCurrentDevicesAttempted(18)
                .setCurrentFailureRate(2.0 / 18)
                .setSummary("resolved")
                .setDetectedAt(next.plus(HOUR).plusSeconds(5))
                .build();
    }

    private static DeviceStatus failing(String deviceId, String kb, String size, String free, String bitlocker,
            boolean exposed, int failures) {
        Instant first = W0.plusSeconds(600);
        Instant last = first.plus(HOUR.multipliedBy(failures));
        return DeviceStatus.newBuilder()
                .setDeviceId(deviceId)
                .setKb(kb)
                .setState(DeviceUpdateState.FAILING)
                .setAttempts(failures)
                .setFailures(failures)
                .setFirstFailureAt(first)
                .setLastAttemptAt(last)
                .setLastErrorCode("0x80070643")
                .setInsufficientSpaceConfirmed(true)
                .setWinreVersion("10.0.19041.3636")
                .setWinreAtFixedVersion(false)
                .setSizeBucket(size)
                .setFreeBucket(free)
                .setBitlocker(bitlocker)
                .setBitlockerOn(exposed)
                .setExposed(exposed)
                .setEvidence(DeviceEvidence.newBuilder()
                        .setFreeBytes(80L * 1_048_576)
                        .setPartitionBytes(499L * 1_048_576)
                        .setOtherFailures(failures)
                        .setLastFailureAt(last)
                        .setFactsObservedAt(last)
                        .build())
                .setUpdatedAt(last)
                .build();
    }

    private static DeviceStatus fixed(String deviceId, String kb) {
        DeviceStatus status = failing(deviceId, kb, "<500MB", "<250MB", "on-tpm", false, 2);
        return DeviceStatus.newBuilder(status)
                .setState(DeviceUpdateState.FIXED)
                .setFixedAt(REMEDIATION_FIXED_AT)
                .setFixCause(RemediationCause.SCRIPT_APPLIED)
                .setWinreVersion("10.0.19041.3920")
                .setWinreAtFixedVersion(true)
                .setBitlockerOn(true)
                .setExposed(false)
                .setUpdatedAt(REMEDIATION_FIXED_AT)
                .build();
    }

    private static DeviceStatus neverAttempted(String deviceId, String kb) {
        return io.patchpulse.sink.TrendFixtures.neverAttempted(deviceId, kb, W0);
    }
}
