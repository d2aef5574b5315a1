package io.patchpulse.deploy;

import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.deploy.embedded.AllInOne;
import java.nio.file.Path;

/**
 * {@link PipelineEndToEndScenario} on the embedded parts: a KRaft broker and QuestDB in this JVM, as the all-in-one
 * demo runs them. Needs nothing but the JVM, so it runs on every build machine.
 */
class PipelineEndToEndIT extends PipelineEndToEndScenario {

    @Override
    AllInOne start(Path dataDir, MeterRegistry meters) throws InterruptedException {
        return AllInOne.start(dataDir, meters);
    }
}
