package io.patchpulse.deploy.kafka;

import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Creates the PatchPulse topics that do not exist yet. install-events and device-inventory get the same partition
 * count: the topology joins them by device id without a shuffle, which needs co-partitioned topics.
 */
public final class TopicSetup {

    private TopicSetup() {
    }

    /** Creates what is missing; returns the names it created. */
    public static List<String> ensure(Admin admin, Topics topics, int partitions, short replication)
            throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> topic : topics.all()) {
                if (existing.contains(topic.name())) {
                    continue;
                }
                NewTopic created = new NewTopic(topic.name(), partitions, replication);
                if (topics.compacted().contains(topic)) {
                    created.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                missing.add(created);
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
            return missing.stream().map(NewTopic::name).toList();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the PatchPulse topics: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
