package io.patchpulse.schemas.topics;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.schemas.serde.AvroSerde;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The registry of PatchPulse topics (ARCHITECTURE.md, "Topics"): names are part of the contract, the prefix is
 * configuration (default {@value #DEFAULT_PREFIX}). Immutable; build one per prefix and share it.
 */
public final class Topics {

    /** Prefix used when none is configured. */
    public static final String DEFAULT_PREFIX = "patchpulse.";

    /** Update-attempt observations, key = device id. */
    public final Topic<String, InstallEvent> installEvents;
    /** Latest device state, compacted, key = device id. */
    public final Topic<String, DeviceInventory> deviceInventory;
    /** Rejected records as received; headers ({@link DlqHeaders}) say why, where from and when. */
    public final Topic<byte[], byte[]> installEventsDlq;
    /** Windowed counts per cohort, key = {@code TrendKey}. */
    public final Topic<String, FailureTrend> failureTrends;
    /** The release catalog, compacted, key = KB id. */
    public final Topic<String, Release> releases;
    /** Per device and catalog release, the latest state; compacted, key = {@code deviceId|kb}. */
    public final Topic<String, DeviceStatus> deviceStatus;
    /** A failing device became fixed, with the cause and time to fix; key = device id. */
    public final Topic<String, Remediation> remediations;
    /** Per release and day, where the fleet stands; compacted, key = {@code kb|YYYY-MM-DD}. */
    public final Topic<String, ReleaseProgress> releaseProgress;
    /** Spike alerts, firing and resolved; compacted, key = alert id (one per episode). */
    public final Topic<String, SpikeAlert> alerts;

    private final String prefix;

    /** The registry for {@code prefix} (may be empty, never null). */
    public Topics(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("topic prefix must not be null (use \"\" for none)");
        }
        this.prefix = prefix;
        this.installEvents = new Topic<>(prefix + "install-events", Serdes.String(),
                new AvroSerde<>(InstallEvent.getClassSchema()));
        this.deviceInventory = new Topic<>(prefix + "device-inventory", Serdes.String(),
                new AvroSerde<>(DeviceInventory.getClassSchema()));
        this.installEventsDlq = new Topic<>(prefix + "install-events-dlq", Serdes.ByteArray(), Serdes.ByteArray());
        this.failureTrends = new Topic<>(prefix + "failure-trends", Serdes.String(),
                new AvroSerde<>(FailureTrend.getClassSchema()));
        this.releases = new Topic<>(prefix + "releases", Serdes.String(), new AvroSerde<>(Release.getClassSchema()));
        this.deviceStatus = new Topic<>(prefix + "device-status", Serdes.String(),
                new AvroSerde<>(DeviceStatus.getClassSchema()));
        this.remediations = new Topic<>(prefix + "remediations", Serdes.String(),
                new AvroSerde<>(Remediation.getClassSchema()));
        this.releaseProgress = new Topic<>(prefix + "release-progress", Serdes.String(),
                new AvroSerde<>(ReleaseProgress.getClassSchema()));
        this.alerts = new Topic<>(prefix + "alerts", Serdes.String(), new AvroSerde<>(SpikeAlert.getClassSchema()));
    }

    /** The registry with the default prefix. */
    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** The prefix every name starts with. */
    public String prefix() {
        return prefix;
    }

    /** Every topic, in pipeline order. */
    public List<Topic<?, ?>> all() {
        return List.of(installEvents, deviceInventory, releases, installEventsDlq, failureTrends, deviceStatus,
                remediations, releaseProgress, alerts);
    }

    /**
     * Topics that keep only the latest value per key: the inventory (latest state per device), the release catalog
     * (latest entry per KB) and the trends (the latest record of a window and cohort holds its totals, so a new sink
     * can rebuild the store from the topic), the device statuses, the release progress per day and the alerts (the
     * latest record of each key is its current state).
     */
    public List<Topic<?, ?>> compacted() {
        return List.of(deviceInventory, releases, failureTrends, deviceStatus, releaseProgress, alerts);
    }
}
