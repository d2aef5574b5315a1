package io.patchpulse.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private final AvroSerde<InstallEvent> serde = new AvroSerde<>(InstallEvent.getClassSchema());

    @Test
    void shouldRoundTripAnEventWithTheSingleObjectHeader() {
        InstallEvent event = Samples.failedEvent();

        byte[] bytes = serde.serialize("t", event);

        assertThat(Arrays.copyOfRange(bytes, 0, 2)).containsExactly(0xC3, 0x01);
        long fingerprint = SchemaNormalization.parsingFingerprint64(InstallEvent.getClassSchema());
        byte[] expected = new byte[8];
        for (int i = 0; i < 8; i++) {
            expected[i] = (byte) (fingerprint >>> (8 * i)); // little-endian, as the spec says
        }
        assertThat(Arrays.copyOfRange(bytes, 2, 10)).containsExactly(expected);
        assertThat(serde.deserialize("t", bytes)).isEqualTo(event);
    }

    @Test
    void shouldMapNullToNullForTombstones() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    @Test
    void shouldRejectBytesThatAreNotSingleObjectAvroWithAClearMessage() {
        assertThatThrownBy(() -> serde.deserialize("patchpulse.install-events", "{\"json\":true}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not a readable InstallEvent")
                .hasMessageContaining("patchpulse.install-events");
    }

    @Test
    void shouldRejectAWriterSchemaThatWasNeverReleased() throws Exception {
        Schema unreleased = SchemaBuilder.record("FailureTrend").namespace("io.patchpulse.schemas.avro")
                .fields().requiredString("kb").endRecord();
        GenericRecord record = new GenericData.Record(unreleased);
        record.put("kb", "KB5034441");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), unreleased).encode(record, out);

        AvroSerde<FailureTrend> trends = new AvroSerde<>(FailureTrend.getClassSchema());
        assertThatThrownBy(() -> trends.deserialize("t", out.toByteArray()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("known schema fingerprint");
    }

    @Test
    void shouldResolveAnOlderWriterVersionByItsFingerprint() throws Exception {
        // An older FailureTrend without the per-error map: the reader fills in the current schema's default.
        Schema older = SchemaBuilder.record("FailureTrend").namespace("io.patchpulse.schemas.avro").fields()
                .name("windowStart").type(timestamp()).noDefault()
                .name("windowEnd").type(timestamp()).noDefault()
                .requiredString("kb").requiredString("sizeBucket").requiredString("freeBucket")
                .requiredString("bitlocker").requiredLong("attempts").requiredLong("failures")
                .requiredLong("devicesAttempted").requiredLong("devicesFailed").requiredLong("devicesSucceeded")
                .endRecord();
        GenericRecord record = new GenericData.Record(older);
        record.put("windowStart", 1_704_823_200_000L);
        record.put("windowEnd", 1_704_826_800_000L);
        record.put("kb", "KB5034441");
        record.put("sizeBucket", "500-750MB");
        record.put("freeBucket", "<250MB");
        record.put("bitlocker", "on-tpm");
        record.put("attempts", 3L);
        record.put("failures", 2L);
        record.put("devicesAttempted", 2L);
        record.put("devicesFailed", 1L);
        record.put("devicesSucceeded", 1L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older).encode(record, out);

        FailureTrend read = new AvroSerde<FailureTrend>(FailureTrend.getClassSchema(), java.util.List.of(older))
                .decode(out.toByteArray());

        assertThat(read.getAttempts()).isEqualTo(3);
        assertThat(read.getWindowStart()).isEqualTo(java.time.Instant.ofEpochMilli(1_704_823_200_000L));
        assertThat(read.getDevicesFailedByError()).isEmpty();
    }

    private static Schema timestamp() {
        return org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    }

    @Test
    void shouldGiveEveryTopicASerdeThatRoundTripsItsValues() {
        Topics topics = new Topics("x.");
        FailureTrend trend = FailureTrend.newBuilder().setWindowStart(java.time.Instant.ofEpochMilli(0L)).setWindowEnd(java.time.Instant.ofEpochMilli(3_600_000L)).setKb("KB5034441")
                .setSizeBucket("500-750MB").setFreeBucket("<250MB").setBitlocker("on-tpm").setAttempts(3)
                .setFailures(2).setDevicesAttempted(2).setDevicesFailed(1).setDevicesSucceeded(1)
                .setDevicesFailedByError(Map.of("0x80070643", 1L)).build();
        byte[] bytes = topics.failureTrends.valueSerde().serializer().serialize(topics.failureTrends.name(), trend);

        assertThat(topics.failureTrends.valueSerde().deserializer().deserialize(topics.failureTrends.name(), bytes))
                .isEqualTo(trend);
        assertThat(topics.failureTrends.name()).isEqualTo("x.failure-trends");
        assertThat(Topics.defaults().installEvents.name()).isEqualTo("patchpulse.install-events");
    }
}
