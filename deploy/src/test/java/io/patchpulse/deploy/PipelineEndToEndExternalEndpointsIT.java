package io.patchpulse.deploy;

import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link PipelineEndToEndScenario} with {@link AllInOne} pointed at a broker and a QuestDB it did not start (here an
 * embedded broker and QuestDB the test starts on its own), so the external-endpoints mode that
 * {@link PipelineEndToEndContainersIT} uses is also checked on machines without Docker.
 */
class PipelineEndToEndExternalEndpointsIT extends PipelineEndToEndScenario {

    private EmbeddedKafka kafka;
    private EmbeddedQuestDb questDb;

    @Override
    AllInOne start(Path dataDir, MeterRegistry meters) throws InterruptedException {
        // QuestDB first: it must configure QuestDB's logging before any line-protocol client exists in this JVM.
        questDb = EmbeddedQuestDb.start(dir.resolve("external-questdb"));
        kafka = EmbeddedKafka.start(dir.resolve("external-kafka"), Duration.ofSeconds(60));
        return AllInOne.start(dataDir, meters,
                AllInOne.Endpoints.external(kafka.bootstrapServers(), questDb.httpUrl(), questDb.senderConfig()));
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
