package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.PipelineProgress;
import io.patchpulse.deploy.metrics.MetricsEndpoint;
import io.patchpulse.deploy.metrics.ServiceMeters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine end to end on real parts, one scenario for every way of running them: simulator -> Kafka -> Streams
 * (exactly_once_v2) -> sink -> QuestDB, then the store compared with an independent recount of what Kafka
 * acknowledged. Subclasses say only where Kafka and QuestDB run ({@link #start}).
 */
abstract class PipelineEndToEndScenario {

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    /** Starts the pipeline with its local data (streams state, embedded stores) on {@code dataDir}. */
    abstract AllInOne start(Path dataDir, MeterRegistry meters) throws Exception;

    @Test
    void shouldStoreExactlyTheCountsOfAnIndependentRecountOfThePublishedEvents() throws Exception {
        Path eventsOut = dir.resolve("events.ndjson");
        PrometheusMeterRegistry meters = ServiceMeters.create("demo");
        try (AllInOne pipeline = start(dir.resolve("data"), meters);
                MetricsEndpoint metrics = MetricsEndpoint.start("127.0.0.1:0", meters, pipeline.tokens(),
                        java.util.Optional.empty())) {
            // Given a simulated fleet published to Kafka, every acknowledged record also written to a file
            try (KafkaPublisher publisher = new KafkaPublisher(pipeline.bootstrapServers(), pipeline.topics(),
                    pipeline.kafkaClientSettings(), eventsOut, null)) {
                for (CollectedRecord record : new FleetSimulator(SimulationSettings.of(400, 3).withDays(5)).simulate()) {
                    publisher.publish(record);
                }
                publisher.flush();
            }

            // and, after it, records the pipeline must refuse (not in the events-out file, so not in the recount)
            Map<String, Long> refused = HostileRecords.send(pipeline);

            // When the pipeline has drained
            awaitDrained(pipeline);

            // Then the store holds exactly the recount, row for row, and every refused record is in the DLQ
            IndependentRecount recount = IndependentRecount.of(eventsOut);
            assertThat(recount.results()).isGreaterThan(1000);
            StoreContents.assertEqualsRecount(pipeline, recount);
            assertThat(new PipelineProgress(pipeline).deadLettersByReason()).isEqualTo(refused);

            // and /metrics shows the pipeline's health and, per cohort, the newest window's rate of the recount
            assertMetricsShowTheRecount(metrics.url(), pipeline.token(), recount);
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{([^}]*)\\} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");

    private static void assertMetricsShowTheRecount(String url, String token, IndependentRecount recount)
            throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain"));
        Map<String, Double> rates = new HashMap<>();
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            Matcher label = LABEL.matcher(sample.group(2));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
            samples.merge(sample.group(1), Double.parseDouble(sample.group(3)), Double::sum);
            if (sample.group(1).equals("patchpulse_cohort_failure_rate")) {
                rates.put(labels.get("kb") + "|" + labels.get("size_bucket") + "|" + labels.get("free_bucket") + "|"
                        + labels.get("bitlocker"), Double.parseDouble(sample.group(3)));
            }
        }
        // Health: records through the sink, the sink's consumer and the streams threads report themselves
        assertThat(samples.get("patchpulse_sink_consumed_records_total")).isPositive();
        assertThat(samples).containsKeys("kafka_consumer_fetch_manager_records_lag_max",
                "jvm_memory_used_bytes", "patchpulse_collector_items_total");
        assertThat(samples.keySet()).anySatisfy(name -> assertThat(name).startsWith("kafka_stream_"));
        // Rates: the newest window of the recount, cohort by cohort (devices failed / devices attempted)
        long newest = recount.byKey().keySet().stream().mapToLong(key -> Long.parseLong(key.split("\\|")[0]))
                .max().orElseThrow();
        Map<String, Double> expected = new HashMap<>();
        recount.byKey().forEach((key, counts) -> {
            String[] parts = key.split("\\|", 2);
            long[] row = counts.row();
            if (Long.parseLong(parts[0]) == newest && row[2] > 0) {
                expected.put(parts[1], (double) row[3] / row[2]);
            }
        });
        assertThat(expected).isNotEmpty();
        Map<String, Double> shown = new HashMap<>();
        rates.forEach((cohort, rate) -> {
            if (!rate.isNaN()) {
                shown.put(cohort, rate);
            }
        });
        assertThat(shown).isEqualTo(expected);
    }

    private static void awaitDrained(AllInOne pipeline) throws Exception {
        assertThat(new PipelineProgress(pipeline).awaitDrained(DRAIN_TIMEOUT, line -> { })).isTrue();
    }
}
