package io.patchpulse.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.schemas.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code patchpulse topics} creates topics that keep a backlog however old its event times are: the state topics
 * compacted, the others bounded by size and never by time. Topics made elsewhere with Kafka's default time retention
 * are named with the change that fixes them.
 */
class TopicsCommandIT {

    private static final long RETENTION_BYTES = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldCreateTopicsThatNeverDeleteByTimeAndNameExistingOnesThatDo() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            Topics topics = Topics.defaults();

            // When the topics are created
            Result created = run("topics", "--bootstrap-servers", kafka.bootstrapServers(), "--partitions", "2",
                    "--replication-factor", "1", "--retention-bytes", Long.toString(RETENTION_BYTES));

            // Then the state topics are compacted and the others bounded by size only
            assertThat(created.code()).as(created.err()).isZero();
            assertThat(created.out()).startsWith("created ").contains(names(topics));
            Map<ConfigResource, Config> configs = admin.describeConfigs(names(topics).stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all().get();
            for (Topic<?, ?> topic : topics.all()) {
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
                String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                if (topics.compacted().contains(topic)) {
                    assertThat(policy).as(topic.name()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
                } else {
                    assertThat(policy).as(topic.name()).isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
                    assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).as(topic.name()).isEqualTo("-1");
                    assertThat(config.get(TopicConfig.RETENTION_BYTES_CONFIG).value()).as(topic.name())
                            .isEqualTo(Long.toString(RETENTION_BYTES));
                }
            }
            // and a second run finds them all, with nothing to warn about
            Result again = run("topics", "--bootstrap-servers", kafka.bootstrapServers(), "--replication-factor", "1");
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).isEqualTo("all PatchPulse topics exist already\n");

            // When topics of another prefix were made elsewhere with the broker's defaults (7 days, by time)
            Topics legacy = new Topics("legacy.");
            admin.createTopics(names(legacy).stream().map(name -> new NewTopic(name, 1, (short) 1)).toList())
                    .all().get();

            // Then each of them is named, with the change that fixes it (once the broker lists the new topics)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Result warned = run("topics", "--bootstrap-servers", kafka.bootstrapServers(),
                        "--replication-factor", "1", "--topic-prefix", "legacy.");
                assertThat(warned.code()).isEqualTo(3);
                for (String name : names(legacy)) {
                    assertThat(warned.err()).contains("warning: topic " + name
                            + " deletes records older than retention.ms=604800000",
                            "--entity-name " + name + " --add-config retention.ms=-1");
                }
            });

            // And a state topic that also deletes by time is told to be compacted only
            Topics mixed = new Topics("mixed.");
            admin.createTopics(List.of(new NewTopic(mixed.deviceInventory.name(), 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete")))).all().get();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Result warned = run("topics", "--bootstrap-servers", kafka.bootstrapServers(),
                        "--replication-factor", "1", "--topic-prefix", "mixed.");
                assertThat(warned.err()).contains("warning: topic " + mixed.deviceInventory.name()
                        + " is compacted but also deletes records", "--add-config cleanup.policy=compact");
            });
        }
    }

    @Test
    void shouldRefuseARetentionOfNoBytesBeforeContactingTheCluster() {
        Result refused = run("topics", "--bootstrap-servers", "127.0.0.1:9", "--retention-bytes", "0");

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).isEqualTo(
                "patchpulse topics: retention bytes must be positive, or -1 for no bound, not 0\n");
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PatchPulseCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static List<String> names(Topics topics) {
        return topics.all().stream().map(Topic::name).toList();
    }
}
