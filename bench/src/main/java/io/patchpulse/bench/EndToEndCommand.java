package io.patchpulse.bench;

import io.patchpulse.bench.endtoend.BenchmarksFile;
import io.patchpulse.bench.endtoend.EndToEndBench;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Option(names = "--events", defaultValue = "200000", description = "Records to send: install events and "
            + "inventory snapshots in the simulator's mix (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--warmup-records", defaultValue = "30000", description = "Records of an unmeasured pipeline run "
            + "(exactly_once_v2, other seed) before the measured phases, so JIT compilation of the broker, Kafka "
            + "Streams, RocksDB and QuestDB is not billed to the first phase; 0 for none (default: ${DEFAULT-VALUE}).")
    long warmupRecords;

    @Option(names = "--devices", description = "Simulated devices (default: one per 20 records, at least 1,000).")
    Integer devices;

    @Option(names = "--seed", defaultValue = "7", description = "Simulation seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--guarantees", split = ",", paramLabel = "G", defaultValue = "at_least_once,exactly_once_v2",
            description = "Processing guarantees to measure P for, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> guarantees;

    @Option(names = "--commit-interval", paramLabel = "MS", description = "The streams app's commit.interval.ms "
            + "(default: the pipeline's, 1000).")
    Long commitIntervalMs;

    @Option(names = "--streams-setting", paramLabel = "KEY=VALUE", description = "A streams app setting every P "
            + "phase runs with, over the pipeline's (repeatable), e.g. trend.combine.every=PT0S.")
    Map<String, String> streamsSettings = new LinkedHashMap<>();

    @Option(names = "--latency-seconds", defaultValue = "60", description = "How long the latency probe loads the "
            + "warm pipeline of the last P, at half of P's records/s after a "
            + EndToEndBench.Latency.WARMUP_SECONDS + " s warm-up (default: ${DEFAULT-VALUE}).")
    long latencySeconds;

    @Option(names = "--latency-probes", defaultValue = "200", description = "Probes spread over the latency load "
            + "(default: ${DEFAULT-VALUE}).")
    int latencyProbes;

    @Option(names = "--no-latency", description = "Skip the latency and alert delay probes after the last P.")
    boolean noLatency;

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

    /** Runs the measurement; 0 when every phase reconciled and the latency probes came back complete. */
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
            for (String key : streamsSettings.keySet()) {
                if (!StreamsSettings.definition().names().contains(key)) {
                    throw new IllegalArgumentException("--streams-setting: no streams setting " + key);
                }
                if (key.equals(StreamsSettings.GUARANTEE_CONFIG)
                        || key.equals(StreamsSettings.COMMIT_INTERVAL_CONFIG)) {
                    throw new IllegalArgumentException("--streams-setting: give " + key + " with --guarantees or "
                            + "--commit-interval");
                }
            }
            EndToEndBench.Latency latency = noLatency ? null
                    : new EndToEndBench.Latency(Duration.ofSeconds(latencySeconds), latencyProbes);
            EndToEndBench.Report result = EndToEndBench.run(new EndToEndBench.Settings(events, deviceCount, seed,
                    guarantees, commitInterval, streamsSettings, dir, timeout, latency, warmupRecords), console);
            console.println();
            console.print(result.table());
            EndToEndBench.writeJson(result, json);
            console.printf("raw numbers: %s%n", json.toAbsolutePath());
            if (!report.equalsIgnoreCase("none")) {
                BenchmarksFile.rewrite(Path.of(report), result.markdown());
                console.printf("latest run written to %s%n", Path.of(report).toAbsolutePath());
            }
            console.flush();
            return EndToEndBench.complete(result) ? 0 : 1;
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
