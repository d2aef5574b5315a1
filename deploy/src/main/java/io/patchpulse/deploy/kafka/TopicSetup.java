package io.patchpulse.deploy.kafka;

import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Creates the PatchPulse topics that do not exist yet. install-events and device-inventory get the same partition
 * count: the topology joins them by device id without a shuffle, which needs co-partitioned topics.
 *
 * <p>Retention: PatchPulse stamps every record with its event time (when the device saw it), because the topology
 * works in event time. A topic that deletes by time compares that stamp with the clock, so a backlog older than
 * {@code retention.ms} (a device offline for a week, a replay, the 2024 demo presets) would be deleted by the broker
 * before anyone read it. The topics that are not compacted are therefore created without time-based retention
 * ({@code retention.ms=-1}) and bounded by size ({@code retention.bytes} per partition) instead;
 * {@link #timeRetentionProblems} finds existing topics that still delete by time.
 */
public final class TopicSetup {

    /** Per partition of each topic that is not compacted: 1 GiB. */
    public static final long DEFAULT_RETENTION_BYTES = 1L << 30;
    /** How long {@link #ensure} waits for the brokers to serve the partitions it created. */
    public static final Duration SERVED_TIMEOUT = Duration.ofSeconds(60);
    private static final long SERVED_RETRY_MS = 50;

    private TopicSetup() {
    }

    /** Creates what is missing with {@link #DEFAULT_RETENTION_BYTES}; returns the names it created. */
    public static List<String> ensure(Admin admin, Topics topics, int partitions, short replication)
            throws InterruptedException {
        return ensure(admin, topics, partitions, replication, DEFAULT_RETENTION_BYTES);
    }

    /**
     * Creates what is missing and waits until the brokers serve it ({@link #awaitServed}); returns the names it
     * created. {@code retentionBytes} bounds each partition of the topics that are not compacted (-1: no bound).
     *
     * @throws IllegalStateException when a topic cannot be created, or the brokers do not serve a created one within
     *                               {@link #SERVED_TIMEOUT}
     */
    public static List<String> ensure(Admin admin, Topics topics, int partitions, short replication,
            long retentionBytes) throws InterruptedException {
        checkRetentionBytes(retentionBytes);
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> topic : topics.all()) {
                if (existing.contains(topic.name())) {
                    continue;
                }
                missing.add(new NewTopic(topic.name(), partitions, replication)
                        .configs(configs(topics, topic, retentionBytes, replication)));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
                awaitServed(admin, missing.stream().map(NewTopic::name).toList(), SERVED_TIMEOUT);
            }
            return missing.stream().map(NewTopic::name).toList();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the PatchPulse topics: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * Returns once the leader of every partition of {@code names} serves it: call it after creating topics by other
     * means before writing to them. Kafka acknowledges a topic's creation when the controller has recorded it, before
     * the brokers have opened the partitions: a producer that writes at once is answered NOT_LEADER_OR_FOLLOWER and
     * retries, and kafka-clients' idempotent producer can then leave a partition's batch unsent until
     * {@code delivery.timeout.ms} expires it (seen once in CI: the catalog publish right after {@code ensure} lost a
     * record to that). First the brokers' metadata must name a leader for every partition (until then ListOffsets
     * fails at once, with the admin client logging an error per topic); then ListOffsets, which only a partition's
     * serving leader answers, must succeed. Retriable errors are asked again every 50 ms.
     *
     * @throws IllegalStateException naming the topics when that has not happened within {@code timeout}, or on an
     *                               error that is not retriable
     */
    public static void awaitServed(Admin admin, List<String> names, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, TopicDescription> described = untilServed(names, timeout, deadline,
                () -> admin.describeTopics(names).allTopicNames(), TopicSetup::allLed);
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        described.values().forEach(topic -> topic.partitions().forEach(partition -> partitions.put(
                new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest())));
        untilServed(names, timeout, deadline, () -> admin.listOffsets(partitions).all(), offsets -> true);
    }

    /** Asks {@code call} until {@code served} holds of its answer; a retriable error is asked again. */
    private static <T> T untilServed(List<String> names, Duration timeout, long deadline,
            Supplier<KafkaFuture<T>> call, Predicate<T> served) throws InterruptedException {
        while (true) {
            String notYet;
            try {
                T answer = call.get().get();
                if (served.test(answer)) {
                    return answer;
                }
                notYet = "a partition has no leader yet";
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new IllegalStateException("cannot check that the brokers serve the topics " + names + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                notYet = e.getCause().getMessage();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the brokers did not serve every partition of " + names + " within "
                        + timeout.toSeconds() + " s (last: " + notYet + "); check that every broker is up");
            }
            Thread.sleep(SERVED_RETRY_MS);
        }
    }

    private static boolean allLed(Map<String, TopicDescription> topics) {
        return topics.values().stream().flatMap(topic -> topic.partitions().stream())
                .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
    }

    /** Throws IllegalArgumentException unless {@code retentionBytes} is positive or -1 (no bound). */
    public static void checkRetentionBytes(long retentionBytes) {
        if (retentionBytes < -1 || retentionBytes == 0) {
            throw new IllegalArgumentException("retention bytes must be positive, or -1 for no bound, not "
                    + retentionBytes);
        }
    }

    /**
     * The topic configs PatchPulse creates {@code topic} with. With three or more replicas, a write needs two in sync
     * ({@code min.insync.replicas=2}): Kafka's default of 1 lets {@code acks=all} acknowledge a record only one broker
     * holds, which that broker's loss then takes with it.
     */
    static Map<String, String> configs(Topics topics, Topic<?, ?> topic, long retentionBytes, short replication) {
        Map<String, String> configs = new HashMap<>();
        if (replication >= 3) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        }
        if (topics.compacted().contains(topic)) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        } else {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            configs.put(TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(retentionBytes));
        }
        return configs;
    }

    /**
     * Existing PatchPulse topics that delete records by their (event-time) timestamp, each as a sentence saying what
     * to change. Empty when every topic is fine or none exists yet.
     */
    public static List<String> timeRetentionProblems(Admin admin, Topics topics) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<ConfigResource> resources = topics.all().stream().map(Topic::name).filter(existing::contains)
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
            if (resources.isEmpty()) {
                return List.of();
            }
            Map<ConfigResource, Config> described = admin.describeConfigs(resources).all().get();
            List<String> problems = new ArrayList<>();
            described.forEach((resource, config) -> {
                String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
                long retentionMs = Long.parseLong(value(config, TopicConfig.RETENTION_MS_CONFIG, "-1"));
                String timestampType = value(config, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
                if (policy.contains(TopicConfig.CLEANUP_POLICY_DELETE) && retentionMs >= 0
                        && timestampType.equals("CreateTime") && policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                    // A state topic: deleting by size would lose latest states just as deleting by time does.
                    problems.add("topic " + resource.name() + " is compacted but also deletes records older than"
                            + " retention.ms=" + retentionMs + " by their timestamp, which PatchPulse sets to the event"
                            + " time: latest states of quiet keys are deleted. Make it compacted only"
                            + " (kafka-configs.sh --alter --entity-type topics --entity-name " + resource.name()
                            + " --add-config cleanup.policy=compact).");
                } else if (policy.contains(TopicConfig.CLEANUP_POLICY_DELETE) && retentionMs >= 0
                        && timestampType.equals("CreateTime")) {
                    problems.add("topic " + resource.name() + " deletes records older than retention.ms="
                            + retentionMs + " by their timestamp, which PatchPulse sets to the event time: a "
                            + "backlog older than that is deleted before it is processed. Set retention.ms=-1 and "
                            + "bound the topic by retention.bytes instead (kafka-configs.sh --alter --entity-type "
                            + "topics --entity-name " + resource.name() + " --add-config retention.ms=-1,"
                            + "retention.bytes=" + DEFAULT_RETENTION_BYTES + ").");
                }
            });
            return problems;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the PatchPulse topics' configs: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private static String value(Config config, String name, String fallback) {
        ConfigEntry entry = config.get(name);
        return entry == null || entry.value() == null ? fallback : entry.value();
    }
}
