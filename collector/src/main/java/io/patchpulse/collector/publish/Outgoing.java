package io.patchpulse.collector.publish;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.topics.Topics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One record ready for Kafka: topic, key, timestamp (event time), value bytes (Avro single-object encoding, or the
 * original bytes of a rejected item for the DLQ) and headers. This is what the spool keeps, so a record is serialized once, when it is accepted, and sent later
 * exactly as it was accepted.
 */
public record Outgoing(String topic, String key, long timestampMs, byte[] value, Map<String, String> headers) {

    private static final byte FORMAT = 1;

    /** All components are required; headers are copied, in order. */
    public Outgoing {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A record without headers. */
    public Outgoing(String topic, String key, long timestampMs, byte[] value) {
        this(topic, key, timestampMs, value, Map.of());
    }

    /** {@code record} serialized for its topic: install events to install-events, inventories to device-inventory. */
    public static Outgoing of(CollectedRecord record, Topics topics) {
        if (record instanceof CollectedRecord.Event event) {
            String topic = topics.installEvents.name();
            InstallEvent value = event.event();
            return new Outgoing(topic, value.getDeviceId(), value.getOccurredAt().toEpochMilli(),
                    topics.installEvents.valueSerde().serializer().serialize(topic, value));
        }
        DeviceInventory value = ((CollectedRecord.Inventory) record).inventory();
        String topic = topics.deviceInventory.name();
        return new Outgoing(topic, value.getDeviceId(), value.getObservedAt().toEpochMilli(),
                topics.deviceInventory.valueSerde().serializer().serialize(topic, value));
    }

    /** The key as Kafka gets it (UTF-8, as the topic registry's string serde writes it). */
    public byte[] keyBytes() {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes the spool stores: a format byte, topic, key, timestamp, value. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length + topic.length() + key.length() + 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(topic);
            out.writeUTF(key);
            out.writeLong(timestampMs);
            out.writeInt(value.length);
            out.write(value);
            out.writeInt(headers.size());
            for (Map.Entry<String, String> header : headers.entrySet()) {
                out.writeUTF(header.getKey());
                out.writeUTF(header.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * The record {@link #encode} wrote.
     *
     * @throws IllegalArgumentException when the bytes are not such a record
     */
    public static Outgoing decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown spool record format " + format);
            }
            String topic = in.readUTF();
            String key = in.readUTF();
            long timestamp = in.readLong();
            int length = in.readInt();
            if (length < 0 || length > encoded.length) {
                throw new IllegalArgumentException("spool record has a bad value length " + length);
            }
            byte[] value = in.readNBytes(length);
            int count = in.readInt();
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                headers.put(in.readUTF(), in.readUTF());
            }
            return new Outgoing(topic, key, timestamp, value, headers);
        } catch (IOException e) {
            throw new IllegalArgumentException("spool record is truncated", e);
        }
    }
}
