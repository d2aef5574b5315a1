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

    /** Format 1 wrote strings with writeUTF (64 KiB limit); 2 writes length-prefixed UTF-8. Both are read. */
    private static final byte FORMAT_UTF = 1;
    private static final byte FORMAT = 2;

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

    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in, boolean utf, int limit) throws IOException {
        return utf ? in.readUTF() : new String(readBytes(in, limit), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(DataInputStream in, int limit) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > limit) {
            throw new IllegalArgumentException("spool record has a bad length " + length);
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("spool record is truncated");
        }
        return bytes;
    }

    /** Bytes Kafka would count for this record, roughly: key, value and headers. */
    public int size() {
        int size = key.getBytes(StandardCharsets.UTF_8).length + value.length + 64;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            size += header.getKey().getBytes(StandardCharsets.UTF_8).length
                    + header.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return size;
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
            writeString(out, topic);
            writeString(out, key);
            out.writeLong(timestampMs);
            out.writeInt(value.length);
            out.write(value);
            out.writeInt(headers.size());
            for (Map.Entry<String, String> header : headers.entrySet()) {
                writeString(out, header.getKey());
                writeString(out, header.getValue());
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
            if (format != FORMAT && format != FORMAT_UTF) {
                throw new IllegalArgumentException("unknown spool record format " + format);
            }
            boolean utf = format == FORMAT_UTF;
            String topic = readString(in, utf, encoded.length);
            String key = readString(in, utf, encoded.length);
            long timestamp = in.readLong();
            byte[] value = readBytes(in, encoded.length);
            int count = in.readInt();
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                headers.put(readString(in, utf, encoded.length), readString(in, utf, encoded.length));
            }
            return new Outgoing(topic, key, timestamp, value, headers);
        } catch (IOException e) {
            throw new IllegalArgumentException("spool record is truncated", e);
        }
    }
}
