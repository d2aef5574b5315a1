package io.patchpulse.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.schemas.serde.CanonicalJson;
import io.patchpulse.schemas.topics.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/**
 * What can be checked without a broker: the producer configuration and the events-out line format. Publishing
 * itself is tested end to end against a real embedded broker in the deploy module.
 */
class KafkaPublisherTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldConfigureAnIdempotentProducerThatWaitsForAllReplicas() {
        Map<String, Object> properties = KafkaPublisher.producerProperties("127.0.0.1:9092", Map.of());

        assertThat(properties)
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
        assertThat(ProducerConfig.configNames()).containsAll(properties.keySet());
    }

    @Test
    void shouldPassTlsAndSaslSettingsThrough() {
        Map<String, Object> properties = KafkaPublisher.producerProperties("broker-1:9093", Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "ssl.truststore.location", "/etc/patchpulse/truststore.p12",
                ProducerConfig.LINGER_MS_CONFIG, "50",
                ProducerConfig.ACKS_CONFIG, "-1"));

        assertThat(properties)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/patchpulse/truststore.p12")
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "50")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
    }

    @Test
    void shouldRefuseExtraPropertiesThatWeakenDelivery() {
        assertThatThrownBy(() -> KafkaPublisher.producerProperties("b:9092", Map.of(ProducerConfig.ACKS_CONFIG, "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acks is fixed to all");
        assertThatThrownBy(() -> KafkaPublisher.producerProperties("b:9092",
                Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.idempotence");
        assertThatThrownBy(() -> KafkaPublisher.producerProperties("b:9092",
                Map.of(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "x.Y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serdes");
        assertThatThrownBy(() -> KafkaPublisher.producerProperties(" ", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap");
    }

    @Test
    void shouldWriteTopicKeyAndCanonicalValueOnOneEventsOutLine() throws Exception {
        Topics topics = new Topics("acme.");

        String line = KafkaPublisher.eventsOutLine(topics.installEvents.name(), "dev-00000000000000a1",
                TestRecords.failedEvent());

        assertThat(line).doesNotContain("\n").startsWith("{\"topic\":\"acme.install-events\",\"key\":\"dev-00000000000000a1\",\"value\":{");
        JsonNode json = JSON.readTree(line);
        assertThat(json.fieldNames()).toIterable().containsExactly("topic", "key", "value");
        // Parsed on both sides: a parser reads small longs as ints, and Jackson tells IntNode from LongNode.
        assertThat(json.get("value")).isEqualTo(JSON.readTree(CanonicalJson.toLine(TestRecords.failedEvent())));
        assertThat(json.get("value").get("errorCode").textValue()).isEqualTo("0x80070643");
        assertThat(json.get("value").get("rawErrorCode").textValue()).isEqualTo("-2147023293");
    }

    @Test
    void shouldWriteInventoriesToTheirOwnTopicName() throws Exception {
        Topics topics = Topics.defaults();

        JsonNode json = JSON.readTree(KafkaPublisher.eventsOutLine(topics.deviceInventory.name(),
                "dev-00000000000000a1", TestRecords.inventory()));

        assertThat(json.get("topic").textValue()).isEqualTo("patchpulse.device-inventory");
        assertThat(List.of(json.get("value").get("recovery").get("freeBytes").longValue()))
                .containsExactly(88L * 1_048_576L);
    }
}
