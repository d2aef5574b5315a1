package io.patchpulse.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code patchpulse bench run}: the end-to-end run (being built). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "End-to-end run against raw Kafka.")
final class EndToEndCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("not built yet");
    }
}
