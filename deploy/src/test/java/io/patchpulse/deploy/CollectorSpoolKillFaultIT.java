package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.CollectorService;
import io.patchpulse.collector.CollectorSettings;
import io.patchpulse.security.Tokens;
import io.patchpulse.collector.publish.Spool;
import io.patchpulse.deploy.cli.PatchPulseCli;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.FreePorts;
import io.patchpulse.deploy.embedded.PipelineProgress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the collector acknowledges is never lost: records accepted while Kafka is down wait in the spool, survive a
 * kill -9 of the collector, and once Kafka and a new collector are back they reach the trends exactly once (a batch
 * the sender posted twice included), checked against an independent recount of the acknowledged lines.
 */
class CollectorSpoolKillFaultIT {

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);
    private static final int BATCH_LINES = 500;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldDeliverEveryAcknowledgedEventOnceAfterAKafkaOutageAndAKill9() throws Exception {
        List<String> lines = CollectorPosts.simulatedLines(200, 17);
        Path pipelineData = dir.resolve("pipeline");
        Path collectorData = dir.resolve("collector");
        Path acknowledged = dir.resolve("acknowledged.ndjson");
        String token = Tokens.newToken();
        int httpPort = FreePorts.pick();

        // Given a pipeline that ran once (topics exist) and is now down: Kafka is unreachable
        String bootstrap = CollectorPosts.bootstrapOfAStoppedPipeline(pipelineData);

        // When a collector in its own JVM acknowledges every batch (one of them twice), then is killed with -9
        // (read too: the status it is polled with needs scope read)
        Process collector = startCollectorProcess(bootstrap, collectorData, httpPort, Tokens.entry("it", token,
                java.util.EnumSet.allOf(io.patchpulse.security.Scope.class)));
        long posted;
        try {
            URI status = URI.create("http://127.0.0.1:" + httpPort + "/v1/status");
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(status).header("Authorization", "Bearer " + token).build(),
                            HttpResponse.BodyHandlers.ofString())
                            .statusCode() == 200);
            posted = postAll(lines, httpPort, token, acknowledged);
            CollectorPosts.postBatch(http, lines.subList(0, BATCH_LINES), httpPort, token, acknowledged);
        } finally {
            collector.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            collector.waitFor();
        }
        assertThat(posted).isEqualTo(lines.size());
        long spooled;
        try (Spool spool = Spool.open(collectorData.resolve("spool"))) {
            spooled = spool.size();
            assertThat(spooled).as("acknowledged records kept across the kill").isEqualTo(posted + BATCH_LINES);
        }

        // Then, with Kafka back and a new collector on the same data directory, the spool drains into the pipeline
        try (AllInOne pipeline = AllInOne.start(pipelineData, new SimpleMeterRegistry());
             CollectorService restarted = CollectorService.start(CollectorPosts.settings(bootstrap,
                     collectorData.toString(), 0, Tokens.entry("it", token)), List.of())) {
            await().atMost(DRAIN_TIMEOUT).until(() -> restarted.spool().size() == 0);
            assertThat(new PipelineProgress(pipeline).awaitDrained(DRAIN_TIMEOUT, line -> { })).isTrue();

            // and the store equals a recount of the acknowledged lines, each event id once
            IndependentRecount recount = IndependentRecount.of(acknowledged);
            FaultReport.record(FaultReport.compare("collector-spool-kill", "QuestDB failure_trends", recount,
                    StoreContents.trendRows(pipeline.questDbHttp()), Map.of(
                            "linesAcknowledged", posted + BATCH_LINES,
                            "linesPostedTwice", BATCH_LINES,
                            "spooledAtKill", spooled)));
            StoreContents.assertEqualsRecount(pipeline, recount);
            assertThat(new PipelineProgress(pipeline).deadLetters()).isZero();
        }
    }

    private long postAll(List<String> lines, int port, String token, Path acknowledged) throws Exception {
        long posted = 0;
        for (int start = 0; start < lines.size(); start += BATCH_LINES) {
            List<String> batch = lines.subList(start, Math.min(lines.size(), start + BATCH_LINES));
            CollectorPosts.postBatch(http, batch, port, token, acknowledged);
            posted += batch.size();
        }
        return posted;
    }
    private Process startCollectorProcess(String bootstrap, Path data, int port, String tokenEntry)
            throws IOException {
        // both lives of the collector in one log, kept for a failed run
        return ChildJvm.start(dir, ProcessBuilder.Redirect.appendTo(Path.of("target", "collector-spool-kill.log")
                .toFile()), PatchPulseCli.class.getName(), List.of("collector",
                "--bootstrap-servers", bootstrap,
                "--set", CollectorSettings.DATA_DIR_CONFIG + "=" + data,
                "--set", CollectorSettings.HTTP_PORT_CONFIG + "=" + port,
                "--set", CollectorSettings.TOKENS_CONFIG + "=" + tokenEntry,
                "--set", CollectorSettings.RATE_LIMIT_CONFIG + "=100000"));
    }
}
