package io.patchpulse.bench;

import io.patchpulse.bench.jmh.JmhRun;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code patchpulse bench jmh [regex]}: the JMH micro benchmarks of the hot paths (parsers, serdes, normalization,
 * the topology under TopologyTestDriver), run through JMH's Runner in forked JVMs. Prints a compact table on
 * standard output and writes JMH's JSON result file.
 */
@Command(name = "jmh", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"JMH micro benchmarks of the hot paths: each collector parser, the Avro serdes, normalization"
                + " and the trend topology under TopologyTestDriver (processing code only: no Kafka, no"
                + " exactly-once). Numbers from a shared machine are indicative only.",
                "Examples: patchpulse bench jmh --quick    patchpulse bench jmh Parser    "
                        + "patchpulse bench jmh 'Topology|Serde' --forks 2"})
final class JmhCommand implements Callable<Integer> {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "REGEX",
            description = "Benchmarks to run: a regular expression matched against package.Class.method, for"
                    + " example 'Parser' or 'SerdeBenchmarks.installEvent'. Default: all.")
    String regex;

    @Option(names = "--forks", paramLabel = "N",
            description = "Forked JVMs per benchmark (default 1; 0 runs in this JVM, for debugging only).")
    Integer forks;

    @Option(names = "--warmup-iterations", paramLabel = "N", description = "Warm-up iterations per fork (default 3).")
    Integer warmupIterations;

    @Option(names = "--warmup-time", paramLabel = "TIME",
            description = "Time of each warm-up iteration, JMH syntax: 2s, 500ms (default 2s).")
    String warmupTime;

    @Option(names = "--measurement-iterations", paramLabel = "N",
            description = "Measured iterations per fork (default 5).")
    Integer measurementIterations;

    @Option(names = "--measurement-time", paramLabel = "TIME",
            description = "Time of each measured iteration, JMH syntax: 2s, 500ms (default 2s).")
    String measurementTime;

    @Option(names = "--quick", description = "A smoke run: 1 fork, 1 warm-up and 1 measured iteration of 1 s each"
            + " (options given explicitly still win). Figures are not worth keeping.")
    boolean quick;

    @Option(names = "--jvm-args", paramLabel = "ARGS",
            description = "JVM options of each fork, space separated (default -Xmx512m).")
    String jvmArgs;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE",
            description = "JSON result file, JMH's format (default bench/results/jmh-<UTC timestamp>.json).")
    Path out;

    @Override
    public Integer call() throws RunnerException {
        JmhRun run = run();
        Collection<RunResult> results = run.run();
        spec.commandLine().getOut().print(JmhRun.table(results));
        spec.commandLine().getOut().println("JSON results: " + run.out().toAbsolutePath().normalize());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The run the options ask for. */
    JmhRun run() {
        String iteration = quick ? "1s" : "2s";
        return new JmhRun(
                regex == null || regex.isBlank() ? JmhRun.ALL : regex,
                forks != null ? forks : 1,
                warmupIterations != null ? warmupIterations : quick ? 1 : 3,
                TimeValue.fromString(warmupTime != null ? warmupTime : iteration),
                measurementIterations != null ? measurementIterations : quick ? 1 : 5,
                TimeValue.fromString(measurementTime != null ? measurementTime : iteration),
                jvmArgs == null ? JmhRun.DEFAULT_JVM_ARGS : Arrays.asList(jvmArgs.strip().split("\\s+")),
                out != null ? out : defaultOut());
    }

    /** {@code bench/results/jmh-<timestamp>.json}: beside the bench jar's module when run from it. */
    private static Path defaultOut() {
        String name = "jmh-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + ".json";
        return resultsDir().resolve(name);
    }

    private static Path resultsDir() {
        try {
            // bench/target/patchpulse-bench.jar or bench/target/classes: the module is two levels up.
            Path target = Path.of(JmhCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getParent();
            if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
                    && target.getParent() != null) {
                return target.getParent().resolve("results");
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // Fall back to the working directory, the repository root when run through the launcher.
        }
        return Path.of("bench", "results");
    }
}
