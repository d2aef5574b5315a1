package io.patchpulse.deploy;

import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.topics.DlqHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Records written straight to install-events, past the collector, that the pipeline must refuse into the
 * dead-letter topic without counting them and without stopping: bytes that are no Avro, an event with a malformed
 * KB, one whose key is not its device, one from the future, and one far older than the grace period allows.
 */
final class HostileRecords {

    private HostileRecords() {
    }

    /** Sends them after everything else; returns how many of each reason the dead-letter topic must then hold. */
    static Map<String, Long> send(AllInOne pipeline) {
        String topic = pipeline.topics().installEvents.name();
        var serde = pipeline.topics().installEvents.valueSerde().serializer();
        Instant now = Instant.now();
        Instant longAgo = Instant.parse("2023-10-01T00:00:00Z"); // months before the simulated fleet's events
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pipeline.kafkaClientConfig(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "dev-json", "{\"deviceId\":\"dev-json\"}"
                    .getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(topic, "dev-kb", serde.serialize(topic,
                    event("dev-kb", "KB12", Instant.parse("2024-01-10T10:00:00Z")))));
            producer.send(new ProducerRecord<>(topic, "dev-someone-else", serde.serialize(topic,
                    event("dev-key", "KB5034441", Instant.parse("2024-01-10T10:00:00Z")))));
            producer.send(new ProducerRecord<>(topic, "dev-future", serde.serialize(topic,
                    event("dev-future", "KB5034441", now.plusSeconds(30L * 86_400)))));
            producer.send(new ProducerRecord<>(topic, "dev-late", serde.serialize(topic,
                    event("dev-late", "KB5034441", longAgo))));
            producer.flush();
        }
        return Map.of(DlqHeaders.REASON_UNDECODABLE, 1L, DlqHeaders.REASON_INVALID, 3L, DlqHeaders.REASON_LATE, 1L);
    }

    private static InstallEvent event(String device, String kb, Instant at) {
        return InstallEvent.newBuilder()
                .setEventId("hostile-" + device)
                .setDeviceId(device)
                .setOccurredAt(at)
                .setReceivedAt(at)
                .setSource(EventSource.OTHER)
                .setKb(kb)
                .setOutcome(Outcome.FAILED)
                .setErrorCode("0x80070643")
                .build();
    }
}
