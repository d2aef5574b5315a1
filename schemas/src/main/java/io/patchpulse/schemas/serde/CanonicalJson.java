package io.patchpulse.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The canonical JSON form of PatchPulse records: plain JSON objects with the Avro field names, unions written as
 * their value (no Avro type wrappers), enums as their symbol, timestamps as epoch milliseconds (UTC), absent optional
 * fields as {@code null}. It is what {@code --events-out} writes and what the HTTP API will accept.
 */
public final class CanonicalJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Resolves union branches of the generated classes' Java types (Instant, LocalDate) too. */
    private static final SpecificData MODEL = new SpecificData();

    static {
        AvroTrust.install();
        MODEL.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        MODEL.addLogicalTypeConversion(new TimeConversions.DateConversion());
    }

    private CanonicalJson() {
    }

    /** The JSON tree of a record. */
    public static ObjectNode toTree(IndexedRecord record) {
        return (ObjectNode) write(record, record.getSchema(), false);
    }

    /**
     * The same tree for people and dashboards (the query API): timestamps as ISO-8601 UTC, dates as
     * {@code YYYY-MM-DD}, map keys sorted (two instances write the same bytes for the same record). Never read back.
     */
    public static ObjectNode toReadableTree(IndexedRecord record) {
        return (ObjectNode) write(record, record.getSchema(), true);
    }

    /** One line of compact JSON. */
    public static String toLine(IndexedRecord record) {
        return toTree(record).toString();
    }

    /**
     * Reads a JSON tree into the generated class of {@code schema}.
     *
     * @throws IllegalArgumentException naming the field path and what was wrong
     */
    public static <T extends SpecificRecord> T fromTree(JsonNode json, Schema schema) {
        @SuppressWarnings("unchecked")
        T record = (T) read(json, schema, "$");
        return record;
    }

    /** Reads one line of JSON into the generated class of {@code schema}. */
    public static <T extends SpecificRecord> T fromLine(String line, Schema schema) {
        try {
            return fromTree(MAPPER.readTree(line), schema);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode write(Object value, Schema schema, boolean readable) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case RECORD: {
                IndexedRecord record = (IndexedRecord) value;
                ObjectNode node = NODES.objectNode();
                for (Schema.Field field : schema.getFields()) {
                    node.set(field.name(), write(record.get(field.pos()), field.schema(), readable));
                }
                return node;
            }
            case UNION:
                return write(value, schema.getTypes().get(MODEL.resolveUnion(schema, value)), readable);
            case ENUM:
            case STRING:
                return NODES.textNode(value.toString());
            case MAP: {
                ObjectNode node = NODES.objectNode();
                Map<String, Object> entries = readable ? new TreeMap<>() : new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((key, item) -> entries.put(key.toString(), item));
                entries.forEach((key, item) -> node.set(key, write(item, schema.getValueType(), readable)));
                return node;
            }
            case ARRAY: {
                var array = NODES.arrayNode();
                for (Object item : (List<?>) value) {
                    array.add(write(item, schema.getElementType(), readable));
                }
                return array;
            }
            case INT: {
                // date fields are java.time.LocalDate in the generated classes.
                boolean date = schema.getLogicalType() instanceof LogicalTypes.Date;
                int days = value instanceof LocalDate local ? (int) local.toEpochDay() : (Integer) value;
                return readable && date ? NODES.textNode(LocalDate.ofEpochDay(days).toString())
                        : NODES.numberNode(days);
            }
            case LONG: {
                // timestamp-millis fields are java.time.Instant in the generated classes.
                boolean timestamp = value instanceof Instant
                        || schema.getLogicalType() instanceof LogicalTypes.TimestampMillis;
                long millis = value instanceof Instant instant ? instant.toEpochMilli() : (Long) value;
                return readable && timestamp ? NODES.textNode(Instant.ofEpochMilli(millis).toString())
                        : NODES.numberNode(millis);
            }
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case DOUBLE:
                return NODES.numberNode((Double) value);
            case FLOAT:
                return NODES.numberNode((Float) value);
            default:
                throw new IllegalArgumentException("type " + schema.getType() + " has no JSON form here");
        }
    }

    private static Object read(JsonNode json, Schema schema, String path) {
        switch (schema.getType()) {
            case NULL:
                if (json == null || json.isNull()) {
                    return null;
                }
                throw new IllegalArgumentException(path + ": expected null");
            case UNION:
                return readUnion(json, schema, path);
            case RECORD:
                return readRecord(json, schema, path);
            case ENUM: {
                String symbol = requireText(json, path);
                if (!schema.hasEnumSymbol(symbol)) {
                    throw new IllegalArgumentException(path + ": '" + symbol + "' is not one of " + schema.getEnumSymbols());
                }
                return SpecificData.get().createEnum(symbol, schema);
            }
            case MAP: {
                if (json == null || !json.isObject()) {
                    throw new IllegalArgumentException(path + ": expected an object");
                }
                Map<String, Object> map = new HashMap<>();
                Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> entry = fields.next();
                    map.put(entry.getKey(), read(entry.getValue(), schema.getValueType(), path + "." + entry.getKey()));
                }
                return map;
            }
            case STRING:
                return requireText(json, path);
            case INT:
                if (json != null && json.canConvertToInt() && json.isIntegralNumber()) {
                    return json.intValue();
                }
                throw new IllegalArgumentException(path + ": expected a 32-bit integer");
            case LONG:
                if (json != null && json.canConvertToLong() && json.isIntegralNumber()) {
                    return schema.getLogicalType() instanceof LogicalTypes.TimestampMillis
                            ? Instant.ofEpochMilli(json.longValue()) : json.longValue();
                }
                throw new IllegalArgumentException(path + ": expected an integer");
            case BOOLEAN:
                if (json != null && json.isBoolean()) {
                    return json.booleanValue();
                }
                throw new IllegalArgumentException(path + ": expected true or false");
            default:
                throw new IllegalArgumentException(path + ": type " + schema.getType() + " is not read from JSON");
        }
    }

    private static Object readUnion(JsonNode json, Schema schema, String path) {
        if (json == null || json.isNull()) {
            if (schema.getTypes().stream().anyMatch(type -> type.getType() == Schema.Type.NULL)) {
                return null;
            }
            throw new IllegalArgumentException(path + ": must not be null");
        }
        IllegalArgumentException last = null;
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            try {
                return read(json, branch, path);
            } catch (IllegalArgumentException e) {
                last = e;
            }
        }
        throw last != null ? last : new IllegalArgumentException(path + ": no union branch fits");
    }

    private static Object readRecord(JsonNode json, Schema schema, String path) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException(path + ": expected an object");
        }
        Iterator<String> names = json.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (schema.getField(name) == null) {
                throw new IllegalArgumentException(path + "." + name + ": unknown field of " + schema.getName());
            }
        }
        IndexedRecord record = (IndexedRecord) SpecificData.get().newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = json.get(field.name());
            String fieldPath = path + "." + field.name();
            if ((value == null || value.isNull()) && field.hasDefaultValue()) {
                record.put(field.pos(), SpecificData.get().deepCopy(field.schema(), SpecificData.get().getDefaultValue(field)));
            } else if (value == null && field.schema().getType() != Schema.Type.UNION) {
                throw new IllegalArgumentException(fieldPath + ": required field is missing");
            } else {
                record.put(field.pos(), read(value, field.schema(), fieldPath));
            }
        }
        return record;
    }

    private static String requireText(JsonNode json, String path) {
        if (json != null && json.isTextual()) {
            return json.textValue();
        }
        throw new IllegalArgumentException(path + ": expected a string");
    }

}
