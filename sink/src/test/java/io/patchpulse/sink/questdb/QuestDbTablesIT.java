package io.patchpulse.sink.questdb;

import static io.patchpulse.sink.questdb.OutputFixtures.DAY;
import static io.patchpulse.sink.questdb.OutputFixtures.KB;
import static io.patchpulse.sink.questdb.OutputFixtures.OTHER_KB;
import static io.patchpulse.sink.questdb.OutputFixtures.T0;
import static io.patchpulse.sink.questdb.OutputFixtures.failing;
import static io.patchpulse.sink.questdb.OutputFixtures.firing;
import static io.patchpulse.sink.questdb.OutputFixtures.fixedByScript;
import static io.patchpulse.sink.questdb.OutputFixtures.neverAttempted;
import static io.patchpulse.sink.questdb.OutputFixtures.progress;
import static io.patchpulse.sink.questdb.OutputFixtures.remediation;
import static io.patchpulse.sink.questdb.OutputFixtures.resolved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.schemas.avro.DeviceEvidence;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.sink.WriteResult;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The non-trend tables against a real embedded QuestDB: each batch reads back as the fixtures say (expected rows are
 * mapped here from the Avro fields, not through {@link QuestDbTables}), and a re-delivered batch plus an update of
 * one key leaves one row per key, holding the update.
 */
class QuestDbTablesIT {

    private static final Duration WAL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path root;

    private static EmbeddedQuestDb questDb;
    private static QuestDbHttp http;

    @BeforeAll
    static void startQuestDb() {
        questDb = EmbeddedQuestDb.start(root);
        http = new QuestDbHttp(questDb.httpUrl());
        QuestDbTables.defaults().createIfMissing(http);
    }

    @AfterAll
    static void stopQuestDb() {
        if (questDb != null) {
            questDb.close();
        }
    }

    @Test
    void shouldKeepOneReleaseProgressRowPerKbAndDayWithEveryCounter() {
        QuestDbTable<ReleaseProgress> table = QuestDbTables.defaults().releaseProgress();
        ReleaseProgress day1 = progress(KB, DAY, 1000, 400, 120, 60, 5,
                Map.of("SCRIPT_APPLIED", 30L, "RETRY", 20L, "FALSE_FAILURE", 5L, "SOMETHING_NEWER", 5L),
                700, 0.7, 310, T0);
        ReleaseProgress day2 = progress(KB, DAY.plusDays(1), 1010, 500, 100, 110, 6,
                Map.of("SCRIPT_APPLIED", 70L, "PARTITION_RESIZED", 34L, "FALSE_FAILURE", 6L), 760, 760 / 1010.0,
                280, T0.plus(Duration.ofDays(1)));
        ReleaseProgress otherKb = progress(OTHER_KB, DAY, 0, 0, 0, 0, 0, Map.of(), 0, null, 0, T0);
        // Later the same day: more devices fixed, and the fixed WinRE version no longer known (share back to null)
        ReleaseProgress day1Later = progress(KB, DAY, 1000, 420, 90, 95, 5,
                Map.of("SCRIPT_APPLIED", 50L, "RETRY", 35L, "FALSE_FAILURE", 5L, "SOMETHING_NEWER", 5L),
                720, null, 290, T0.plus(Duration.ofHours(6)));

        WriteResult first = writeTwiceWithUpdate(table, List.of(day1, day2, otherKb), day1Later);

        assertThat(first.rows("release_progress")).isEqualTo(3);
        assertThat(first.newestWindowStart()).contains(Instant.parse("2024-01-11T00:00:00Z"));
        assertThat(http.query("SELECT * FROM release_progress ORDER BY ts, kb"))
                .containsExactly(expected(otherKb), expected(day1Later), expected(day2));
        // The causes add up to the devices fixed from failing, the unknown name included
        assertThat(http.query("SELECT fixed_by_false_failure + fixed_by_script_applied + fixed_by_partition_resized"
                + " + fixed_by_newer_release + fixed_by_retry + fixed_by_unknown total FROM release_progress"
                + " WHERE kb = '" + KB + "' ORDER BY ts"))
                .extracting(row -> row.get("total"))
                .containsExactly(95L, 110L);
    }

