package io.patchpulse.deploy;

import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link PipelineEndToEndScenario} with {@link AllInOne} against a cluster that requires TLS and SASL SCRAM (an
 * embedded broker the test starts with a {@code SaslSslListener}), given only the client settings a user would give:
 * topic setup, the catalog load, the streams app, the sink, the collector and the drain checks all pass them on.
 */
class PipelineEndToEndSaslSslIT extends PipelineEndToEndScenario {

    private EmbeddedKafka kafka;
    private EmbeddedQuestDb questDb;

    @Override
    AllInOne start(Path dataDir, MeterRegistry meters) throws Exception {
        // QuestDB first: it must configure QuestDB's logging before any line-protocol client exists in this JVM.
        questDb = EmbeddedQuestDb.start(dir.resolve("external-questdb"));
        kafka = EmbeddedKafka.start(dir.resolve("external-kafka"), Duration.ofSeconds(60),
                KafkaSaslTlsIT.saslSsl(dir.resolve("tls"), "pipeline", "scram-secret-e2e"));
        return AllInOne.start(dataDir, meters, AllInOne.Endpoints.external(kafka.bootstrapServers(),
                questDb.httpUrl(), questDb.senderConfig()).withKafkaClientSettings(kafka.clientSettings()));
    }

    @AfterEach
    void stopTheExternalParts() {
        if (kafka != null) {
            kafka.close();
        }
        if (questDb != null) {
            questDb.close();
        }
    }
}
