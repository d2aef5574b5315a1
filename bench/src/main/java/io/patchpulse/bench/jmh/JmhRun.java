package io.patchpulse.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One run of the micro benchmarks through JMH's {@link Runner}: the options it takes, the JSON result file it writes
 * (JMH's own format) and the compact table {@code patchpulse bench jmh} prints.
 *
 * @param include                benchmarks to run: a regular expression JMH matches against
 *                               {@code package.Class.method} ({@link #ALL} for every one)
 * @param forks                  forked JVMs per benchmark; 0 runs in this JVM (tests only: no isolation)
 * @param warmupIterations       warm-up iterations per fork
 * @param warmupTime             time of each warm-up iteration
 * @param measurementIterations  measured iterations per fork
 * @param measurementTime        time of each measured iteration
 * @param jvmArgs                JVM options of each fork
 * @param out                    the JSON result file
 */
public record JmhRun(String include, int forks, int warmupIterations, TimeValue warmupTime,
                     int measurementIterations, TimeValue measurementTime, List<String> jvmArgs, Path out) {

    /** Every PatchPulse benchmark. */
    public static final String ALL = "io\\.patchpulse\\.bench\\.jmh\\..*";
    /** Fork heap unless told otherwise: the hot paths need little, and the machine is shared. */
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx512m");
    /** Needed by the launcher's JVM too (QuestDB's number formatting); harmless for the benchmarks. */
    static final List<String> REQUIRED_JVM_ARGS = List.of("--add-exports", "java.base/jdk.internal.math=ALL-UNNAMED");

    private static final String TOPOLOGY = TopologyBenchmark.class.getName() + ".";

    /** Checks the values. */
    public JmhRun {
        Objects.requireNonNull(include, "include");
        Objects.requireNonNull(warmupTime, "warmupTime");
        Objects.requireNonNull(measurementTime, "measurementTime");
        Objects.requireNonNull(out, "out");
        jvmArgs = List.copyOf(jvmArgs);
        if (forks < 0 || warmupIterations < 0 || measurementIterations < 1) {
            throw new IllegalArgumentException("forks and warm-up iterations must be 0 or more, measurement"
                    + " iterations 1 or more; got forks " + forks + ", warm-up " + warmupIterations
                    + ", measurement " + measurementIterations);
        }
    }

    /** JMH's options for this run. */
    public Options options() {
        List<String> forkArgs = new ArrayList<>(jvmArgs);
        forkArgs.addAll(REQUIRED_JVM_ARGS);
        ChainedOptionsBuilder builder = new OptionsBuilder()
                .include(include)
                .forks(forks)
                .warmupIterations(warmupIterations)
                .warmupTime(warmupTime)
                .measurementIterations(measurementIterations)
                .measurementTime(measurementTime)
                .jvmArgs(forkArgs.toArray(String[]::new))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(out.toString());
        return builder.build();
    }

    /**
     * Runs the benchmarks; JMH prints its progress on {@code System.out} and writes {@link #out}.
     *
     * @throws RunnerException when JMH fails, a benchmark throws, or nothing matches {@link #include}
     */
    public Collection<RunResult> run() throws RunnerException {
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + out, e);
        }
        Collection<RunResult> results = new Runner(options()).run();
        if (results.isEmpty()) {
            throw new RunnerException("no benchmark ran (none matches '" + include + "'?)");
        }
        return results;
    }

    /**
     * The results as a compact table: benchmark (class.method), mode, score, error (99.9 %; n/a with a single
     * iteration), unit, and for the topology its score in install events per second.
     */
    public static String table(Collection<RunResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Benchmark", "Mode", "Cnt", "Score", "Error", "Units", "events/s"});
        for (RunResult run : results) {
            Result<?> primary = run.getPrimaryResult();
            String name = run.getParams().getBenchmark();
            double error = primary.getScoreError();
            rows.add(new String[] {
                    shortName(name),
                    run.getParams().getMode().shortLabel(),
                    Long.toString(primary.getSampleCount()),
                    number(primary.getScore()),
                    Double.isNaN(error) ? "n/a" : "± " + number(error),
                    primary.getScoreUnit(),
                    name.startsWith(TOPOLOGY) ? number(perSecond(primary.getScore(), primary.getScoreUnit())) : ""});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String cell = row[c];
                boolean left = c == 0 || c == 1 || c == 5;
                String padded = left ? String.format(Locale.ROOT, "%-" + widths[c] + "s", cell)
                        : String.format(Locale.ROOT, "%" + widths[c] + "s", cell);
                line.append(c == 0 ? "" : "  ").append(padded);
            }
            table.append(line.toString().stripTrailing()).append('\n');
        }
        return table.toString();
    }

    /** {@code io.patchpulse.bench.jmh.ParserBenchmarks.wufb} becomes {@code ParserBenchmarks.wufb}. */
    static String shortName(String benchmark) {
        int method = benchmark.lastIndexOf('.');
        int type = benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(type + 1);
    }

    /** A throughput score in {@code ops/<unit>} as operations per second; NaN for other units. */
    static double perSecond(double score, String unit) {
        return switch (unit) {
            case "ops/s" -> score;
            case "ops/ms" -> score * 1e3;
            case "ops/us" -> score * 1e6;
            case "ops/ns" -> score * 1e9;
            case "ops/min" -> score / 60;
            default -> Double.NaN;
        };
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%.3f", value);
    }
}