    @Test
    void shouldKeepOneRemediationRowPerDeviceAndKb() {
        QuestDbTable<Remediation> table = QuestDbTables.defaults().remediations();
        Instant since = T0.minus(Duration.ofDays(1));
        Remediation a = remediation("dev-a", KB, RemediationCause.SCRIPT_APPLIED, since, T0, "evt-17",
                80L * 1_048_576, 80L * 1_048_576);
        Remediation aOtherKb = remediation("dev-a", OTHER_KB, RemediationCause.NEWER_RELEASE, since,
                T0.plusSeconds(60), null, null, null);
        Remediation b = remediation("dev-b|x", KB, RemediationCause.PARTITION_RESIZED, since.plusSeconds(5),
                T0.plusSeconds(3600), "evt-99", 100L * 1_048_576, 400L * 1_048_576);
        Remediation bCorrected = Remediation.newBuilder(b).setEvidence("fixture: corrected").build();

        WriteResult first = writeTwiceWithUpdate(table, List.of(a, aOtherKb, b), bCorrected);

        assertThat(first.rows("remediations")).isEqualTo(3);
        assertThat(first.newestWindowStart()).isEmpty();
        assertThat(http.query("SELECT * FROM remediations ORDER BY ts"))
                .containsExactly(expected(a), expected(aOtherKb), expected(bCorrected));
    }

    @Test
    void shouldKeepTheLatestStateOfEachAlert() {
        QuestDbTable<SpikeAlert> table = QuestDbTables.defaults().alerts();
        Instant window = Instant.parse("2024-01-10T14:00:00Z");
        SpikeAlert small = firing(KB + "|<500MB|<250MB|on-tpm|" + window, "<250MB", window, 42, 60, 2.5, 0.04);
        SpikeAlert tiny = firing(KB + "|<500MB|<100MB|on-tpm|" + window, "<100MB", window, 12, 13, 0.5, 0.02);
        SpikeAlert smallResolved = resolved(small, 3, 55);

        WriteResult first = writeTwiceWithUpdate(table, List.of(small, tiny), smallResolved);

        assertThat(first.rows("alerts")).isEqualTo(2);
        assertThat(first.newestWindowStart()).contains(window);
        assertThat(http.query("SELECT * FROM alerts ORDER BY alert_id"))
                .containsExactly(expected(tiny), expected(smallResolved));
        assertThat(http.query("SELECT state, ends_at, window_start FROM alerts WHERE alert_id = '"
                + small.getAlertId() + "'"))
                .containsExactly(Map.of("state", "RESOLVED", "ends_at", window.plus(Duration.ofHours(1)),
                        "window_start", window.plus(Duration.ofHours(1))));
    }

    @Test
    void shouldKeepTheLatestStatusOfEachDeviceAndKb() {
        QuestDbTable<DeviceStatus> table = QuestDbTables.defaults().deviceStatus();
        DeviceStatus quiet = neverAttempted("dev-q", KB, T0);
        DeviceStatus failingA = failing("dev-a", KB, 2, T0, T0.plusSeconds(600));
        DeviceStatus quietOtherKb = neverAttempted("dev-a", OTHER_KB, T0);
        DeviceStatus fixedA = fixedByScript(failingA, T0.plus(Duration.ofDays(2)), "evt-3");

        WriteResult first = writeTwiceWithUpdate(table, List.of(quiet, failingA, quietOtherKb), fixedA);

        assertThat(first.rows("device_status")).isEqualTo(3);
        assertThat(http.query("SELECT * FROM device_status ORDER BY device_id, kb"))
                .containsExactly(expected(quietOtherKb), expected(fixedA), expected(quiet));
    }

    @Test
    void shouldLetTheLastValueWinWhenOneBatchHoldsAKeyTwice() {
        QuestDbTables tables = QuestDbTables.named("progress_same_batch", "remediations_same_batch",
                "alerts_same_batch", "status_same_batch");
        tables.createIfMissing(http);
        DeviceStatus older = failing("dev-a", KB, 1, T0, T0);
        DeviceStatus newer = failing("dev-a", KB, 3, T0, T0.plusSeconds(900));

        try (QuestDbRecordWriter<DeviceStatus> writer =
                new QuestDbRecordWriter<>(questDb.senderConfig(), tables.deviceStatus())) {
            assertThat(writer.write(List.of(older, newer)).rows("status_same_batch")).isEqualTo(1);
        }
        http.awaitWalApplied("status_same_batch", WAL_TIMEOUT);

        assertThat(http.query("SELECT failures, updated_at FROM status_same_batch"))
                .containsExactly(Map.of("failures", 3L, "updated_at", T0.plusSeconds(900)));
    }

