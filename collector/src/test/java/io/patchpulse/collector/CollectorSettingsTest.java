package io.patchpulse.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.collector.ingest.IngestServer;
import io.patchpulse.collector.ingest.KafkaInput;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.security.Principal;
import io.patchpulse.security.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CollectorSettingsTest {

    @Test
    void shouldHaveSafeDefaults() {
        CollectorSettings settings = new CollectorSettings(Map.of("bootstrap.servers", "k:9092"));

        assertThat(settings.httpHost()).isEqualTo("127.0.0.1");
        assertThat(settings.httpPort()).isEqualTo(8088);
        assertThat(settings.tokens().isEmpty()).isTrue();
        assertThat(settings.pseudonymousDeviceIds()).isTrue();
        assertThat(settings.deviceIdKeyFile()).isEqualTo(Path.of("patchpulse-collector", "device-id.key"));
        assertThat(settings.maxRecordBytes()).isLessThan(1 << 20); // under Kafka's default max.request.size
        assertThat(settings.dlqPayload()).isTrue();
        assertThat(settings.kafkaInputs()).isEmpty();
    }

    @Test
    void shouldReadTokensInputsAndPassClientSettingsThrough() {
        CollectorSettings settings = new CollectorSettings(Map.of("bootstrap.servers", "k:9092",
                CollectorSettings.TOKENS_CONFIG, Tokens.entry("ops", "secret"),
                CollectorSettings.KAFKA_INPUTS_CONFIG, "winlogbeat:patchpulse.winlogbeat",
                "producer.security.protocol", "SSL",
                "consumer.security.protocol", "SASL_SSL"));

        assertThat(settings.tokens().verify("secret")).map(Principal::name).hasValue("ops");
        assertThat(settings.kafkaInputs()).containsExactly(
                new KafkaInput.Source("patchpulse.winlogbeat", InputFormat.WINLOGBEAT));
        assertThat(settings.producerProperties()).containsEntry("security.protocol", "SSL");
        assertThat(settings.consumerProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("group.id", "patchpulse-collector-inputs");
    }

    @Test
    void shouldBoundSlowClientsByDefaultAndLetTheLimitsBeSet() {
        CollectorSettings defaults = new CollectorSettings(Map.of("bootstrap.servers", "k:9092"));
        CollectorSettings set = new CollectorSettings(Map.of("bootstrap.servers", "k:9092",
                CollectorSettings.IDLE_TIMEOUT_CONFIG, "5000", CollectorSettings.HEADER_TIMEOUT_CONFIG, "3000",
                CollectorSettings.MIN_REQUEST_RATE_CONFIG, "0"));

        assertThat(defaults.httpTimeLimits()).isEqualTo(new IngestServer.TimeLimits(Duration.ofSeconds(30),
                Duration.ofSeconds(20), 4096));
        assertThat(set.httpTimeLimits()).isEqualTo(new IngestServer.TimeLimits(Duration.ofSeconds(5),
                Duration.ofSeconds(3), 0));
        assertThatThrownBy(() -> new CollectorSettings(Map.of("bootstrap.servers", "k:9092",
                CollectorSettings.HEADER_TIMEOUT_CONFIG, "0"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(CollectorSettings.HEADER_TIMEOUT_CONFIG);
    }

    @Test
    void shouldNameTheSettingAtFault() {
        assertThatThrownBy(() -> new CollectorSettings(Map.of("bootstrap.servers", "k:9092",
                CollectorSettings.TOKENS_CONFIG, "ops:short"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(CollectorSettings.TOKENS_CONFIG);
        assertThatThrownBy(() -> new CollectorSettings(Map.of("bootstrap.servers", "k:9092",
                CollectorSettings.KAFKA_INPUTS_CONFIG, "winlogbeat"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("format:topic");
        assertThatThrownBy(() -> new CollectorSettings(Map.of("bootstrap.servers", "k:9092",
                CollectorSettings.DEVICE_IDS_CONFIG, "plain"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(CollectorSettings.DEVICE_IDS_CONFIG);
        assertThatThrownBy(() -> new CollectorSettings(Map.of("bootstrap.servers", "k:9092",
                CollectorSettings.TLS_KEYSTORE_CONFIG, "missing.p12",
                CollectorSettings.TLS_KEYSTORE_PASSWORD_CONFIG, "hunter2"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(CollectorSettings.TLS_KEYSTORE_PASSWORD_CONFIG)
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new CollectorSettings(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("bootstrap.servers");
    }
}
