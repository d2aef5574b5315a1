package io.patchpulse.streams.topology;

/**
 * Stable names of every processor, store and internal topic of the trend topology. Changelog and repartition topics
 * are named after these, so renaming one loses state: {@code TrendTopologyNamesTest} pins them.
 */
public final class Names {

    public static final String SOURCE_EVENTS = "install-events-source";
    public static final String SOURCE_INVENTORY = "device-inventory-source";
    public static final String VALIDATE = "validate";
    public static final String SPLIT = "route-";
    public static final String BRANCH_REJECTED = "rejected";
    public static final String BRANCH_ACCEPTED = "accepted";
    public static final String DLQ_VALUES = "dlq-original-bytes";
    public static final String DLQ_SINK = "install-events-dlq-sink";
    public static final String ACCEPTED_VALUES = "accepted-events";
    public static final String GROUP_INVENTORY = "inventory-by-device";
    public static final String MERGE_INVENTORY = "merge-inventory";
    public static final String ENRICH = "enrich-with-inventory";
    public static final String COUNT_DEVICES = "count-devices";
    public static final String SPLIT_COUNTED = "counted-";
    public static final String DELTAS = "trend-deltas";
    public static final String KEY_BY_COHORT = "key-by-cohort-window";
    public static final String REPARTITION_BY_COHORT = "trend-by-cohort";
    public static final String SUM_TRENDS = "sum-trends";
    public static final String TRENDS_OUT = "trends-to-stream";
    public static final String TRENDS_SINK = "failure-trends-sink";

    /** The device-inventory table, looked up by device id. */
    public static final String STORE_INVENTORY = "device-inventory-table";
    /** Per task: the newest event time accepted (the clock that decides lateness). */
    public static final String STORE_EVENT_CLOCK = "event-clock";
    /** Event ids already counted, per window, for de-duplication of replays. */
    public static final String STORE_SEEN_EVENTS = "seen-events";
    /** Per window, cohort and device: what the device has done there (failed, succeeded, with which errors). */
    public static final String STORE_DEVICE_FLAGS = "device-window-flags";
    /** Per device and KB: its failures while a reboot was pending, so they can leave the counts once false. */
    public static final String STORE_PENDING_FAILURES = "reboot-pending-failures";
    /** Totals per window and cohort. */
    public static final String STORE_TRENDS = "trend-totals";
    /** Step 3b: per window and cohort, the deltas of this task not yet shuffled ({@code TrendCombiner}). */
    public static final String STORE_TREND_COMBINER = "trend-combiner";
    public static final String COMBINE_TRENDS = "combine-trends";

    // Device status, remediations, release progress (DeviceTracker, ReleaseProgressAggregator).
    public static final String SOURCE_RELEASES = "releases-source";
    public static final String TRACK_DEVICES = "track-devices";
    /** The release catalog, a global store (every instance holds all of it): KB id -> {@code Release}. */
    public static final String STORE_RELEASES = "release-catalog";
    /** Per device and release: key {@code deviceId|kb}, value {@code DeviceStatus}. Queried by the REST API. */
    public static final String STORE_DEVICE_STATUS = "device-status";
    /** Per release and day: key {@code kb|YYYY-MM-DD}, value {@code ReleaseProgress}. Queried by the REST API. */
    public static final String STORE_RELEASE_PROGRESS = "release-progress";
    /** Fixes seen in the WinRE version whose remediation waits for an explaining event: key deviceId|kb. */
    public static final String STORE_PROVISIONAL_FIXES = "provisional-fixes";
    /** Per release: its running totals, key KB. */
    public static final String STORE_RELEASE_TOTALS = "release-totals";
    public static final String LOAD_RELEASES = "load-release-catalog";
    public static final String OBSERVE_EVENTS = "observe-events";
    public static final String OBSERVE_INVENTORY = "observe-inventory";
    public static final String INVENTORY_CHANGES = "inventory-changes";
    public static final String MERGE_OBSERVATIONS = "merge-observations";
    public static final String SPLIT_TRACKED = "tracked-";
    public static final String BRANCH_STATUS = "status";
    public static final String BRANCH_REMEDIATION = "remediation";
    public static final String BRANCH_PROGRESS = "progress";
    public static final String STATUS_SINK = "device-status-sink";
    public static final String REMEDIATIONS_SINK = "remediations-sink";
    public static final String KEY_BY_RELEASE = "key-by-release";
    public static final String REPARTITION_BY_RELEASE = "progress-by-release";
    public static final String SUM_PROGRESS = "sum-release-progress";
    public static final String PROGRESS_SINK = "release-progress-sink";
    public static final String ADMITTED = "admitted";

    // Spike alerts (SpikeDetector).
    public static final String DETECT_SPIKES = "detect-spikes";
    public static final String ALERTS_SINK = "alerts-sink";
    /** Per cohort: key {@code kb|sizeBucket|freeBucket|bitlocker}, value its latest {@code SpikeAlert}. */
    public static final String STORE_SPIKE_ALERTS = "spike-alerts";
    /**
     * Per cohort: key {@code kb|sizeBucket|freeBucket|bitlocker}, value its recent windows' devices failed and
     * attempted and the episode's last window above ({@code CohortHistory}, a short string).
     */
    public static final String STORE_SPIKE_HISTORY = "spike-history";

    private Names() {
    }

    /** The repartition topics Kafka Streams creates for application {@code applicationId}. */
    public static java.util.List<String> repartitionTopics(String applicationId) {
        return java.util.List.of(applicationId + "-" + REPARTITION_BY_COHORT + "-repartition",
                applicationId + "-" + REPARTITION_BY_RELEASE + "-repartition");
    }
}
