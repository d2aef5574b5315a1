package io.patchpulse.deploy.cli;

import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code patchpulse query}: runs SQL on the store of a demo data directory after the demo stopped, and prints CSV.
 * While a demo is running, query its QuestDB directly (web console or PostgreSQL wire) instead.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Runs SQL on a stopped demo's QuestDB store and prints CSV.",
            "Example: patchpulse query --data-dir patchpulse-data \"SELECT * FROM failure_trends LIMIT 10\""})
public final class QueryCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = "patchpulse-data", description = "The demo's data directory "
            + "(default: ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Parameters(arity = "1", paramLabel = "SQL", description = "The query, in QuestDB's SQL.")
    private String sql;

    @Override
    public Integer call() {
        Path store = dataDir.resolve("questdb");
        if (!Files.isDirectory(store.resolve("db"))) {
            spec.commandLine().getErr().printf("no QuestDB store under %s: run 'patchpulse demo --data-dir %s' first%n",
                    store.toAbsolutePath(), dataDir);
            return 2;
        }
        try (EmbeddedQuestDb questDb = EmbeddedQuestDb.start(store)) {
            List<Map<String, Object>> rows = new QuestDbHttp(questDb.httpUrl()).query(sql);
            Csv.print(spec.commandLine().getOut(), rows);
            return 0;
        }
    }

    /** RFC 4180 CSV with a header line; null as an empty field. */
    static final class Csv {

        private Csv() {
        }

        static void print(PrintWriter out, List<Map<String, Object>> rows) {
            if (rows.isEmpty()) {
                out.flush();
                return;
            }
            out.println(String.join(",", rows.get(0).keySet().stream().map(Csv::field).toList()));
            for (Map<String, Object> row : rows) {
                out.println(String.join(",", row.values().stream().map(Csv::field).toList()));
            }
            out.flush();
        }

        private static String field(Object value) {
            if (value == null) {
                return "";
            }
            String text = value.toString();
            if (text.contains(",") || text.contains("\"") || text.contains("\n")) {
                return "\"" + text.replace("\"", "\"\"") + "\"";
            }
            return text;
        }
    }
}
