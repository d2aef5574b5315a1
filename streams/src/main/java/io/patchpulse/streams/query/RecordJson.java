package io.patchpulse.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Avro records as the plain JSON the query API answers with: the Avro field names, unions written as their value,
 * enums as their symbol, {@code timestamp-millis} as ISO-8601 UTC ({@code 2024-01-09T10:15:00Z}), {@code date} as
 * {@code YYYY-MM-DD}, maps with their keys sorted (so two instances write the same bytes for the same record).
 *
 * <p>Unlike {@code CanonicalJson} (epoch milliseconds, the form the ingest side reads back), this form is for
 * people and dashboards; it is never read back into records.
 */
public final class RecordJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Resolves union branches of the generated classes' Java types (Instant, LocalDate) too. */
    private static final SpecificData MODEL = new SpecificData();

    static {
        MODEL.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        MODEL.addLogicalTypeConversion(new TimeConversions.DateConversion());
    }

    private RecordJson() {
    }

    /** The JSON object of {@code record}. */
    public static ObjectNode toTree(IndexedRecord record) {
        return (ObjectNode) write(record, record.getSchema());
    }

    private static JsonNode write(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case RECORD: {
                IndexedRecord record = (IndexedRecord) value;
                ObjectNode node = NODES.objectNode();
                for (Schema.Field field : schema.getFields()) {
                    node.set(field.name(), write(record.get(field.pos()), field.schema()));
                }
                return node;
            }
            case UNION:
                return write(value, schema.getTypes().get(MODEL.resolveUnion(schema, value)));
            case ENUM:
            case STRING:
                return NODES.textNode(value.toString());
            case MAP: {
                ObjectNode node = NODES.objectNode();
                Map<String, Object> sorted = new TreeMap<>();
                ((Map<?, ?>) value).forEach((key, item) -> sorted.put(key.toString(), item));
                sorted.forEach((key, item) -> node.set(key, write(item, schema.getValueType())));
                return node;
            }
            case ARRAY: {
                var array = NODES.arrayNode();
                for (Object item : (List<?>) value) {
                    array.add(write(item, schema.getElementType()));
                }
                return array;
            }
            case INT:
                // date fields are java.time.LocalDate in the generated classes.
                if (value instanceof LocalDate date) {
                    return NODES.textNode(date.toString());
                }
                if (schema.getLogicalType() instanceof LogicalTypes.Date) {
                    return NODES.textNode(LocalDate.ofEpochDay((Integer) value).toString());
                }
                return NODES.numberNode((Integer) value);
            case LONG: {
                if (value instanceof Instant instant) {
                    return NODES.textNode(instant.toString());
                }
                LogicalType logical = schema.getLogicalType();
                if (logical instanceof LogicalTypes.TimestampMillis) {
                    return NODES.textNode(Instant.ofEpochMilli((Long) value).toString());
                }
                return NODES.numberNode((Long) value);
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
}
