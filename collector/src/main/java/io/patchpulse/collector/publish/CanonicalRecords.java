package io.patchpulse.collector.publish;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.schemas.serde.CanonicalJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * The canonical JSON form ({@link CanonicalJson}) of generated records, which hold logical-type values: timestamps
 * are {@link java.time.Instant}s in the generated classes. The record is first copied into its raw Avro form
 * (timestamps as epoch milliseconds), then written by {@link CanonicalJson}, so the output is exactly the canonical
 * form whichever kind of value the record holds. (CanonicalJson in schemas 0.1.0 casts timestamp values to
 * {@code Long} and fails on generated records; this copy makes the collector independent of that.)
 */
public final class CanonicalRecords {

    private CanonicalRecords() {
    }

    /** The canonical JSON tree of {@code record}. */
    public static ObjectNode toTree(IndexedRecord record) {
        return CanonicalJson.toTree(raw(record));
    }

    /** The canonical JSON of {@code record} as one compact line. */
    public static String toLine(IndexedRecord record) {
        return toTree(record).toString();
    }

    /** A generic copy of {@code record} holding only raw Avro values. */
    static IndexedRecord raw(IndexedRecord record) {
        return (IndexedRecord) raw(record, record.getSchema(), SpecificData.getForSchema(record.getSchema()));
    }

    private static Object raw(Object value, Schema schema, SpecificData model) {
        if (value == null) {
            return null;
        }
        switch (schema.getType()) {
            case RECORD: {
                IndexedRecord source = (IndexedRecord) value;
                GenericData.Record copy = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    copy.put(field.pos(), raw(source.get(field.pos()), field.schema(), model));
                }
                return copy;
            }
            case UNION:
                return raw(value, schema.getTypes().get(model.resolveUnion(schema, value)), model);
            case MAP: {
                Map<String, Object> copy = new LinkedHashMap<>();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    copy.put(entry.getKey().toString(), raw(entry.getValue(), schema.getValueType(), model));
                }
                return copy;
            }
            case ARRAY: {
                List<Object> copy = new ArrayList<>();
                for (Object item : (List<?>) value) {
                    copy.add(raw(item, schema.getElementType(), model));
                }
                return copy;
            }
            default:
                return toRawValue(value, schema, model);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object toRawValue(Object value, Schema schema, SpecificData model) {
        LogicalType logicalType = schema.getLogicalType();
        if (logicalType == null) {
            return value;
        }
        Conversion conversion = model.getConversionByClass(value.getClass(), logicalType);
        if (conversion == null) {
            return value;
        }
        return Conversions.convertToRawType(value, schema, logicalType, conversion);
    }
}
