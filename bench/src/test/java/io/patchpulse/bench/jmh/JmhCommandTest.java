package io.patchpulse.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.bench.BenchCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class JmhCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldRunOneBenchmarkQuicklyPrintItsRowAndWriteJmhJson() throws Exception {
        Path json = dir.resolve("results/jmh.json");
        StringWriter out = new StringWriter();
        CommandLine cli = BenchCli.commandLine().setOut(new PrintWriter(out, true));

        // Fork 0: in this JVM, enough to prove the wiring in a test.
        int exit = cli.execute("jmh", "--quick", "--forks", "0", "NormalizationBenchmarks.errorCodeHex",
                "-o", json.toString());

        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("Benchmark", "Score", "Units")
                .contains("NormalizationBenchmarks.errorCodeHex")
                .contains("ops/s")
                .contains(json.toString());
        JsonNode results = new ObjectMapper().readTree(Files.readString(json));
        assertThat(results).hasSize(1);
        assertThat(results.get(0).get("benchmark").asText())
                .isEqualTo("io.patchpulse.bench.jmh.NormalizationBenchmarks.errorCodeHex");
        assertThat(results.get(0).get("measurementIterations").asInt()).isEqualTo(1);
        assertThat(results.get(0).get("primaryMetric").get("score").asDouble()).isPositive();
    }

    @Test
    void shouldDefaultToOneForkSmallHeapsAndEveryBenchmark() {
        JmhRun run = runOf();

        assertThat(run.include()).isEqualTo(JmhRun.ALL);
        assertThat(run.forks()).isEqualTo(1);
        assertThat(run.jvmArgs()).containsExactly("-Xmx512m");
        assertThat(run.measurementIterations()).isGreaterThan(1);
        assertThat(run.out().getFileName().toString()).startsWith("jmh-").endsWith(".json");
        assertThat(run.out().getParent().getFileName().toString()).isEqualTo("results");
    }

    @Test
    void shouldLetExplicitOptionsWinOverQuick() {
        JmhRun run = runOf("--quick", "--forks", "2", "--measurement-time", "300ms", "--jvm-args", "-Xmx256m -XX:+UseSerialGC",
                "Serde");

        assertThat(run.include()).isEqualTo("Serde");
        assertThat(run.forks()).isEqualTo(2);
        assertThat(run.warmupIterations()).isEqualTo(1);
        assertThat(run.measurementIterations()).isEqualTo(1);
        assertThat(run.measurementTime().toString()).isEqualTo("300 ms");
        assertThat(run.jvmArgs()).containsExactly("-Xmx256m", "-XX:+UseSerialGC");
    }

    @Test
    void shouldNameTheTopologyRowsEventsPerSecond() {
        assertThat(JmhRun.shortName("io.patchpulse.bench.jmh.TopologyBenchmark.pipeBatch"))
                .isEqualTo("TopologyBenchmark.pipeBatch");
        assertThat(JmhRun.perSecond(2.5, "ops/ms")).isEqualTo(2500.0);
    }

    private static JmhRun runOf(String... args) {
        CommandLine cli = BenchCli.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs(prepend("jmh", args));
        Object command = parsed.subcommand().commandSpec().userObject();
        try {
            var method = command.getClass().getDeclaredMethod("run");
            method.setAccessible(true);
            return (JmhRun) method.invoke(command);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
