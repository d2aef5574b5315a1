package io.patchpulse.sink.questdb;

import static io.patchpulse.sink.questdb.OutputFixtures.DAY;
import static io.patchpulse.sink.questdb.OutputFixtures.KB;
import static io.patchpulse.sink.questdb.OutputFixtures.T0;
import static io.patchpulse.sink.questdb.OutputFixtures.failing;
import static io.patchpulse.sink.questdb.OutputFixtures.firing;
import static io.patchpulse.sink.questdb.OutputFixtures.fixedByScript;
import static io.patchpulse.sink.questdb.OutputFixtures.progress;
import static io.patchpulse.sink.questdb.OutputFixtures.resolved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.SpikeAlert;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table definitions: DDL text, dedup keys, and the key that folds a batch, without a server. */
class QuestDbTablesTest {

    @Test
    void shouldCreateAlertsAsAWalTableKeyedByIdAndStart() {
        assertThat(QuestDbTables.defaults().alerts().createDdl()).isEqualTo(
                "CREATE TABLE IF NOT EXISTS alerts (ts TIMESTAMP, alert_id VARCHAR, state SYMBOL, kb SYMBOL,"
                        + " error_code SYMBOL, size_bucket SYMBOL, free_bucket SYMBOL, bitlocker SYMBOL,"
                        + " window_start TIMESTAMP, window_end TIMESTAMP, ends_at TIMESTAMP,"
                        + " current_devices_failed LONG, current_devices_attempted LONG, current_failure_rate DOUBLE,"
                        + " baseline_devices_failed DOUBLE, baseline_failure_rate DOUBLE, baseline_windows LONG,"
                        + " summary VARCHAR, runbook_url VARCHAR, detected_at TIMESTAMP)"
                        + " TIMESTAMP(ts) PARTITION BY MONTH WAL DEDUP UPSERT KEYS(ts, alert_id)");
        assertThat(QuestDbTables.defaults().alerts().enableDedupDdl())
                .isEqualTo("ALTER TABLE alerts DEDUP ENABLE UPSERT KEYS(ts, alert_id)");
    }

    @Test
    void shouldKeyEveryTableAsItsTopicKeysItsRecords() {
        QuestDbTables tables = QuestDbTables.defaults();

        assertThat(tables.releaseProgress().upsertKeys()).containsExactly("ts", "kb");
        assertThat(tables.remediations().upsertKeys()).containsExactly("ts", "device_id", "kb");
        assertThat(tables.alerts().upsertKeys()).containsExactly("ts", "alert_id");
        assertThat(tables.deviceStatus().upsertKeys()).containsExactly("ts", "device_id", "kb");
        assertThat(tables.names()).containsExactly("release_progress", "remediations", "alerts", "device_status");
    }

    @Test
    void shouldGiveReleaseProgressOneColumnPerRemediationCause() {
        String ddl = QuestDbTables.defaults().releaseProgress().createDdl();

        for (RemediationCause cause : RemediationCause.values()) {
            assertThat(ddl).contains("fixed_by_" + cause.name().toLowerCase(java.util.Locale.ROOT) + " LONG");
        }
        assertThat(ddl).contains("share_at_fixed_winre DOUBLE", "PARTITION BY MONTH WAL DEDUP UPSERT KEYS(ts, kb)");
    }

    @Test
    void shouldCountCauseNamesItDoesNotKnowAsUnknown() {
        Map<String, Long> byCause = Map.of("RETRY", 4L, "UNKNOWN", 1L, "TELEPORTED", 2L);

        assertThat(QuestDbTables.fixedBy(byCause, RemediationCause.RETRY)).isEqualTo(4);
        assertThat(QuestDbTables.fixedBy(byCause, RemediationCause.UNKNOWN)).isEqualTo(3);
        assertThat(QuestDbTables.fixedBy(byCause, RemediationCause.SCRIPT_APPLIED)).isZero();
    }

    @Test
    void shouldGiveEveryUpdateOfADeviceStatusTheSameKey() {
        QuestDbTable<DeviceStatus> table = QuestDbTables.defaults().deviceStatus();
        DeviceStatus before = failing("dev-a", KB, 1, T0, T0);
        DeviceStatus after = fixedByScript(before, T0.plusSeconds(86_400), "evt-1");

        assertThat(table.key(after)).isEqualTo(table.key(before));
        assertThat(table.timestamp(after)).isEqualTo(Instant.EPOCH);
        assertThat(table.key(failing("dev-a", "KB5034439", 1, T0, T0))).isNotEqualTo(table.key(before));
    }

    @Test
    void shouldGiveAResolvedAlertTheKeyItFiredWith() {
        QuestDbTable<SpikeAlert> table = QuestDbTables.defaults().alerts();
        SpikeAlert fired = firing("a|1", "<250MB", T0, 10, 12, 1.0, 0.05);

        assertThat(table.key(resolved(fired, 1, 12))).isEqualTo(table.key(fired));
    }

    @Test
    void shouldNotConfuseKeysWhoseValuesContainTheSeparator() {
        QuestDbTable<DeviceStatus> table = QuestDbTables.defaults().deviceStatus();

        assertThat(table.key(failing("a|b", "c", 1, T0, T0))).isNotEqualTo(table.key(failing("a", "b|c", 1, T0, T0)));
    }

    @Test
    void shouldRefuseNamesThatAreNotPlainIdentifiers() {
        assertThatThrownBy(() -> QuestDbTables.releaseProgress("progress; DROP TABLE x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QuestDbTables.named("same", "remediations", "alerts", "SAME"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("different names");
        assertThatThrownBy(() -> QuestDbTable.<String>builder("t").key("ts", QuestDbTable.ColumnType.LONG,
                String::length)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReportTheDayAsTheWindowOfReleaseProgress() {
        assertThat(QuestDbTables.defaults().releaseProgress()
                .windowStart(progress(KB, DAY, 1, 0, 0, 0, 0, Map.of(), 0, null, 0, T0)))
                .contains(Instant.parse("2024-01-10T00:00:00Z"));
    }
}
