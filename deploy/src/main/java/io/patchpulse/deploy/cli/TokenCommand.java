package io.patchpulse.deploy.cli;

import io.patchpulse.security.Scope;
import io.patchpulse.security.Tokens;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchpulse token}: a new bearer token and the configuration entry that admits it. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Creates a bearer token. Give the token to its user (agent script, shipper, Prometheus,",
            "a browser); put the printed entry (its SHA-256, never the token) into the settings named with it.",
            "Scope write sends to the ingest API; scope read reads the query API, the dashboard, /v1/status and",
            "/metrics."})
public final class TokenCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "Who uses it (letters, digits, . _ -): shows in logs, rate limits and DLQ headers.")
    private String name;

    @Option(names = "--scopes", paramLabel = "SCOPES", defaultValue = "write",
            description = "read, write or read,write (default: ${DEFAULT-VALUE}, an ingest token).")
    private String scopes;

    @Override
    public Integer call() {
        Set<Scope> parsed;
        try {
            parsed = Scope.parse(scopes);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--scopes: " + e.getMessage());
        }
        String token = Tokens.newToken();
        String entry = Tokens.entry(name, token, parsed);
        PrintWriter out = spec.commandLine().getOut();
        out.println("token:  " + token);
        out.println("entry:  " + entry);
        if (parsed.contains(Scope.WRITE)) {
            out.println("config: collector.tokens=" + entry + "   (ingest API)");
        }
        if (parsed.contains(Scope.READ)) {
            out.println("config: query.tokens=" + entry + "   (streams query API and its /metrics)");
            out.println("config: http.tokens=" + entry + "   (sink dashboard and its /metrics)");
            if (!parsed.contains(Scope.WRITE)) {
                out.println("config: collector.tokens=" + entry + "   (collector /v1/status and /metrics)");
            }
        }
        out.println("(append it to the setting's other entries, comma-separated, or one a line in its .file)");
        out.flush();
        return 0;
    }
}
