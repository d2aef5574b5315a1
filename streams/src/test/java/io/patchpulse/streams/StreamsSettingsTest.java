package io.patchpulse.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

    @Test
    void shouldApplyDocumentedDefaults() {
        StreamsSettings settings = new StreamsSettings(Map.of("bootstrap.servers", "127.0.0.1:9092"));

        assertThat(settings.topology().window()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.topology().grace()).isEqualTo(Duration.ofDays(7));
        assertThat(settings.topology().combineEvery()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.topology().topics().installEvents.name()).isEqualTo("patchpulse.install-events");
        Properties props = settings.streamsProperties();
        assertThat(props).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "patchpulse-streams");
    }

    @Test
    void shouldPassPrefixedClientSettingsThrough() {
        StreamsSettings settings = new StreamsSettings(Map.of("bootstrap.servers", "b:9093",
                "streams.security.protocol", "SASL_SSL", "topic.prefix", "acme."));

        assertThat(settings.streamsProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(settings.topology().topics().failureTrends.name()).isEqualTo("acme.failure-trends");
    }

    @Test
    void shouldNeedTwoReplicasInSyncForInternalTopicsWithThreeOrMore() {
        String minInSync = StreamsConfig.topicPrefix("min.insync.replicas");
        assertThat(new StreamsSettings(Map.of("bootstrap.servers", "b:1", "streams.replication.factor", "3"))
                .streamsProperties()).containsEntry(minInSync, "2");
        // fewer replicas could not take a write with one broker down; the broker's default is left alone
        assertThat(new StreamsSettings(Map.of("bootstrap.servers", "b:1", "streams.replication.factor", "2"))
                .streamsProperties()).doesNotContainKey(minInSync);
        assertThat(new StreamsSettings(Map.of("bootstrap.servers", "b:1")).streamsProperties())
                .doesNotContainKey(minInSync);
        // an operator's own choice wins
        assertThat(new StreamsSettings(Map.of("bootstrap.servers", "b:1", "streams.replication.factor", "5",
                "streams.topic.min.insync.replicas", "3")).streamsProperties()).containsEntry(minInSync, "3");
    }

    @Test
    void shouldNameTheKeyOfABadValue() {
        assertThatThrownBy(() -> new StreamsSettings(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bootstrap.servers");
        assertThatThrownBy(() -> new StreamsSettings(Map.of("bootstrap.servers", "b:1", "trend.grace", "a week")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("trend.grace");
        assertThatThrownBy(() -> new StreamsSettings(Map.of("bootstrap.servers", "b:1", "trend.window", "PT7M")))
                .hasMessageContaining("divides a day");
        // Sub-minute windows would share a minute of VictoriaMetrics' deduplication with their neighbours
        assertThatThrownBy(() -> new StreamsSettings(Map.of("bootstrap.servers", "b:1", "trend.window", "PT30S")))
                .hasMessageContaining("whole number of minutes");
        assertThat(new StreamsSettings(Map.of("bootstrap.servers", "b:1", "trend.window", "PT1M")).topology()
                .window()).hasMinutes(1);
        assertThatThrownBy(() -> new StreamsSettings(Map.of("bootstrap.servers", "b:1",
                "processing.guarantee", "exactly_once")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("processing.guarantee");
        assertThatThrownBy(() -> new StreamsSettings(Map.of("bootstrap.servers", "b:1",
                "trend.combine.every", "-PT1S")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("trend.combine.every")
                .hasMessageContaining("combine interval");
        assertThat(new StreamsSettings(Map.of("bootstrap.servers", "b:1", "trend.combine.every", "PT0S")).topology()
                .combineEvery()).isZero();
    }
}
