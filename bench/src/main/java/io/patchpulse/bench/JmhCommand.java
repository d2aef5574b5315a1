package io.patchpulse.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code patchpulse bench jmh}: the JMH micro benchmarks (being built). */
@Command(name = "jmh", mixinStandardHelpOptions = true, description = "JMH micro benchmarks.")
final class JmhCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("not built yet");
    }
}
