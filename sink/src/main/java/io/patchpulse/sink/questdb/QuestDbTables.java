package io.patchpulse.sink.questdb;

import static io.patchpulse.sink.questdb.QuestDbTable.ColumnType.SYMBOL;
import static io.patchpulse.sink.questdb.QuestDbTable.ColumnType.VARCHAR;

import io.patchpulse.schemas.avro.DeviceEvidence;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.SpikeAlert;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The QuestDB tables of every topology output besides the trends ({@link TrendTables}): each table's columns, dedup
 * key and designated timestamp, defined once here, and their creation.
 *
 * <ul>
 *   <li>{@code release_progress} from {@code release-progress}: one row per KB and UTC day; designated timestamp the
 *       day's start, key {@code kb}. {@code fixedByCause} becomes one column per {@link RemediationCause}
 *       ({@code fixed_by_script_applied}, ...; 0 when absent); a map key that names no cause (a newer producer)
 *       counts under {@code fixed_by_unknown}, so the causes still add up to the devices fixed that way.</li>
 *   <li>{@code remediations} from {@code remediations}: one row per device and KB; designated timestamp
 *       {@code fixedAt}, key {@code device_id, kb}. FIXED is final in the topology, so a device's fix for a KB is
 *       emitted once and a re-delivery carries the same {@code fixedAt}: it replaces the row.</li>
 *   <li>{@code alerts} from {@code alerts}: one row per alert id, its latest state; designated timestamp
 *       {@code startsAt}, key {@code alert_id}. The topology keeps {@code startsAt} when it resolves an episode (the
 *       window columns move on to the window that resolved it), so RESOLVED replaces FIRING.</li>
 *   <li>{@code device_status} from {@code device-status}: latest state per device and KB; key
 *       {@code device_id, kb}. The designated timestamp is the same fixed instant, {@link #DEVICE_STATUS_TS}
 *       (1970-01-01T00:00:00Z), for every row: an upsert only replaces a row with the same designated timestamp,
 *       and the record has no time that stays put across updates ({@code updatedAt} moves with each change,
 *       {@code firstFailureAt} is null until the first failure and then appears). A per-key time derived from a
 *       hash would do as well but says as little, and spreads rows over partitions that every batch of random
 *       devices touches anyway. All rows share one partition, which each commit merges into; measured on the
 *       embedded server (2 cores): 100 000 devices rewritten in batches of 1 000 at ~22 000 rows/s with the WAL
 *       applied, the same rate as their first insert. Query by {@code updated_at} for time; {@code ts} carries no
 *       meaning.</li>
 * </ul>
 *
 * <p>Device ids and alert ids are VARCHAR (unbounded cardinality), labels are SYMBOLs, instants TIMESTAMPs (nullable
 * ones NULL when unknown), counts LONG, nullable flags SYMBOL {@code 'true'}/{@code 'false'} (QuestDB's BOOLEAN
 * stores no NULL). Column names are the Avro field names in snake case; {@code DeviceStatus.evidence} is flattened
 * with the prefix {@code evidence_}.
 *
 * @param releaseProgress the {@code release-progress} table
 * @param remediations the {@code remediations} table
 * @param alerts the {@code alerts} table
 * @param deviceStatus the {@code device-status} table
 */
public record QuestDbTables(QuestDbTable<ReleaseProgress> releaseProgress, QuestDbTable<Remediation> remediations,
        QuestDbTable<SpikeAlert> alerts, QuestDbTable<DeviceStatus> deviceStatus) {

    public static final String DEFAULT_RELEASE_PROGRESS = "release_progress";
    public static final String DEFAULT_REMEDIATIONS = "remediations";
    public static final String DEFAULT_ALERTS = "alerts";
    public static final String DEFAULT_DEVICE_STATUS = "device_status";

    /** The designated timestamp of every {@code device_status} row (see the class comment). */
    public static final Instant DEVICE_STATUS_TS = Instant.EPOCH;

    /** Prefix of the {@code release_progress} columns per {@link RemediationCause}. */
    public static final String FIXED_BY_PREFIX = "fixed_by_";

    public QuestDbTables {
        Objects.requireNonNull(releaseProgress, "releaseProgress");
        Objects.requireNonNull(remediations, "remediations");
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(deviceStatus, "deviceStatus");
        if (names(releaseProgress, remediations, alerts, deviceStatus).stream()
                .map(name -> name.toLowerCase(Locale.ROOT)).distinct().count() != 4) {
            throw new IllegalArgumentException("the four tables need different names, were "
                    + names(releaseProgress, remediations, alerts, deviceStatus));
        }
    }

    /** The tables under the given names. */
    public static QuestDbTables named(String releaseProgress, String remediations, String alerts,
            String deviceStatus) {
        return new QuestDbTables(releaseProgress(releaseProgress), remediations(remediations), alerts(alerts),
                deviceStatus(deviceStatus));
    }

    /** {@code release_progress}, {@code remediations}, {@code alerts}, {@code device_status}. */
    public static QuestDbTables defaults() {
        return named(DEFAULT_RELEASE_PROGRESS, DEFAULT_REMEDIATIONS, DEFAULT_ALERTS, DEFAULT_DEVICE_STATUS);
    }

    /** The four table names, in the order of the components. */
    public List<String> names() {
        return names(releaseProgress, remediations, alerts, deviceStatus);
    }

    /**
     * Creates the four tables when missing and (re)enables their deduplication. Call before the first write.
     *
     * @throws QuestDbException when QuestDB refuses (an existing table of another shape, say) or cannot be reached
     */
    public void createIfMissing(QuestDbHttp http) {
        releaseProgress.createIfMissing(http);
        remediations.createIfMissing(http);
        alerts.createIfMissing(http);
        deviceStatus.createIfMissing(http);
    }

    /** The {@code release-progress} table under {@code name}. */
    public static QuestDbTable<ReleaseProgress> releaseProgress(String name) {
        Function<ReleaseProgress, Instant> dayStart = p -> p.getDay().atStartOfDay(ZoneOffset.UTC).toInstant();
        QuestDbTable.Builder<ReleaseProgress> table = QuestDbTable.<ReleaseProgress>builder(name)
                .timestamp(dayStart)
                .windowStart(p -> Optional.of(dayStart.apply(p)))
                .partitionBy("MONTH")
                .key("kb", SYMBOL, ReleaseProgress::getKb)
                .longColumn("devices_tracked", ReleaseProgress::getDevicesTracked)
                .longColumn("devices_attempted", ReleaseProgress::getDevicesAttempted)
                .longColumn("devices_failing", ReleaseProgress::getDevicesFailing)
                .longColumn("devices_fixed", ReleaseProgress::getDevicesFixed)
                .longColumn("devices_false_failure", ReleaseProgress::getDevicesFalseFailure);
        for (RemediationCause cause : RemediationCause.values()) {
            table.longColumn(FIXED_BY_PREFIX + cause.name().toLowerCase(Locale.ROOT),
                    p -> fixedBy(p.getFixedByCause(), cause));
        }
        return table
                .longColumn("devices_at_fixed_winre", ReleaseProgress::getDevicesAtFixedWinre)
                .doubleColumn("share_at_fixed_winre", ReleaseProgress::getShareAtFixedWinre)
                .longColumn("exposed_devices", ReleaseProgress::getExposedDevices)
                .timestampColumn("updated_at", ReleaseProgress::getUpdatedAt)
                .build();
    }

    /** The {@code remediations} table under {@code name}. */
    public static QuestDbTable<Remediation> remediations(String name) {
        return QuestDbTable.<Remediation>builder(name)
                .timestamp(Remediation::getFixedAt)
                .partitionBy("MONTH")
                .key("device_id", VARCHAR, Remediation::getDeviceId)
                .key("kb", SYMBOL, Remediation::getKb)
                .symbol("cause", Remediation::getCause)
                .symbol("size_bucket", Remediation::getSizeBucket)
                .symbol("free_bucket", Remediation::getFreeBucket)
                .symbol("bitlocker", Remediation::getBitlocker)
                .timestampColumn("failing_since", Remediation::getFailingSince)
                .longColumn("time_to_fix_millis", Remediation::getTimeToFixMillis)
                .varchar("fixed_by_event_id", Remediation::getFixedByEventId)
                .varchar("winre_version_before", Remediation::getWinreVersionBefore)
                .varchar("winre_version_after", Remediation::getWinreVersionAfter)
                .longColumn("free_bytes_before", Remediation::getFreeBytesBefore)
                .longColumn("free_bytes_after", Remediation::getFreeBytesAfter)
                .varchar("evidence", Remediation::getEvidence)
                .build();
    }

    /** The {@code alerts} table under {@code name}. */
    public static QuestDbTable<SpikeAlert> alerts(String name) {
        return QuestDbTable.<SpikeAlert>builder(name)
                .timestamp(SpikeAlert::getStartsAt)
                .windowStart(a -> Optional.of(a.getWindowStart()))
                .partitionBy("MONTH")
                .key("alert_id", VARCHAR, SpikeAlert::getAlertId)
                .symbol("state", SpikeAlert::getState)
                .symbol("kb", SpikeAlert::getKb)
                .symbol("error_code", SpikeAlert::getErrorCode)
                .symbol("size_bucket", SpikeAlert::getSizeBucket)
                .symbol("free_bucket", SpikeAlert::getFreeBucket)
                .symbol("bitlocker", SpikeAlert::getBitlocker)
                .timestampColumn("window_start", SpikeAlert::getWindowStart)
                .timestampColumn("window_end", SpikeAlert::getWindowEnd)
                .timestampColumn("ends_at", SpikeAlert::getEndsAt)
                .longColumn("current_devices_failed", SpikeAlert::getCurrentDevicesFailed)
                .longColumn("current_devices_attempted", SpikeAlert::getCurrentDevicesAttempted)
                .doubleColumn("current_failure_rate", SpikeAlert::getCurrentFailureRate)
                .doubleColumn("baseline_devices_failed", SpikeAlert::getBaselineDevicesFailed)
                .doubleColumn("baseline_failure_rate", SpikeAlert::getBaselineFailureRate)
                .longColumn("baseline_windows", SpikeAlert::getBaselineWindows)
                .varchar("summary", SpikeAlert::getSummary)
                .varchar("runbook_url", SpikeAlert::getRunbookUrl)
                .timestampColumn("detected_at", SpikeAlert::getDetectedAt)
                .build();
    }

    /** The {@code device-status} table under {@code name}. */
    public static QuestDbTable<DeviceStatus> deviceStatus(String name) {
        return QuestDbTable.<DeviceStatus>builder(name)
                .timestamp(s -> DEVICE_STATUS_TS)
                // One partition holds every row (all share one timestamp).
                .partitionBy("YEAR")
                .key("device_id", VARCHAR, DeviceStatus::getDeviceId)
                .key("kb", SYMBOL, DeviceStatus::getKb)
                .symbol("state", DeviceStatus::getState)
                .symbol("last_error_code", DeviceStatus::getLastErrorCode)
                .symbol("fix_cause", DeviceStatus::getFixCause)
                .symbol("size_bucket", DeviceStatus::getSizeBucket)
                .symbol("free_bucket", DeviceStatus::getFreeBucket)
                .symbol("bitlocker", DeviceStatus::getBitlocker)
                .longColumn("attempts", DeviceStatus::getAttempts)
                .longColumn("failures", DeviceStatus::getFailures)
                .timestampColumn("first_failure_at", DeviceStatus::getFirstFailureAt)
                .timestampColumn("last_attempt_at", DeviceStatus::getLastAttemptAt)
                .flag("insufficient_space_confirmed", DeviceStatus::getInsufficientSpaceConfirmed)
                .timestampColumn("fixed_at", DeviceStatus::getFixedAt)
                .varchar("winre_version", DeviceStatus::getWinreVersion)
                .nullableFlag("winre_at_fixed_version", DeviceStatus::getWinreAtFixedVersion)
                .flag("bitlocker_on", DeviceStatus::getBitlockerOn)
                .flag("exposed", DeviceStatus::getExposed)
                .timestampColumn("updated_at", DeviceStatus::getUpdatedAt)
                .longColumn("evidence_free_bytes_at_first_failure",
                        evidence(DeviceEvidence::getFreeBytesAtFirstFailure))
                .longColumn("evidence_partition_bytes_at_first_failure",
                        evidence(DeviceEvidence::getPartitionBytesAtFirstFailure))
                .varchar("evidence_winre_version_at_first_failure",
                        evidence(DeviceEvidence::getWinreVersionAtFirstFailure))
                .nullableFlag("evidence_script_patched_at_first_failure",
                        evidence(DeviceEvidence::getScriptPatchedAtFirstFailure))
                .longColumn("evidence_free_bytes", evidence(DeviceEvidence::getFreeBytes))
                .longColumn("evidence_partition_bytes", evidence(DeviceEvidence::getPartitionBytes))
                .nullableFlag("evidence_script_patched", evidence(DeviceEvidence::getScriptPatched))
                .longColumn("evidence_reboot_pending_failures", evidence(DeviceEvidence::getRebootPendingFailures))
                .longColumn("evidence_other_failures", evidence(DeviceEvidence::getOtherFailures))
                .timestampColumn("evidence_last_failure_at", evidence(DeviceEvidence::getLastFailureAt))
                .timestampColumn("evidence_space_failure_at", evidence(DeviceEvidence::getSpaceFailureAt))
                .varchar("evidence_fixed_by_event_id", evidence(DeviceEvidence::getFixedByEventId))
                .timestampColumn("evidence_facts_observed_at", evidence(DeviceEvidence::getFactsObservedAt))
                .timestampColumn("evidence_other_release_succeeded_at",
                        evidence(DeviceEvidence::getOtherReleaseSucceededAt))
                .build();
    }

    /** Devices fixed by {@code cause}; names that match no cause count under {@link RemediationCause#UNKNOWN}. */
    static long fixedBy(Map<String, Long> fixedByCause, RemediationCause cause) {
        long devices = 0;
        for (Map.Entry<String, Long> entry : fixedByCause.entrySet()) {
            RemediationCause named = causeNamed(entry.getKey());
            if (named == cause && entry.getValue() != null) {
                devices += entry.getValue();
            }
        }
        return devices;
    }

    private static RemediationCause causeNamed(String name) {
        for (RemediationCause cause : EnumSet.allOf(RemediationCause.class)) {
            if (cause.name().equals(name)) {
                return cause;
            }
        }
        return RemediationCause.UNKNOWN;
    }

    private static <T> Function<DeviceStatus, T> evidence(Function<DeviceEvidence, T> field) {
        return status -> status.getEvidence() == null ? null : field.apply(status.getEvidence());
    }

    private static List<String> names(QuestDbTable<?>... tables) {
        return java.util.Arrays.stream(tables).map(QuestDbTable::name).toList();
    }
}
