package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.CollectorSettings;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.schemas.serde.CanonicalJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the collector fault ITs share: simulated records as {@code /v1/events} lines, posted so that only what the
 * collector acknowledged (202) reaches the file {@link IndependentRecount} reads, and the settings of a collector.
 */
final class CollectorPosts {

    private CollectorPosts() {
    }

    /** A simulated fleet of {@code devices} over 3 days (seed {@code seed}) as lines of the events format. */
    static List<String> simulatedLines(int devices, long seed) {
        List<String> lines = new ArrayList<>();
        for (CollectedRecord record : new FleetSimulator(SimulationSettings.of(devices, seed).withDays(3))
                .simulate()) {
            lines.add(eventsOutLine(record));
        }
        return lines;
    }

    /**
     * Starts an all-in-one pipeline on {@code data} once, so its topics exist, and stops it: returns the address its
     * Kafka had, unreachable now, where a collector spools until the pipeline is started there again.
     */
    static String bootstrapOfAStoppedPipeline(Path data) throws InterruptedException {
        try (AllInOne pipeline = AllInOne.start(data, new SimpleMeterRegistry())) {
            return pipeline.bootstrapServers();
        }
    }

    /** {@code record} as a line of the events format, in the {@code --events-out} shape the recount reads. */
    static String eventsOutLine(CollectedRecord record) {
        String topic = record instanceof CollectedRecord.Event ? "patchpulse.install-events"
                : "patchpulse.device-inventory";
        return "{\"topic\":\"" + topic + "\",\"key\":\"" + record.deviceId() + "\",\"value\":"
                + CanonicalJson.toLine(record.value()) + "}";
    }

    /** Posts one NDJSON batch; only after its 202 are its lines written to {@code acknowledged}. */
    static void postBatch(HttpClient http, List<String> batch, int port, String token, Path acknowledged)
            throws Exception {
        String body = String.join("\n", batch) + "\n";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.body()).contains("\"accepted\":" + batch.size(), "\"rejected\":0");
        Files.writeString(acknowledged, body, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** A collector on {@code data}, port {@code port} (0: any), admitting {@code tokenEntry}, without a rate limit. */
    static CollectorSettings settings(String bootstrap, String data, int port, String tokenEntry) {
        return new CollectorSettings(Map.of("bootstrap.servers", bootstrap,
                CollectorSettings.DATA_DIR_CONFIG, data,
                CollectorSettings.HTTP_PORT_CONFIG, Integer.toString(port),
                CollectorSettings.TOKENS_CONFIG, tokenEntry,
                CollectorSettings.RATE_LIMIT_CONFIG, "100000"));
    }
}
