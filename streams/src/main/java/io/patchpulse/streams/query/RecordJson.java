package io.patchpulse.streams.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.schemas.serde.CanonicalJson;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as the plain JSON the query API answers with: the Avro field names, unions written as their value,
 * enums as their symbol, {@code timestamp-millis} as ISO-8601 UTC ({@code 2024-01-09T10:15:00Z}), {@code date} as
 * {@code YYYY-MM-DD}, maps with their keys sorted (so two instances write the same bytes for the same record).
 *
 * <p>Unlike {@code CanonicalJson} (epoch milliseconds, the form the ingest side reads back), this form is for
 * people and dashboards; it is never read back into records.
 */
public final class RecordJson {

    private RecordJson() {
    }

    /** The JSON object of {@code record} ({@link CanonicalJson#toReadableTree}). */
    public static ObjectNode toTree(IndexedRecord record) {
        return CanonicalJson.toReadableTree(record);
    }
}
