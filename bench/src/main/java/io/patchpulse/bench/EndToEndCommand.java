package io.patchpulse.bench;

import io.patchpulse.bench.endtoend.BenchmarksFile;
import io.patchpulse.bench.endtoend.EndToEndBench;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.schemas.serde.AvroTrust;
import io.patchpulse.streams.StreamsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The end-to-end measurement's options and run, mixed into {@link BenchCli}: {@code patchpulse bench} without a
 * subcommand runs it.
 */
public final class EndToEndCommand {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--events", defaultValue = "1000000", description = "Records to send: install events and "
            + "inventory snapshots in the simulator's mix (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--devices", description = "Simulated devices (default: one per 20 records, at least 1,000).")
    Integer devices;

    @Option(names = "--seed", defaultValue = "7", description = "Simulation seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--partitions", description = "Partitions of every topic (default: the pipeline's, "
            + AllInOne.PARTITIONS + ").")
    Integer partitions;

    @Option(names = "--guarantees", split = ",", paramLabel = "G", defaultValue = "at_least_once,exactly_once_v2",
            description = "Processing guarantees to measure P for, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> guarantees;

    @Option(names = "--commit-interval", paramLabel = "MS", description = "The streams app's commit.interval.ms "
            + "(default: the pipeline's, 1000).")
    Long commitIntervalMs;

    @Option(names = "--out", paramLabel = "FILE", description = "JSON file with every raw number (default: "
            + "bench/results/<timestamp>.json).")
    Path out;

    @Option(names = "--report", paramLabel = "FILE", defaultValue = "BENCHMARKS.md", description = "Markdown file "
            + "whose 'Latest run' section is rewritten, or 'none' (default: ${DEFAULT-VALUE}).")
    String report;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the phases keep brokers, QuestDB and "
            + "state, one fresh subdirectory each; kept afterwards (default: a temporary directory, deleted).")
    Path dataDir;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "Longest time one phase may take (ISO-8601, "
            + "default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /** Runs the measurement; 0 when every phase reconciled. */
    int run() throws InterruptedException {
        AvroTrust.install();
        PrintWriter console = spec.commandLine().getOut();
        for (String guarantee : guarantees) {
            if (!guarantee.equals(StreamsConfig.AT_LEAST_ONCE) && !guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
                throw new IllegalArgumentException("--guarantees takes at_least_once and exactly_once_v2, not "
                        + guarantee);
            }
        }
        long commitInterval = commitIntervalMs != null ? commitIntervalMs
                : (Long) StreamsSettings.definition().defaultValues().get(StreamsSettings.COMMIT_INTERVAL_CONFIG);
        int deviceCount = devices != null ? devices : (int) Math.max(1_000, events / 20);
        boolean temporary = dataDir == null;
        Path dir = temporary ? temporaryDir() : dataDir;
        Path json = out != null ? out : Path.of("bench", "results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
        try {
            EndToEndBench.Report result = EndToEndBench.run(new EndToEndBench.Settings(events, deviceCount, seed,
                    partitions != null ? partitions : AllInOne.PARTITIONS, guarantees, commitInterval, dir, timeout),
                    console);
            console.println();
            console.print(result.table());
            EndToEndBench.writeJson(result, json);
            console.printf("raw numbers: %s%n", json.toAbsolutePath());
            if (!report.equalsIgnoreCase("none")) {
                BenchmarksFile.rewrite(Path.of(report), result.markdown());
                console.printf("latest run written to %s%n", Path.of(report).toAbsolutePath());
            }
            console.flush();
            @SuppressWarnings("unchecked")
            List<java.util.Map<String, Object>> pipeline = (List<java.util.Map<String, Object>>) result.json()
                    .get("pipeline");
            return pipeline.stream().allMatch(p -> Boolean.TRUE.equals(p.get("reconciled"))) ? 0 : 1;
        } finally {
            if (temporary) {
                delete(dir);
            }
        }
    }

    private static Path temporaryDir() {
        try {
            return Files.createTempDirectory("patchpulse-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is no reason to fail a finished run
        }
    }
}
