package io.patchpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SinkConfigTest {

    private static Map<String, Object> required() {
        Map<String, Object> props = new HashMap<>();
        props.put(SinkConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        props.put(SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, "http::addr=127.0.0.1:9000;");
        props.put(SinkConfig.QUESTDB_HTTP_URL_CONFIG, "http://127.0.0.1:9000");
        return props;
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> props = required();
        props.put(key, value);
        return props;
    }

    @Test
    void shouldApplyDefaultsWhenOnlyRequiredKeysAreGiven() {
        SinkConfig config = new SinkConfig(required());

        assertThat(config.bootstrapServers()).containsExactly("127.0.0.1:9092");
        assertThat(config.topicPrefix()).isEqualTo("patchpulse.");
        assertThat(config.topics().failureTrends.name()).isEqualTo("patchpulse.failure-trends");
        assertThat(config.groupId()).isEqualTo("patchpulse-sink");
        assertThat(config.questDbSenderConfig()).isEqualTo("http::addr=127.0.0.1:9000;");
        assertThat(config.questDbHttpUrl()).isEqualTo("http://127.0.0.1:9000");
        assertThat(config.pollTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.writeRetries()).isEqualTo(-1);
        assertThat(config.writeRetryBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.consumerOverrides()).isEmpty();
    }

    @Test
    void shouldNameEachDefaultInItsDoc() {
        assertThat(SinkConfig.TOPIC_PREFIX_DOC).contains("\"patchpulse.\"");
        assertThat(SinkConfig.GROUP_ID_DOC).contains("\"patchpulse-sink\"");
        assertThat(SinkConfig.POLL_TIMEOUT_MS_DOC).contains("Default 500");
        assertThat(SinkConfig.WRITE_RETRIES_DOC).contains("Default -1");
        assertThat(SinkConfig.WRITE_RETRY_BACKOFF_MS_DOC).contains("Default 500");
        assertThat(SinkConfig.configDef().names()).containsExactlyInAnyOrder("bootstrap.servers", "topic.prefix",
                "group.id", "questdb.sender.config", "questdb.http.url", "poll.timeout.ms", "write.retries",
                "write.retry.backoff.ms", "victoriametrics.url", "alertmanager.url", "http.tokens", "http.tokens.file",
                "http.tls.keystore", "http.tls.keystore.password");
        assertThat(SinkConfig.HTTP_TOKENS_DOC).contains("every request is refused");
        assertThat(SinkConfig.HTTP_TLS_KEYSTORE_DOC).contains("Default none");
        assertThat(SinkConfig.VICTORIAMETRICS_URL_DOC).contains("Empty (the default)");
        assertThat(SinkConfig.ALERTMANAGER_URL_DOC).contains("Empty (the default)");
    }

    @Test
    void shouldTakeTheOptionalStoresUrlsOrNone() {
        assertThat(new SinkConfig(required()).victoriaMetricsUrl()).isEmpty();
        Map<String, Object> props = required();
        props.put(SinkConfig.VICTORIAMETRICS_URL_CONFIG, " http://127.0.0.1:8428 ");
        props.put(SinkConfig.ALERTMANAGER_URL_CONFIG, "http://127.0.0.1:9093");
        SinkConfig config = new SinkConfig(props);
        assertThat(config.victoriaMetricsUrl()).contains("http://127.0.0.1:8428");
        assertThat(config.alertmanagerUrl()).contains("http://127.0.0.1:9093");
        props.put(SinkConfig.ALERTMANAGER_URL_CONFIG, "127.0.0.1:9093");
        assertThatThrownBy(() -> new SinkConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alertmanager.url");
    }

    @Test
    void shouldParseGivenValues() {
        Map<String, Object> props = required();
        props.put(SinkConfig.BOOTSTRAP_SERVERS_CONFIG, "a:9092,b:9092");
        props.put(SinkConfig.TOPIC_PREFIX_CONFIG, "");
        props.put(SinkConfig.GROUP_ID_CONFIG, "sink-eu");
        props.put(SinkConfig.POLL_TIMEOUT_MS_CONFIG, "250");
        props.put(SinkConfig.WRITE_RETRIES_CONFIG, "0");
        props.put(SinkConfig.WRITE_RETRY_BACKOFF_MS_CONFIG, 1000L);

        SinkConfig config = new SinkConfig(props);

        assertThat(config.bootstrapServers()).containsExactly("a:9092", "b:9092");
        assertThat(config.topics().failureTrends.name()).isEqualTo("failure-trends");
        assertThat(config.groupId()).isEqualTo("sink-eu");
        assertThat(config.pollTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.writeRetries()).isZero();
        assertThat(config.writeRetryBackoff()).isEqualTo(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bootstrap.servers", "questdb.sender.config", "questdb.http.url"})
    void shouldRejectAMissingRequiredKey(String key) {
        Map<String, Object> props = required();
        props.remove(key);

        assertThatThrownBy(() -> new SinkConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "poll.timeout.ms; 0",
        "poll.timeout.ms; soon",
        "write.retries; -2",
        "write.retry.backoff.ms; -5",
        "write.retry.backoff.ms; 60000",
        "questdb.http.url; 127.0.0.1:9000",
        "questdb.http.url; ftp://127.0.0.1:9000",
        "group.id; ''",
        "bootstrap.servers; ''",
    })
    void shouldRejectAnInvalidValueNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> new SinkConfig(with(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "questdb.http.url, http://admin:qdb-s3cr3t@db:9000",
        "victoriametrics.url, https://vm-s3cr3t@vm:8428",
        "alertmanager.url, http://ops:am s3cr3t@am:9093"})
    void shouldRejectCredentialsInAStoreUrlWithoutEchoingThem(String key, String url) {
        assertThatThrownBy(() -> new SinkConfig(with(key, url)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void shouldRejectATcpSenderConfigWithoutEchoingIt() {
        String secret = "tcp::addr=db:9009;username=ingest;token=s3cr3t;";

        assertThatThrownBy(() -> new SinkConfig(with(SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, secret)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("questdb.sender.config")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void shouldHideTheSenderConfigInTheValuesMap() {
        SinkConfig config = new SinkConfig(with(SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG,
                "https::addr=db:9000;token=s3cr3t;"));

        assertThat(config.values().get(SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG)).hasToString("[hidden]");
        assertThat(config.questDbSenderConfig()).contains("s3cr3t");
    }

    @Test
    void shouldPassConsumerPrefixedSettingsThroughWithoutThePrefix() {
        Map<String, Object> props = required();
        props.put("consumer.security.protocol", "SASL_SSL");
        props.put("consumer.sasl.mechanism", "SCRAM-SHA-512");
        props.put("consumer.max.poll.records", "200");

        SinkConfig config = new SinkConfig(props);

        assertThat(config.consumerOverrides()).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("max.poll.records", "200"));
    }

    @Test
    void shouldRefuseConsumerOverridesOfTheDeliverySettings() {
        for (String key : List.of("enable.auto.commit", "isolation.level", "auto.offset.reset", "group.id",
                "bootstrap.servers", "value.deserializer")) {
            assertThatThrownBy(() -> new SinkConfig(with("consumer." + key, "x")))
                    .as(key)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("consumer." + key);
        }
    }
}
