package io.patchpulse.deploy.cli;

import io.patchpulse.collector.ingest.Tokens;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchpulse token}: a new ingest token and the configuration entry that admits it. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Creates an ingest token. Give the token to the senders (agent script, shippers);",
            "put the printed collector.tokens entry (its SHA-256, not the token) into the collector's settings."})
public final class TokenCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "Who uses it (letters, digits, . _ -): shows in logs, rate limits and DLQ headers.")
    private String name;

    @Override
    public Integer call() {
        String token = Tokens.newToken();
        String entry = Tokens.entry(name, token);
        PrintWriter out = spec.commandLine().getOut();
        out.println("token:  " + token);
        out.println("config: collector.tokens=" + entry);
        out.flush();
        return 0;
    }
}
