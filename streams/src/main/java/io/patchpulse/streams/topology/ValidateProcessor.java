package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.serde.AvroSerde;
import io.patchpulse.schemas.topics.DlqHeaders;
import io.patchpulse.schemas.validate.EventValidator;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1: decode and validate. Every input record comes out exactly once, either accepted (decoded event) or
 * rejected with its original bytes and dead-letter headers. Nothing here throws on bad input.
 */
final class ValidateProcessor implements FixedKeyProcessor<String, byte[], Checked> {

    private static final Logger LOG = LoggerFactory.getLogger(ValidateProcessor.class);
    static final String STAGE = "streams.validate";

    private final AvroSerde<InstallEvent> serde;
    private FixedKeyProcessorContext<String, Checked> context;

    ValidateProcessor(AvroSerde<InstallEvent> serde) {
        this.serde = serde;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Checked> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        byte[] bytes = record.value();
        if (bytes == null) {
            reject(record, new Rejection(DlqHeaders.REASON_INVALID, "value", "record has no value (null)"));
            return;
        }
        InstallEvent event;
        try {
            event = serde.deserialize(context.recordMetadata().map(m -> m.topic()).orElse(null), bytes);
        } catch (SerializationException e) {
            reject(record, new Rejection(DlqHeaders.REASON_UNDECODABLE, "value", e.getMessage()));
            return;
        }
        Checked checked = EventValidator.check(record.key(), event, Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .map(why -> Checked.rejected(bytes,
                        new Rejection(DlqHeaders.REASON_INVALID, why.field(), why.detail())))
                .orElseGet(() -> Checked.accepted(bytes, EventValidator.normalized(event)));
        if (checked.isRejected()) {
            reject(record, checked.rejection());
        } else {
            context.forward(record.withValue(checked));
        }
    }

    private void reject(FixedKeyRecord<String, byte[]> record, Rejection why) {
        var source = context.recordMetadata().orElse(null);
        // Not the detail: it quotes keys and device ids, which stay out of logs (the dead letter's header has it).
        LOG.debug("rejected {} at {}", why.reason(), source);
        context.forward(record.withValue(Checked.rejected(record.value(), why))
                .withHeaders(why.toHeaders(record.headers(), STAGE, source, context.currentSystemTimeMs())));
    }
}
