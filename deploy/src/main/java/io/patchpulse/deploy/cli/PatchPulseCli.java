package io.patchpulse.deploy.cli;

import io.patchpulse.schemas.serde.AvroTrust;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code patchpulse} command. */
@Command(name = "patchpulse", mixinStandardHelpOptions = true, version = "PatchPulse 0.1.0",
        description = "Telemetry pipeline for Windows update install failures (WinRE 0x80070643 and friends).",
        subcommands = {DemoCommand.class, QueryCommand.class, TopicsCommand.class, SimulateCommand.class,
            CollectorCommand.class, ParseCommand.class, IngestCommand.class, TokenCommand.class, ReleasesCommand.class,
            StreamsCommand.class, SinkCommand.class, CommandLine.HelpCommand.class})
public final class PatchPulseCli {

    private PatchPulseCli() {
    }

    public static void main(String[] args) {
        AvroTrust.install();
        // Standard output is the commands' own (CSV, tables, NDJSON); libraries that print to System.out
        // (QuestDB announces its shutdown there) are sent to standard error instead.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        System.setOut(System.err);
        System.exit(commandLine().setOut(out).execute(args));
    }

    /** The command line with every command and the error policy of {@link #report}; tests run commands through it. */
    public static CommandLine commandLine() {
        return new CommandLine(new PatchPulseCli()).setExecutionExceptionHandler(PatchPulseCli::report);
    }

    /**
     * Errors a user can fix (a missing or wrong setting, an unreadable file) get one line that says what is wrong and
     * exit status 2; anything else gets its message, the stack trace for a bug report, and exit status 1.
     */
    private static int report(Exception error, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        String prefix = "patchpulse " + command.getCommandName() + ": ";
        if (error instanceof IngestCommand.CollectorRefused) {
            err.println(prefix + error.getMessage());
            err.flush();
            return 1;
        }
        if (error instanceof ConfigException || error instanceof IllegalArgumentException
                || error instanceof UncheckedIOException) {
            err.println(prefix + error.getMessage());
            err.flush();
            return 2;
        }
        java.util.Optional<String> kafkaProblem = io.patchpulse.deploy.kafka.KafkaClientProblem.describe(error);
        if (kafkaProblem.isPresent()) {
            // Refused logins, untrusted certificates, unreachable listeners: the user's to fix, no stack trace.
            err.println(prefix + kafkaProblem.get());
            err.flush();
            return 1;
        }
        err.println(prefix + error);
        error.printStackTrace(err);
        err.flush();
        return 1;
    }
}
