package io.patchpulse.bench.endtoend;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.deploy.cli.ProgressLine;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.PipelineProgress;
import io.patchpulse.deploy.kafka.ConsumerLag;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.streams.StreamsSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * P for one processing guarantee: a fresh {@link AllInOne} (embedded broker and QuestDB, the PatchPulse topics with
 * {@link AllInOne#PARTITIONS} partitions, the release catalog, the streams app, the sink, the collector's idle ingest
 * API and the dashboard) started with the guarantee, commit interval and extra streams settings of this run.
 *
 * <p>Measured from the first send of the record file to install-events / device-inventory until the first poll
 * (every {@value #POLL_MILLIS} ms) at which {@code sum(attempts)} over {@code failure_trends} in QuestDB equals the
 * install results sent: every result processed, committed by the streams app, written by the sink and applied by
 * QuestDB's WAL. The phase then waits for both consumer groups to reach the end of their input and checks the sum
 * once more (reconciled: still equal, nothing counted twice). A caller may then use the warm pipeline further
 * ({@link Afterwards}) before it is stopped.
 */
final class PipelineRun {

    static final long POLL_MILLIS = 100;

    /**
     * The outcome.
     *
     * @param guarantee       processing.guarantee
     * @param commitIntervalMs commit.interval.ms of the streams app
     * @param records         records sent
     * @param installResults  install results sent (what failure_trends must count)
     * @param storedAttempts  sum(attempts) in failure_trends after the pipeline drained
     * @param reconciled      storedAttempts equals installResults
     * @param produceSeconds  first send to last acknowledgement
     * @param streamsSeconds  first send to the first poll at which the streams app had committed the end of its input
     *                        topics (install-events, device-inventory; our producer writes no transaction markers
     *                        there, so the lag is exact): its first sub-topology's share of P, what follows is the
     *                        shuffles, the sink and QuestDB catching up; NaN if not seen before the store held
     *                        everything
     * @param usage           resources from the first send to the store holding every result (its seconds are P's)
     */
    record Result(String guarantee, long commitIntervalMs, long records, long installResults, long storedAttempts,
            boolean reconciled, double produceSeconds, double streamsSeconds, ResourceMeter.Usage usage) {

        double eventsPerSecond() {
            return records / usage.seconds();
        }
    }

    /** What to do with the warm pipeline once P is measured and reconciled, before it stops. */
    @FunctionalInterface
    interface Afterwards {

        /** Nothing. */
        Afterwards NONE = (pipeline, result) -> { };

        void accept(AllInOne pipeline, Result result) throws InterruptedException;
    }

    private PipelineRun() {
    }

    /**
     * Runs P.
     *
     * @param streamsSettings extra streams settings put over the guarantee and commit interval of this run
     * @param alertmanagerUrl an Alertmanager the sink posts alerts to, or {@code null}
     */
    static Result run(Path dataDir, RecordFile file, String guarantee, long commitIntervalMs,
            Map<String, String> streamsSettings, String alertmanagerUrl, Duration timeout, PrintWriter out,
            Afterwards afterwards) throws InterruptedException {
        long expected = file.summary().installResults();
        AllInOne.Endpoints endpoints = alertmanagerUrl == null ? AllInOne.Endpoints.embedded()
                : AllInOne.Endpoints.embedded().withMetricsStores(null, alertmanagerUrl);
        try (AllInOne pipeline = AllInOne.start(dataDir, new SimpleMeterRegistry(), endpoints,
                streamsOverrides(guarantee, commitIntervalMs, streamsSettings))) {
            Topics topics = pipeline.topics();
            Admin admin = pipeline.admin();
            PipelineProgress progress = new PipelineProgress(pipeline);
            awaitLeaders(admin, topics, Duration.ofSeconds(60));

            ResourceMeter[] meter = new ResourceMeter[1];
            String label = "P " + guarantee + ":";
            RecordProducer.Sent sent = RecordProducer.send(pipeline.bootstrapServers(), file,
                    topics.installEvents.name(), topics.deviceInventory.name(), () -> meter[0] = new ResourceMeter(),
                    new ProgressLine(out, label + " producing", file.summary().records(), "records"));
            ProgressLine stored = new ProgressLine(out, label + " stored", expected, "install results");
            long deadline = System.nanoTime() + timeout.toNanos();
            long attempts = 0;
            long streamsDone = -1;
            while (attempts < expected) {
                progress.failIfStopped();
                if (System.nanoTime() > deadline) {
                    meter[0].stop();
                    throw new IllegalStateException(String.format("%s the store held %,d of %,d install results "
                            + "after %s", label, attempts, expected, timeout));
                }
                Thread.sleep(POLL_MILLIS);
                if (streamsDone < 0 && ConsumerLag.of(admin, AllInOne.STREAMS_APP_ID, topics.installEvents.name(),
                        topics.deviceInventory.name()) == 0) {
                    streamsDone = System.nanoTime();
                }
                attempts = progress.storedAttempts();
                stored.set(attempts);
            }
            long end = System.nanoTime();
            ResourceMeter.Usage usage = meter[0].stop();
            stored.done();
            double seconds = (end - sent.firstSendNanos()) / 1e9;
            // Both groups at the end of their input, twice in a row, and the WAL applied; then the sum once more.
            progress.awaitDrained(timeout, line -> { });
            long finalAttempts = progress.storedAttempts();
            Result result = new Result(guarantee, commitIntervalMs, sent.records(), expected, finalAttempts,
                    finalAttempts == expected, sent.seconds(),
                    streamsDone < 0 ? Double.NaN : (streamsDone - sent.firstSendNanos()) / 1e9,
                    usage.withSeconds(seconds));
            afterwards.accept(pipeline, result);
            return result;
        }
    }

    /** The streams settings a P phase starts its pipeline with: guarantee and commit interval, then the extras. */
    static Map<String, String> streamsOverrides(String guarantee, long commitIntervalMs,
            Map<String, String> streamsSettings) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(StreamsSettings.GUARANTEE_CONFIG, guarantee);
        values.put(StreamsSettings.COMMIT_INTERVAL_CONFIG, Long.toString(commitIntervalMs));
        values.putAll(streamsSettings);
        return values;
    }

    /**
     * Waits until every partition of the new topics answers a list-offsets request (has a leader), as AllInOne's
     * releases check does in passing: on a loaded machine a send right after creation can otherwise wait out the
     * producer's delivery timeout.
     */
    static void awaitLeaders(Admin admin, Topics topics, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request =
                        new java.util.HashMap<>();
                List<String> names = topics.all().stream().map(topic -> topic.name()).toList();
                admin.describeTopics(names).allTopicNames().get().forEach((name, description) ->
                        description.partitions().forEach(info -> request.put(
                                new org.apache.kafka.common.TopicPartition(name, info.partition()),
                                org.apache.kafka.clients.admin.OffsetSpec.latest())));
                admin.listOffsets(request).all().get();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the topics have no leaders after " + timeout, e.getCause());
                }
                Thread.sleep(200);
            }
        }
    }
}
