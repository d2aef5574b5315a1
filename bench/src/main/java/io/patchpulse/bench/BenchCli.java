package io.patchpulse.bench;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code patchpulse bench}: the performance harness. The launcher runs this jar for {@code ./patchpulse bench ...};
 * nothing at run time depends on it.
 */
@Command(name = "patchpulse bench", mixinStandardHelpOptions = true,
        description = "Measures PatchPulse on this machine: the pipeline against the raw Kafka round trip of the same "
                + "records (run), and the hot paths in isolation (jmh).",
        subcommands = {EndToEndCommand.class, JmhCommand.class})
public final class BenchCli {

    private BenchCli() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        System.setOut(System.err);
        System.exit(commandLine().setOut(out).execute(args));
    }

    /** The command line with both commands; tests run commands through it. */
    public static CommandLine commandLine() {
        return new CommandLine(new BenchCli());
    }
}
