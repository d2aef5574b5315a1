package io.patchpulse.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM the fault ITs start beside the test's, so they can kill it with SIGKILL: the test's own class path, a 256 MiB
 * heap, temporary files under the test's folder, and the logging switches given to the test JVM
 * ({@code -Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams=info}) for a diagnosis.
 */
final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Starts {@code mainClass} with {@code args}, its output and errors to {@code output} (under {@code target/}, so
     * a failed run keeps it).
     */
    static Process start(Path tmpDir, ProcessBuilder.Redirect output, String mainClass, List<String> args)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m",
                "-Djava.io.tmpdir=" + tmpDir,
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.patchpulse.schemas.avro"));
        System.getProperties().stringPropertyNames().stream().filter(key -> key.startsWith("org.slf4j.simpleLogger."))
                .forEach(key -> command.add("-D" + key + "=" + System.getProperty(key)));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
    }
}
