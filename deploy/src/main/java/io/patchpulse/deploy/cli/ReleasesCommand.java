package io.patchpulse.deploy.cli;

import io.patchpulse.collector.catalog.ReleaseCatalog;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.topics.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchpulse releases}: the release catalog. */
@Command(name = "releases", mixinStandardHelpOptions = true,
        description = "The release catalog (deploy/catalog/releases.yaml).",
        subcommands = {ReleasesCommand.Load.class})
public final class ReleasesCommand {

    /** {@code patchpulse releases load}: checks the catalog and publishes it to the compacted releases topic. */
    @Command(name = "load", mixinStandardHelpOptions = true,
            description = {"Checks the catalog and publishes every entry to the compacted releases topic (key = KB):",
                "analysts add a release to the file and load it again, no redeploy. Nothing is published from a",
                "catalog with a problem; every problem is listed. --dry-run only checks and lists."})
    static final class Load implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Mixin
        private ServiceOptions options;

        static final String DEFAULT_FILE = "deploy/catalog/releases.yaml";

        @Option(names = "--file", paramLabel = "FILE", defaultValue = DEFAULT_FILE,
                description = "The catalog. Default deploy/catalog/releases.yaml.")
        private Path file;

        @Option(names = "--dry-run", description = "Check and list the catalog; publish nothing.")
        private boolean dryRun;

        @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX, description = "Prefix of every topic "
                + "(default: ${DEFAULT-VALUE}).")
        private String prefix;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<Release> releases;
            if (Files.isRegularFile(file)) {
                releases = ReleaseCatalog.read(file);
            } else if (file.equals(Path.of(DEFAULT_FILE))) {
                out.printf("(no %s here: using the catalog packaged with PatchPulse)%n", DEFAULT_FILE);
                releases = BundledCatalog.releases();
            } else {
                throw new IllegalArgumentException("no catalog at " + file + " (--file)");
            }
            for (Release release : releases) {
                out.printf("%-10s %-12s %-44s fixed at WinRE %s%n", release.getKb(), release.getReleasedOn(),
                        release.getOsLine(), release.getFixedWinreVersion() == null ? "(not known)"
                                : release.getFixedWinreVersion());
            }
            if (dryRun) {
                out.printf("%d releases checked; nothing published (--dry-run)%n", releases.size());
                out.flush();
                return 0;
            }
            // Like simulate: every setting but the brokers goes to the producer (TLS, SASL).
            Map<String, Object> producer = new HashMap<>(options.resolveWithBrokers());
            Object bootstrap = producer.remove("bootstrap.servers");
            Topics topics = new Topics(prefix);
            try (KafkaPublisher publisher = new KafkaPublisher(bootstrap.toString(), topics, producer)) {
                    BundledCatalog.publish(publisher, topics, releases);
            }
            out.printf("%d releases published to %s%n", releases.size(), topics.releases.name());
            out.flush();
            return 0;
        }
    }
}
