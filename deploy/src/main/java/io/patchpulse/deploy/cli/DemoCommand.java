package io.patchpulse.deploy.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.deploy.metrics.MetricsEndpoint;
import io.patchpulse.deploy.metrics.ServiceMeters;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.SimulatedRecords;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.PipelineProgress;
import io.patchpulse.sink.local.OpsBinaries;
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
            "Starts a Kafka broker (KRaft), QuestDB, the streams app and the sink, and, when the Debian packages",
            "victoria-metrics and prometheus-alertmanager are installed, VictoriaMetrics and Alertmanager; feeds them a",
            "simulated fleet going through the January 2024 KB5034441 rollout (or a --preset), and prints the failure",
            "rate by recovery-partition size and BitLocker state, read back from the store."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private FleetOptions fleet;

    @Mixin
    private MetricsOptions metricsOptions;

    @Option(names = "--victoriametrics-url", paramLabel = "URL", description = "Write trends and release progress "
            + "to this VictoriaMetrics instead of one the demo starts (run it with -retentionPeriod=100y "
            + "-dedup.minScrapeInterval=1m; read a window with last_over_time(...[1h]) at its end).")
    private String victoriaMetricsUrl;

    @Option(names = "--alertmanager-url", paramLabel = "URL", description = "Post spike alerts to this Alertmanager "
            + "(API v2) instead of one the demo starts.")
    private String alertmanagerUrl;

    @Option(names = "--no-metrics-stores", description = "Do not start VictoriaMetrics and Alertmanager even when "
            + "they are installed (trends go to QuestDB only, alerts to QuestDB and the dashboard).")
    private boolean noMetricsStores;

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
        SimulatedRecords simulation = planned.simulation();
        out.printf("PatchPulse demo: %s%,d devices, seed %d, %s to %s; data in %s%n",
                planned.truth() == null ? "" : "preset " + planned.truth().preset() + ", ", simulation.devices(),
                simulation.seed(), simulation.start(), simulation.end(), dataDir.toAbsolutePath());
        boolean startStores = !noMetricsStores && (victoriaMetricsUrl == null || alertmanagerUrl == null);
        if (startStores && !OpsBinaries.installed()) {
            out.println("VictoriaMetrics and Alertmanager are not installed (apt-get install victoria-metrics "
                    + "prometheus-alertmanager): trends go to QuestDB only, alerts to QuestDB and the dashboard");
            startStores = false;
        }
        out.printf("starting Kafka (KRaft) and QuestDB%s, then the streams app and the sink ...%n",
                startStores ? ", VictoriaMetrics and Alertmanager" : "");
        out.flush();

        PrometheusMeterRegistry meters = ServiceMeters.create("demo");
        try (OpsBinaries.Running victoria = startStores && victoriaMetricsUrl == null
                    ? OpsBinaries.startVictoriaMetrics(dataDir.resolve("victoria-metrics")) : null;
                OpsBinaries.Running alertmanager = startStores && alertmanagerUrl == null
                        ? OpsBinaries.startAlertmanager(dataDir.resolve("alertmanager"),
                                OpsBinaries.SILENT_ALERTMANAGER_CONFIG) : null;
                AllInOne pipeline = AllInOne.start(dataDir, meters, AllInOne.Endpoints.embedded().withMetricsStores(
                        victoria == null ? victoriaMetricsUrl : victoria.baseUrl(),
                        alertmanager == null ? alertmanagerUrl : alertmanager.baseUrl()));
                MetricsEndpoint metrics = metricsOptions.listen(0).map(listen -> MetricsEndpoint.start(listen, meters,
                        pipeline.tokens(), java.util.Optional.empty())).orElse(null)) {
            // Ctrl-C: the pipeline first (the sink's last writes reach the stores), then the stores it writes to.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                pipeline.close();
                closeQuietly(alertmanager);
                closeQuietly(victoria);
            }, "patchpulse-shutdown"));
            out.printf("started in %.1f s: Kafka at %s, QuestDB at %s%s%n", seconds(started),
                    pipeline.bootstrapServers(), pipeline.questDb().httpUrl(),
                    metrics == null ? "" : ", metrics at " + metrics.url());
            String victoriaUrl = victoria == null ? victoriaMetricsUrl : victoria.baseUrl();
            String alertmanagerAt = alertmanager == null ? alertmanagerUrl : alertmanager.baseUrl();
            if (victoriaUrl != null) {
                out.printf("VictoriaMetrics (PromQL) at %s, its UI at %s/vmui%n", victoriaUrl, victoriaUrl);
            }
            if (alertmanagerAt != null) {
                out.printf("Alertmanager at %s%n", alertmanagerAt);
            }
            // The token rides in the fragment, which the browser keeps to itself: the page trades it for a session.
            out.printf("dashboard: %s?kb=%s&from=%s&refresh=5#token=%s%n", pipeline.dashboardUrl(),
                    dashboardKb(planned),
                    simulation.start().truncatedTo(java.time.temporal.ChronoUnit.DAYS).toString().substring(0, 10),
                    pipeline.token());
            out.printf("token (read and write: ingest, streams API, dashboard, /metrics; new on every start): %s%n",
                    pipeline.tokenFile().toAbsolutePath());
            PipelineProgress progress = new PipelineProgress(pipeline);
            long countedBefore = progress.storedAttempts();

            long results = publish(pipeline, planned, out);
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
            new DemoReport(pipeline.questDbHttp()).print(out, dashboardKb(planned));
            out.println();
            new ReleaseReport(pipeline.queryUrl(), pipeline.token()).print(out, BundledCatalog.releases());
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

    /** Publishes the fleet at its pace; returns how many install results (FAILED or SUCCEEDED) Kafka acknowledged. */
    private long publish(AllInOne pipeline, FleetOptions.Planned planned, PrintWriter out)
            throws InterruptedException {
        try (KafkaPublisher publisher = new KafkaPublisher(pipeline.bootstrapServers(), pipeline.topics(), Map.of(),
                fleet.eventsOut, null)) {
            long results = FleetReplay.publish(publisher, planned, out);
            out.printf("published %,d records (%,d install results), all acknowledged by Kafka%n",
                    publisher.acknowledged(), results);
            return results;
        }
    }

    /** The KB the dashboard opens on: the first planted spike's, else the January 2024 WinRE update. */
    private static String dashboardKb(FleetOptions.Planned planned) {
        if (planned.truth() != null && !planned.truth().spikes().isEmpty()) {
            return planned.truth().spikes().get(0).cohort().kb();
        }
        return "KB5034441";
    }

    private static void closeQuietly(OpsBinaries.Running process) {
        if (process != null) {
            process.close();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
