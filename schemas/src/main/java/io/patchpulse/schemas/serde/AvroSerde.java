package io.patchpulse.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro record, in Avro's single-object encoding: every value starts with the marker
 * {@code C3 01} and the 8-byte fingerprint of its writer schema. The reader knows every released version of the
 * schema ({@link SchemaHistory}) and resolves the writer's version to the current one, so producers and consumers
 * of different releases interoperate without a registry server.
 *
 * <p>Thread-safe: Avro's message encoder and decoder keep their buffers per thread. {@code null} maps to
 * {@code null} both ways (tombstones).
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    static {
        AvroTrust.install();
    }

    private final String typeName;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    /** A serde for the generated class whose current schema is {@code schema}; it reads every released version. */
    public AvroSerde(Schema schema) {
        this(schema, SchemaHistory.get().versionsOf(schema.getFullName()));
    }

    /** A serde that reads data written with any of {@code writerVersions} (and the current schema). */
    AvroSerde(Schema schema, List<Schema> writerVersions) {
        SpecificData model = SpecificData.getForSchema(schema);
        this.typeName = schema.getName();
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        writerVersions.forEach(decoder::addSchema);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            encoder.encode(data, out);
            return out.toByteArray();
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerializationException("cannot encode " + typeName + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return decoder.decode(data);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("not a readable " + typeName + " record (Avro single-object encoding"
                    + " with a known schema fingerprint expected) on topic " + topic + ": " + describe(e), e);
        }
    }

    /** Decodes without a topic, for tools and tests. */
    public T decode(byte[] data) {
        return deserialize(null, data);
    }

    /** Encodes without a topic, for tools and tests. */
    public byte[] encode(T data) {
        return serialize(null, data);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the schema and its history are fixed at construction.
    }

    @Override
    public void close() {
        // Stateless apart from per-thread buffers; nothing to release.
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }
}
