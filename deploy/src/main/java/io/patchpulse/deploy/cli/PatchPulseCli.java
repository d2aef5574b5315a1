package io.patchpulse.deploy.cli;

import io.patchpulse.schemas.serde.AvroTrust;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code patchpulse} command. */
@Command(name = "patchpulse", mixinStandardHelpOptions = true, version = "PatchPulse 0.1.0",
        description = "Telemetry pipeline for Windows update install failures (WinRE 0x80070643 and friends).",
        subcommands = {DemoCommand.class, QueryCommand.class, TopicsCommand.class, SimulateCommand.class,
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
        System.exit(new CommandLine(new PatchPulseCli()).setOut(out).execute(args));
    }
}