    @Test
    void shouldCreateEveryTableWithItsDedupKeysAndToleratePreviousCreation() {
        QuestDbTables tables = QuestDbTables.named("progress_ddl", "remediations_ddl", "alerts_ddl", "status_ddl");

        tables.createIfMissing(http);
        tables.createIfMissing(http);

        Map<String, Set<String>> keys = Map.of(
                "progress_ddl", Set.of("ts", "kb"),
                "remediations_ddl", Set.of("ts", "device_id", "kb"),
                "alerts_ddl", Set.of("ts", "alert_id"),
                "status_ddl", Set.of("ts", "device_id", "kb"));
        keys.forEach((name, upsertKeys) -> {
            assertThat(http.query("SELECT \"column\" FROM table_columns('" + name + "') WHERE upsertKey"))
                    .as(name)
                    .extracting(row -> row.get("column"))
                    .containsExactlyInAnyOrderElementsOf(upsertKeys);
            assertThat(http.query("SELECT designatedTimestamp, walEnabled, dedup FROM tables()"
                    + " WHERE table_name = '" + name + "'"))
                    .as(name)
                    .containsExactly(Map.of("designatedTimestamp", "ts", "walEnabled", true, "dedup", true));
        });
    }

    @Test
    void shouldFailRetriablyAndWriteTheWholeBatchOnceQuestDbIsBack() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        QuestDbTables tables = QuestDbTables.named("progress_retry", "remediations_retry", "alerts_retry",
                "status_retry");
        tables.createIfMissing(http);
        SpikeAlert alert = firing("retry|1", "<250MB", T0, 9, 10, 1.0, 0.05);

