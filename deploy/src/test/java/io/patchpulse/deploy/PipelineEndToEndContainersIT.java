package io.patchpulse.deploy;

import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.deploy.embedded.AllInOne;
import io.questdb.log.LogFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link PipelineEndToEndScenario} against a Kafka broker and a QuestDB server in containers, the streams app and
 * the sink in this JVM: the external-endpoints mode of {@link AllInOne}. Skipped where there is no Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class PipelineEndToEndContainersIT extends PipelineEndToEndScenario {

    private static final int QUESTDB_HTTP_PORT = 9000;

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"));

    @Container
    static final GenericContainer<?> QUESTDB = new GenericContainer<>(DockerImageName.parse("questdb/questdb:9.2.2"))
            .withExposedPorts(QUESTDB_HTTP_PORT)
            .withEnv("QDB_TELEMETRY_ENABLED", "false")
            // Ready when it answers SQL, which is what the sink asks first (it creates its tables).
            .waitingFor(Wait.forHttp("/exec?query=SELECT%201").forPort(QUESTDB_HTTP_PORT).forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(2)));

    /**
     * No embedded QuestDB configures QuestDB's logging here, and its line-protocol client would otherwise log INFO
     * natively to stdout, which corrupts the Failsafe fork's channel. The setting is read once per JVM: when an
     * embedded server ran first in this fork, its configuration stays and this does nothing.
     */
    @BeforeAll
    static void keepQuestDbClientLogOffStdout() throws IOException {
        if (System.getProperty(LogFactory.CONFIG_SYSTEM_PROPERTY) != null) {
            return;
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path conf = Files.write(tmp.resolve("questdb-client-log.conf"), List.of(
                "writers=file",
                "w.file.class=io.questdb.log.LogFileWriter",
                "w.file.location=" + tmp.resolve("questdb-client.log"),
                "w.file.level=ERROR"));
        System.setProperty(LogFactory.CONFIG_SYSTEM_PROPERTY, conf.toString());
    }

    @Override
    AllInOne start(Path dataDir, MeterRegistry meters) throws InterruptedException {
        String questDbAddress = QUESTDB.getHost() + ":" + QUESTDB.getMappedPort(QUESTDB_HTTP_PORT);
        return AllInOne.start(dataDir, meters, AllInOne.Endpoints.external(KAFKA.getBootstrapServers(),
                "http://" + questDbAddress, "http::addr=" + questDbAddress + ";"));
    }
}
