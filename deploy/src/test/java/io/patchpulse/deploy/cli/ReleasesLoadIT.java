package io.patchpulse.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code patchpulse releases load} publishes the shipped catalog to the compacted releases topic, key = KB. */
class ReleasesLoadIT {

    /** The catalog the product ships (failsafe runs in the deploy module's directory). */
    private static final Path CATALOG = Path.of("catalog", "releases.yaml");

    @TempDir
    Path dir;

    @Test
    void shouldPublishEveryReleaseOnceKeyedByKbAndRefuseABrokenCatalog() throws Exception {
        Topics topics = Topics.defaults();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            TopicSetup.ensure(admin, topics, 1, (short) 1);

            int loaded = run("releases", "load", "--file", CATALOG.toString(),
                    "--bootstrap-servers", kafka.bootstrapServers());
            Path broken = Files.writeString(dir.resolve("broken.yaml"), "releases:\n  - kb: nope\n");
            StringWriter brokenErr = new StringWriter();
            int refused = PatchPulseCli.commandLine().setOut(new PrintWriter(new StringWriter()))
                    .setErr(new PrintWriter(brokenErr)).execute("releases", "load", "--file", broken.toString(),
                            "--bootstrap-servers", kafka.bootstrapServers());

            assertThat(loaded).isZero();
            assertThat(refused).isEqualTo(2);
            assertThat(brokenErr.toString()).contains("releases[0].kb: 'nope' is not a KB id");
            Map<String, Release> byKey = read(kafka, topics);
            assertThat(byKey).containsOnlyKeys("KB5034441", "KB5034440", "KB5034439", "KB5057589", "KB5057588");
            assertThat(byKey.get("KB5034441").getFixedWinreVersion()).isEqualTo("10.0.19041.3920");
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topics.releases.name());
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    private static int run(String... args) {
        return PatchPulseCli.commandLine().setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(new StringWriter())).execute(args);
    }

    private static Map<String, Release> read(EmbeddedKafka kafka, Topics topics) {
        Map<String, Release> byKey = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topics.releases.name(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> byKey.put(record.key(),
                        topics.releases.valueSerde().deserializer().deserialize(record.topic(), record.value())));
            }
            assertThat(end).as("each release published once").isEqualTo(5);
        }
        return byKey;
    }
}
