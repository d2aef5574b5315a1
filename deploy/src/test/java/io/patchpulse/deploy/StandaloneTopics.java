package io.patchpulse.deploy;

import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.topics.Topics;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** For tests that start the services themselves instead of an AllInOne: the topics, and the release catalog in them. */
final class StandaloneTopics {

    private StandaloneTopics() {
    }

    /** Creates every topic with {@code partitions} partitions and one replica, then publishes the bundled catalog. */
    static void createWithCatalog(Admin admin, String bootstrap, Topics topics, int partitions)
            throws InterruptedException {
        TopicSetup.ensure(admin, topics, partitions, (short) 1);
        try (KafkaPublisher publisher = new KafkaPublisher(bootstrap, topics, Map.of())) {
            BundledCatalog.publish(publisher, topics, BundledCatalog.releases());
        }
    }
}
