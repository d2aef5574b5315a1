package io.patchpulse.bench.latency;

import io.patchpulse.sink.SinkConfig;
import io.patchpulse.streams.StreamsSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The pipeline settings that shape latency, as the probes report them beside their numbers. The probes cannot read
 * them from a running {@code AllInOne} (it exposes no settings), so the caller states them; this helper gives the
 * values an {@code AllInOne} started without overrides runs with, read from the streams and sink defaults
 * themselves, so they cannot drift from the code.
 */
public final class PipelineSettings {

    private PipelineSettings() {
    }

    /**
     * The streams app's processing guarantee, commit interval, record cache and threads, and the sink's poll time-out,
     * as {@code AllInOne} runs them by default.
     */
    public static Map<String, String> allInOneDefaults() {
        Properties streams = new StreamsSettings(Map.of(StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, "unused:9092"))
                .streamsProperties();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("streams." + StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                String.valueOf(streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)));
        settings.put("streams." + StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                String.valueOf(streams.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)));
        settings.put("streams." + StreamsConfig.NUM_STREAM_THREADS_CONFIG,
                String.valueOf(streams.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
        settings.put("streams." + StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, String.valueOf(streams.getOrDefault(
                StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 10L * 1024 * 1024 + " (Kafka default)")));
        settings.put("sink." + SinkConfig.POLL_TIMEOUT_MS_CONFIG, String.valueOf(SinkConfig.POLL_TIMEOUT_MS_DEFAULT));
        return settings;
    }
}
