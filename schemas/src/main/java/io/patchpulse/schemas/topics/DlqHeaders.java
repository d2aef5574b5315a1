package io.patchpulse.schemas.topics;

/** Header names on dead-letter records: why a record was rejected, where it came from and when. */
public final class DlqHeaders {

    /** Reason class, machine-readable: {@code invalid}, {@code undecodable}, {@code late}. */
    public static final String REASON = "patchpulse.dlq.reason";
    /** What was wrong, for a person: names the field and the value. */
    public static final String DETAIL = "patchpulse.dlq.detail";
    /** The field at fault, when one is. */
    public static final String FIELD = "patchpulse.dlq.field";
    /** Processing step that rejected it, for example {@code streams.validate}. */
    public static final String STAGE = "patchpulse.dlq.stage";
    /** Topic, partition and offset of the original record. */
    public static final String SOURCE_TOPIC = "patchpulse.dlq.source.topic";
    public static final String SOURCE_PARTITION = "patchpulse.dlq.source.partition";
    public static final String SOURCE_OFFSET = "patchpulse.dlq.source.offset";
    /** For records the collector refused: the input (file name, or {@code http:<token name>}), format and line. */
    public static final String SOURCE_INPUT = "patchpulse.dlq.source.input";
    public static final String SOURCE_FORMAT = "patchpulse.dlq.source.format";
    public static final String SOURCE_LINE = "patchpulse.dlq.source.line";
    /** When it was rejected, ISO-8601 UTC. */
    public static final String REJECTED_AT = "patchpulse.dlq.rejected.at";

    /** Reason values. */
    public static final String REASON_INVALID = "invalid";
    public static final String REASON_UNDECODABLE = "undecodable";
    public static final String REASON_LATE = "late";

    private DlqHeaders() {
    }
}
