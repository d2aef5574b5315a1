package io.patchpulse.deploy.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.deploy.metrics.MetricsEndpoint;
import io.patchpulse.deploy.metrics.ServiceMeters;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.Simulation;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.PipelineProgress;
import io.patchpulse.schemas.avro.Outcome;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchpulse demo}: the whole pipeline in one JVM, fed by the fleet simulator. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline in one JVM on a simulated fleet and prints the failure rates.",
            "Starts a Kafka broker (KRaft), QuestDB, the streams app and the sink, feeds them a simulated fleet going",
            "through the January 2024 KB5034441 rollout, and prints the failure rate by recovery-partition size and",
            "BitLocker state, read back from the store."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private FleetOptions fleet;

    @Mixin
    private MetricsOptions metricsOptions;

    @Option(names = "--victoriametrics-url", paramLabel = "URL", description = "Also write trends and release "
            + "progress to this VictoriaMetrics (run it with -retentionPeriod=100y -dedup.minScrapeInterval=1ms).")
    private String victoriaMetricsUrl;

    @Option(names = "--alertmanager-url", paramLabel = "URL", description = "Also post spike alerts to this "
            + "Alertmanager (API v2), resolved ones with endsAt.")
    private String alertmanagerUrl;

    @Option(names = "--data-dir", defaultValue = "patchpulse-data", description = "Where Kafka, QuestDB and the "
            + "streams state keep their data; it survives restarts (default: ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--exit-when-done", description = "Exit 0 once every published record is processed and visible "
            + "in the store (1 if the counts of a run on an empty data directory do not reconcile); without it, keep "
            + "serving until Ctrl-C.")
    private boolean exitWhenDone;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "How long to wait for processing to finish "
            + "(ISO-8601, default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        // Planned before anything starts: a wrong preset is reported at once.
        FleetOptions.Planned planned = fleet.plan();
        Simulation simulation = planned.simulation();
        SimulationSettings settings = simulation.settings();
        out.printf("PatchPulse demo: %s%,d devices, seed %d, %d days from %s; data in %s%n",
                planned.truth() == null ? "" : "preset " + planned.truth().preset() + ", ", settings.devices(),
                settings.seed(), settings.days(), settings.start(), dataDir.toAbsolutePath());
        out.println("starting Kafka (KRaft) and QuestDB, then the streams app and the sink ...");
        out.flush();

        PrometheusMeterRegistry meters = ServiceMeters.create("demo");
        AllInOne.Endpoints endpoints = AllInOne.Endpoints.embedded().withMetricsStores(victoriaMetricsUrl,
                alertmanagerUrl);
        try (AllInOne pipeline = AllInOne.start(dataDir, meters, endpoints);
                MetricsEndpoint metrics = metricsOptions.listen(0).map(listen -> MetricsEndpoint.start(listen, meters))
                        .orElse(null)) {
            Runtime.getRuntime().addShutdownHook(new Thread(pipeline::close, "patchpulse-shutdown"));
            out.printf("started in %.1f s: Kafka at %s, QuestDB at %s%s%n", seconds(started),
                    pipeline.bootstrapServers(), pipeline.questDb().httpUrl(),
                    metrics == null ? "" : ", metrics at " + metrics.url());
            out.printf("dashboard: %s?kb=KB5034441%n", pipeline.dashboardUrl());
            PipelineProgress progress = new PipelineProgress(pipeline);
            long countedBefore = progress.storedAttempts();

            long results = publish(pipeline, simulation, out);
            Path truth = fleet.writeTruth(planned);
            if (truth != null) {
                out.printf("truth of preset %s written to %s%n", planned.truth().preset(), truth);
            }

            boolean drained = progress.awaitDrained(timeout, line -> {
                out.print("\r" + line);
                out.flush();
            });
            out.println();
            if (!drained) {
                out.printf("not finished within %s: %s%n", timeout, progress.describe());
                return 1;
            }
            PipelineProgress.Reconciliation check = progress.reconcile(countedBefore, results);
            out.println(check.describe());
            out.println();
            new DemoReport(pipeline.questDbHttp()).print(out, "KB5034441");
            out.println();
            new ReleaseReport(pipeline.queryUrl()).print(out, BundledCatalog.releases());
            out.println();
            DemoReport.printWhereToQuery(out, pipeline.questDb());
            DemoReport.printWhereToSend(out, pipeline.ingestUrl(), pipeline.ingestTokenFile());
            out.printf("%nwall time %.1f s; %s%n", seconds(started), PipelineProgress.memory());
            out.flush();
            if (exitWhenDone) {
                return check.ok() ? 0 : 1;
            }
            out.println("serving; press Ctrl-C to stop.");
            out.flush();
            new CountDownLatch(1).await();
            return 0;
        }
    }

    /** Publishes the simulation; returns how many install results (FAILED or SUCCEEDED) Kafka acknowledged. */
    private long publish(AllInOne pipeline, Simulation simulation, PrintWriter out) {
        long results = 0;
        try (KafkaPublisher publisher = new KafkaPublisher(pipeline.bootstrapServers(), pipeline.topics(), Map.of(),
                fleet.eventsOut, null)) {
            ProgressLine progress = new ProgressLine(out, "publishing", simulation.size());
            for (CollectedRecord record : simulation) {
                publisher.publish(record);
                if (record instanceof CollectedRecord.Event event && isResult(event.event().getOutcome())) {
                    results++;
                }
                progress.advance();
            }
            publisher.flush(); // throws if any send failed: then nothing below claims it was published
            progress.done();
            out.printf("published %,d records (%,d install results), all acknowledged by Kafka%n",
                    publisher.acknowledged(), results);
            return results;
        }
    }

    private static boolean isResult(Outcome outcome) {
        return outcome == Outcome.FAILED || outcome == Outcome.SUCCEEDED;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