        try (QuestDbRecordWriter<SpikeAlert> down = new QuestDbRecordWriter<>(
                "http::addr=127.0.0.1:" + closedPort + ";retry_timeout=0;protocol_version=2;", tables.alerts())) {
            assertThatThrownBy(() -> down.write(List.of(alert)))
                    .isInstanceOfSatisfying(QuestDbException.class, e -> assertThat(e.isRetriable()).isTrue());
        }
        try (QuestDbRecordWriter<SpikeAlert> up = new QuestDbRecordWriter<>(questDb.senderConfig(), tables.alerts())) {
            assertThat(up.write(List.of(alert)).rows("alerts_retry")).isEqualTo(1);
        }
        http.awaitWalApplied("alerts_retry", WAL_TIMEOUT);
        assertThat(http.query("SELECT alert_id, state FROM alerts_retry"))
                .containsExactly(Map.of("alert_id", "retry|1", "state", "FIRING"));
    }

    /**
     * Writes {@code batch}, then (a re-delivery) {@code batch} again followed by {@code update}, then checks the
     * table holds exactly one row per key of the batch. Returns the first write's result.
     */
    private static <V> WriteResult writeTwiceWithUpdate(QuestDbTable<V> table, List<V> batch, V update) {
        WriteResult first;
        try (QuestDbRecordWriter<V> writer = new QuestDbRecordWriter<>(questDb.senderConfig(), table)) {
            first = writer.write(batch);
            List<V> again = new ArrayList<>(batch);
            again.add(update);
            writer.write(again);
            // And the update on its own once more: still an update, not a row
            writer.write(List.of(update));
        }
        http.awaitWalApplied(table.name(), WAL_TIMEOUT);
        assertThat(http.query("SELECT count() n FROM " + table.name()))
                .containsExactly(Map.of("n", (long) batch.size()));
        return first;
    }

    private static Map<String, Object> expected(ReleaseProgress p) {
        Map<String, Object> row = new HashMap<>();
        row.put("ts", p.getDay().atStartOfDay(ZoneOffset.UTC).toInstant());
        row.put("kb", p.getKb());
        row.put("devices_tracked", p.getDevicesTracked());
        row.put("devices_attempted", p.getDevicesAttempted());
        row.put("devices_failing", p.getDevicesFailing());
        row.put("devices_fixed", p.getDevicesFixed());
        row.put("devices_false_failure", p.getDevicesFalseFailure());
        long unknown = 0;
        for (RemediationCause cause : RemediationCause.values()) {
            row.put("fixed_by_" + cause.name().toLowerCase(Locale.ROOT),
                    p.getFixedByCause().getOrDefault(cause.name(), 0L));
        }
        for (Map.Entry<String, Long> entry : p.getFixedByCause().entrySet()) {
            boolean known = false;
            for (RemediationCause cause : RemediationCause.values()) {
                known |= cause.name().equals(entry.getKey());
            }
            unknown += known ? 0 : entry.getValue();
        }
        row.put("fixed_by_unknown", (Long) row.get("fixed_by_unknown") + unknown);
        row.put("devices_at_fixed_winre", p.getDevicesAtFixedWinre());
        row.put("share_at_fixed_winre", p.getShareAtFixedWinre());
        row.put("exposed_devices", p.getExposedDevices());
        row.put("updated_at", p.getUpdatedAt());
        return row;
    }

    private static Map<String, Object> expected(Remediation r) {
        Map<String, Object> row = new HashMap<>();
        row.put("ts", r.getFixedAt());
        row.put("device_id", r.getDeviceId());
        row.put("kb", r.getKb());
        row.put("cause", r.getCause().name());
        row.put("size_bucket", r.getSizeBucket());
        row.put("free_bucket", r.getFreeBucket());
        row.put("bitlocker", r.getBitlocker());
        row.put("failing_since", r.getFailingSince());
        row.put("time_to_fix_millis", r.getTimeToFixMillis());
        row.put("fixed_by_event_id", r.getFixedByEventId());
        row.put("winre_version_before", r.getWinreVersionBefore());
        row.put("winre_version_after", r.getWinreVersionAfter());
        row.put("free_bytes_before", r.getFreeBytesBefore());
        row.put("free_bytes_after", r.getFreeBytesAfter());
        row.put("evidence", r.getEvidence());
        return row;
    }

    private static Map<String, Object> expected(SpikeAlert a) {
        Map<String, Object> row = new HashMap<>();
        row.put("ts", a.getStartsAt());
        row.put("alert_id", a.getAlertId());
        row.put("state", a.getState().name());
        row.put("kb", a.getKb());
        row.put("error_code", a.getErrorCode());
        row.put("size_bucket", a.getSizeBucket());
        row.put("free_bucket", a.getFreeBucket());
        row.put("bitlocker", a.getBitlocker());
        row.put("window_start", a.getWindowStart());
        row.put("window_end", a.getWindowEnd());
        row.put("ends_at", a.getEndsAt());
        row.put("current_devices_failed", a.getCurrentDevicesFailed());
        row.put("current_devices_attempted", a.getCurrentDevicesAttempted());
        row.put("current_failure_rate", a.getCurrentFailureRate());
        row.put("baseline_devices_failed", a.getBaselineDevicesFailed());
        row.put("baseline_failure_rate", a.getBaselineFailureRate());
        row.put("baseline_windows", (long) a.getBaselineWindows());
        row.put("summary", a.getSummary());
        row.put("runbook_url", a.getRunbookUrl());
        row.put("detected_at", a.getDetectedAt());
        return row;
    }

    private static Map<String, Object> expected(DeviceStatus s) {
        DeviceEvidence e = s.getEvidence();
        Map<String, Object> row = new HashMap<>();
        row.put("ts", Instant.EPOCH);
        row.put("device_id", s.getDeviceId());
        row.put("kb", s.getKb());
        row.put("state", s.getState().name());
        row.put("last_error_code", s.getLastErrorCode());
        row.put("fix_cause", s.getFixCause() == null ? null : s.getFixCause().name());
        row.put("size_bucket", s.getSizeBucket());
        row.put("free_bucket", s.getFreeBucket());
        row.put("bitlocker", s.getBitlocker());
        row.put("attempts", (long) s.getAttempts());
        row.put("failures", (long) s.getFailures());
        row.put("first_failure_at", s.getFirstFailureAt());
        row.put("last_attempt_at", s.getLastAttemptAt());
        row.put("insufficient_space_confirmed", s.getInsufficientSpaceConfirmed());
        row.put("fixed_at", s.getFixedAt());
        row.put("winre_version", s.getWinreVersion());
        row.put("winre_at_fixed_version", text(s.getWinreAtFixedVersion()));
        row.put("bitlocker_on", s.getBitlockerOn());
        row.put("exposed", s.getExposed());
        row.put("updated_at", s.getUpdatedAt());
        row.put("evidence_free_bytes_at_first_failure", e.getFreeBytesAtFirstFailure());
        row.put("evidence_partition_bytes_at_first_failure", e.getPartitionBytesAtFirstFailure());
        row.put("evidence_winre_version_at_first_failure", e.getWinreVersionAtFirstFailure());
        row.put("evidence_script_patched_at_first_failure", text(e.getScriptPatchedAtFirstFailure()));
        row.put("evidence_free_bytes", e.getFreeBytes());
        row.put("evidence_partition_bytes", e.getPartitionBytes());
        row.put("evidence_script_patched", text(e.getScriptPatched()));
        row.put("evidence_reboot_pending_failures", (long) e.getRebootPendingFailures());
        row.put("evidence_other_failures", (long) e.getOtherFailures());
        row.put("evidence_last_failure_at", e.getLastFailureAt());
        row.put("evidence_space_failure_at", e.getSpaceFailureAt());
        row.put("evidence_fixed_by_event_id", e.getFixedByEventId());
        row.put("evidence_facts_observed_at", e.getFactsObservedAt());
        row.put("evidence_other_release_succeeded_at", e.getOtherReleaseSucceededAt());
        return row;
    }

    private static String text(Boolean flag) {
        return flag == null ? null : flag.toString();
    }
}
