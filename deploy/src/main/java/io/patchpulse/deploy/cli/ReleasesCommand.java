package io.patchpulse.deploy.cli;

import io.patchpulse.collector.catalog.ReleaseCatalog;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.topics.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
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

        @Option(names = "--file", paramLabel = "FILE", defaultValue = "deploy/catalog/releases.yaml",
                description = "The catalog. Default deploy/catalog/releases.yaml.")
        private Path file;

        @Option(names = "--dry-run", description = "Check and list the catalog; publish nothing.")
        private boolean dryRun;

        @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX, description = "Prefix of every topic "
                + "(default: ${DEFAULT-VALUE}).")
        private String prefix;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no catalog at " + file + " (--file)");
            }
            List<Release> releases = ReleaseCatalog.read(file);
            PrintWriter out = spec.commandLine().getOut();
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
                for (Release release : releases) {
                    publisher.publish(topics.releases, release.getKb(),
                            release.getReleasedOn().atStartOfDay().toInstant(ZoneOffset.UTC), release);
                }
                publisher.flush();
            }
            out.printf("%d releases published to %s%n", releases.size(), topics.releases.name());
            out.flush();
            return 0;
        }
    }
}
