package io.patchpulse.deploy.cli;

import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.schemas.topics.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchpulse simulate}: publishes a simulated fleet to an existing Kafka cluster. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Publishes a simulated fleet to an existing Kafka cluster.",
            "The fleet goes through the January 2024 KB5034441 rollout, or through a preset with known truth",
            "(--preset jan-2024|apr-2025, --truth-out FILE).",
            "Producer settings in --config/--set pass through (e.g. security.protocol)."})
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ServiceOptions options;

    @Mixin
    private FleetOptions fleet;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX, description = "Prefix of every topic "
            + "(default: ${DEFAULT-VALUE}).")
    private String prefix;

    @Override
    public Integer call() throws InterruptedException {
        // Planned first: a wrong preset is reported before anything connects to Kafka.
        FleetOptions.Planned planned = fleet.plan();
        Map<String, Object> producer = new HashMap<>(options.resolveWithBrokers());
        Object bootstrap = producer.remove("bootstrap.servers");
        PrintWriter out = spec.commandLine().getOut();
        try (KafkaPublisher publisher = new KafkaPublisher(bootstrap.toString(), new Topics(prefix), producer,
                fleet.eventsOut, null)) {
            FleetReplay.publish(publisher, planned, out);
            out.printf("%,d records acknowledged by Kafka%n", publisher.acknowledged());
            Path truth = fleet.writeTruth(planned);
            if (truth != null) {
                out.printf("truth of preset %s written to %s%n", planned.truth().preset(), truth);
            }
            out.flush();
        }
        return 0;
    }
}
