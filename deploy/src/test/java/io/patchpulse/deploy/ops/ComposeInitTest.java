package io.patchpulse.deploy.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the compose init step's shell command as compose would ({@code /bin/sh -c}, after turning compose's
 * {@code $$} into {@code $}) against a stand-in {@code patchpulse} that logs its arguments and exits with scripted
 * codes: which exit codes of {@code patchpulse topics} still load the releases.
 */
class ComposeInitTest {

    private static final Path COMPOSE = Path.of("ops/compose/docker-compose.yml");

    @TempDir
    Path dir;

    @Test
    void shouldLoadTheReleasesWhenTheTopicsAreCreated() throws Exception {
        Run run = runInit(0, 0);

        assertThat(run.exitCode()).isZero();
        assertThat(run.calls()).containsExactly("topics", "releases");
    }

    @Test
    void shouldStillLoadTheReleasesAndSucceedWhenTopicsOnlyWarnsOfTimeRetention() throws Exception {
        Run run = runInit(3, 0);

        assertThat(run.exitCode()).isZero();
        assertThat(run.calls()).containsExactly("topics", "releases");
    }

    @Test
    void shouldStopWithTopicsExitCodeWhenTopicsFailsOtherwise() throws Exception {
        Run run = runInit(1, 0);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.calls()).containsExactly("topics");
    }

    @Test
    void shouldFailWhenLoadingTheReleasesFails() throws Exception {
        Run run = runInit(3, 2);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.calls()).containsExactly("topics", "releases");
    }

    private Run runInit(int topicsExit, int releasesExit) throws IOException, InterruptedException {
        Path log = dir.resolve("calls.log");
        Path stub = dir.resolve("patchpulse");
        Files.writeString(stub, String.join("\n",
                "#!/bin/sh",
                "echo \"$1\" >> '" + log + "'",
                "case \"$1\" in",
                "  topics) exit " + topicsExit + " ;;",
                "  releases) exit " + releasesExit + " ;;",
                "esac",
                "exit 99",
                ""), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder shell = new ProcessBuilder("/bin/sh", "-c", initCommand()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        shell.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        Process process = shell.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the init command ends").isTrue();
        List<String> calls = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        return new Run(process.exitValue(), calls);
    }

    /** The init service's command as the shell receives it: compose's {@code $$} escape undone. */
    private static String initCommand() throws IOException {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
        JsonNode command = compose.at("/services/patchpulse-init/command");
        assertThat(compose.at("/services/patchpulse-init/entrypoint").toString()).isEqualTo("[\"/bin/sh\",\"-c\"]");
        assertThat(command.size()).isEqualTo(1);
        String text = command.get(0).asText();
        // A lone $ would be compose's own variable interpolation, not the shell's.
        assertThat(Pattern.compile("(?<!\\$)\\$(?!\\$)").matcher(text.replace("$$", "")).find())
                .as("every $ in the init command is escaped as $$: " + text).isFalse();
        return text.replace("$$", "$");
    }

    private record Run(int exitCode, List<String> calls) {
    }
}
