package io.patchpulse.deploy.cli;

import io.patchpulse.schemas.serde.AvroTrust;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code patchpulse} command. */
@Command(name = "patchpulse", mixinStandardHelpOptions = true, version = "PatchPulse 0.1.0",
        description = "Telemetry pipeline for Windows update install failures (WinRE 0x80070643 and friends).",
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class PatchPulseCli {

    private PatchPulseCli() {
    }

    public static void main(String[] args) {
        AvroTrust.install();
        System.exit(new CommandLine(new PatchPulseCli()).execute(args));
    }
}
