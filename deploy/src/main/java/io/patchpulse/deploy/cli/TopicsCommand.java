package io.patchpulse.deploy.cli;

import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.topics.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchpulse topics}: creates the PatchPulse topics that are missing on a cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = {"Creates the PatchPulse topics that are missing on a cluster.",
            "install-events and device-inventory get the same partition count; the topics that hold a latest state",
            "(device-inventory, releases, failure-trends, device-status, release-progress, alerts) are compacted. Topics that are not compacted are bounded by size, not time (see --retention-bytes).",
            "Exit code 3: a topic that exists already deletes records by time (each is named on stderr).",
            "Other settings in --config/--set go to the admin client (e.g. security.protocol)."})
public final class TopicsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ServiceOptions options;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--replication-factor", defaultValue = "3", description = "Replicas per partition "
            + "(default: ${DEFAULT-VALUE}).")
    private short replication;

    @Option(names = "--retention-bytes", defaultValue = "" + TopicSetup.DEFAULT_RETENTION_BYTES,
            description = "Bytes kept per partition of the topics that are not compacted (install-events, its "
                    + "dead letters, remediations); -1 keeps everything (default: ${DEFAULT-VALUE}). They keep no "
                    + "time-based retention: records carry their event time, so a backlog would be deleted on "
                    + "arrival.")
    private long retentionBytes;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX, description = "Prefix of every topic "
            + "(default: ${DEFAULT-VALUE}).")
    private String prefix;

    @Override
    public Integer call() throws Exception {
        TopicSetup.checkRetentionBytes(retentionBytes);
        Map<String, Object> config = new HashMap<>(options.resolveWithBrokers());
        try (Admin admin = Admin.create(config)) {
            Topics topics = new Topics(prefix);
            List<String> created = TopicSetup.ensure(admin, topics, partitions, replication, retentionBytes);
            spec.commandLine().getOut().println(created.isEmpty() ? "all PatchPulse topics exist already"
                    : "created " + String.join(", ", created));
            List<String> problems = TopicSetup.timeRetentionProblems(admin, topics);
            problems.forEach(problem -> spec.commandLine().getErr().println("warning: " + problem));
            return problems.isEmpty() ? 0 : 3;
        }
    }
}
