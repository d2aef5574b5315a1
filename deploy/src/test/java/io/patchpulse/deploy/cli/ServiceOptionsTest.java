package io.patchpulse.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.streams.StreamsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class ServiceOptionsTest {

    @TempDir
    Path dir;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        ServiceOptions options;
    }

    private Map<String, String> resolve(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.options.resolve();
    }

    @Test
    void shouldLetFlagsOverrideTheFileAndTheFileOverrideDefaults() throws Exception {
        Path file = dir.resolve("streams.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\ntrend.grace=P3D\napplication.id=from-file\n");

        Map<String, String> settings = resolve("--config", file.toString(), "--set", "trend.grace=P5D",
                "--bootstrap-servers", "flag:9092");

        assertThat(settings).containsEntry("bootstrap.servers", "flag:9092")
                .containsEntry("trend.grace", "P5D")
                .containsEntry("application.id", "from-file");
        StreamsSettings streams = new StreamsSettings(settings);
        assertThat(streams.topology().grace()).isEqualTo(Duration.ofDays(5));
        assertThat(streams.topology().window()).as("default where nobody said otherwise").isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldSayWhichFileCannotBeRead() {
        assertThatThrownBy(() -> resolve("--config", dir.resolve("missing.properties").toString()))
                .hasMessageContaining("missing.properties");
    }
}
