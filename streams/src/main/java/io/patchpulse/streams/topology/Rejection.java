package io.patchpulse.streams.topology;

import io.patchpulse.schemas.topics.DlqHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Why a record was refused: a reason class ({@link DlqHeaders#REASON_INVALID} ...), the field at fault (may be null)
 * and a sentence for a person.
 */
public record Rejection(String reason, String field, String detail) {

    /**
     * The dead-letter headers: the original headers, plus reason, field, detail, the rejecting stage, the source
     * coordinates and the time of rejection.
     */
    public Headers toHeaders(Headers original, String stage, RecordMetadata source, long rejectedAtMs) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        add(headers, DlqHeaders.REASON, reason);
        add(headers, DlqHeaders.FIELD, field);
        add(headers, DlqHeaders.DETAIL, detail);
        add(headers, DlqHeaders.STAGE, stage);
        if (source != null) {
            add(headers, DlqHeaders.SOURCE_TOPIC, source.topic());
            add(headers, DlqHeaders.SOURCE_PARTITION, Integer.toString(source.partition()));
            add(headers, DlqHeaders.SOURCE_OFFSET, Long.toString(source.offset()));
        }
        add(headers, DlqHeaders.REJECTED_AT, Instant.ofEpochMilli(rejectedAtMs).toString());
        return headers;
    }

    private static void add(RecordHeaders headers, String name, String value) {
        if (value != null) {
            headers.remove(name);
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
