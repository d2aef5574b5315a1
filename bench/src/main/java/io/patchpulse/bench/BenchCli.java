package io.patchpulse.bench;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code patchpulse bench}: the performance harness. Without a subcommand it runs the end-to-end measurement
 * (options of {@link EndToEndCommand}); {@code jmh} runs the micro benchmarks. The launcher runs this jar for
 * {@code ./patchpulse bench ...}; nothing at run time depends on it.
 */
@Command(name = "patchpulse bench", mixinStandardHelpOptions = true,
        description = {"Measures PatchPulse on this machine. Without a subcommand: the pipeline against the raw Kafka "
                + "round trip of the same pre-serialized records, in one run on the embedded stack:",
            "B_raw (produce + consume, no processing), P per processing guarantee (records/s until the store holds "
                + "every install result), R = P / B_raw, CPU per component, peak heap and RSS.",
            "Then, on the warm pipeline of the last P: end-to-end latency at half of P's rate and the spike alert "
                + "delay (with an installed Alertmanager).",
            "Prints a table, writes a JSON file with every raw number and rewrites the 'Latest run' section of "
                + "BENCHMARKS.md."},
        subcommands = {JmhCommand.class})
public final class BenchCli implements Callable<Integer> {

    @Mixin
    private EndToEndCommand endToEnd;

    private BenchCli() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        System.setOut(System.err);
        System.exit(commandLine().setOut(out).execute(args));
    }

    /** The command line with every command; tests run commands through it. */
    public static CommandLine commandLine() {
        return new CommandLine(new BenchCli());
    }

    @Override
    public Integer call() throws InterruptedException {
        return endToEnd.run();
    }
}
