package io.patchpulse.collector.parse.winlogbeat;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.FormatParser;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.windows.WindowsEvent;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import io.patchpulse.schemas.avro.InstallEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Winlogbeat 7.x / 8.x and Elastic Agent ({@code winlog} input) documents ({@link InputFormat#WINLOGBEAT}): ECS JSON,
 * one document per line as {@code output.file} and the Kafka output write them, or pretty-printed / in an array.
 *
 * <p>Read: {@code @timestamp} (the event's creation time; {@code winlog.time_created} when it is missing),
 * {@code winlog.provider_name} (else {@code event.provider}) and {@code winlog.provider_guid},
 * {@code winlog.event_id} (else {@code event.code}), {@code winlog.record_id}, and the event data from
 * {@code winlog.event_data} or {@code winlog.user_data}. The device is {@code winlog.computer_name}, else
 * {@code host.hostname}, else {@code host.name}, through {@link io.patchpulse.collector.identity.DeviceIds}.
 * {@link WindowsEventMapper} decides what the event means; documents of other providers or ids (a Security 4624,
 * a Service Control Manager 7036) are skipped.
 *
 * <p>Quirks handled: {@code winlog.event_id} and {@code event.code} are numbers in 7.x and strings in 8.x, and
 * {@code winlog.record_id} either; {@code user_data} carries Winlogbeat's own {@code xml_name} key beside the values
 * and may nest them; data without names in the manifest arrives as {@code param1}, {@code param2} ... and is named
 * by position; the computer name is a FQDN while {@code host.name} may be a short or lower-cased name (device ids
 * normalize both alike). The same event read from event XML gets the same event id, so a fleet that ships both is
 * not double-counted.
 *
 * <p>{@link #readDocument} reads one document on its own, for inputs that receive documents one at a time (a
 * Kafka topic that Winlogbeat writes to).
 */
public final class WinlogbeatParser implements FormatParser {

    private static final Logger LOG = LoggerFactory.getLogger(WinlogbeatParser.class);

    @Override
    public InputFormat format() {
        return InputFormat.WINLOGBEAT;
    }

    @Override
    public ParseResult parse(InputStream input, ParseContext context) throws IOException {
        ParseResult.Builder result = ParseResult.builder(context.receivedAt());
        JsonItems.read(input, result, (line, item) -> readDocument(item, line, context, result));
        return result.build();
    }

    /**
     * Reads one Winlogbeat document that starts on {@code line} (for a Kafka record: its offset, or 1) into
     * {@code out}: one install event accepted, the document skipped (not about update installs), or rejected with
     * the JSON path of the field at fault. Never throws for anything in {@code document}.
     */
    public static void readDocument(JsonNode document, long line, ParseContext context, ParseResult.Builder out) {
        try {
            Optional<WinlogbeatDocument> read = WinlogbeatDocument.read(document);
            if (read.isEmpty()) {
                out.skip(line);
                return;
            }
            WindowsEvent event = read.get().event();
            String deviceId = context.deviceIds().of(event.computer());
            Optional<InstallEvent> install;
            try {
                install = WindowsEventMapper.toInstallEvent(event, deviceId, InputFormat.WINLOGBEAT.source(),
                        context.receivedAt());
            } catch (BadField e) {
                // The mapper names the data value; point at where it sits in the document.
                throw new BadField(read.get().dataPaths().getOrDefault(e.field(), e.field()), e.getMessage());
            }
            if (install.isPresent()) {
                out.accept(line, new CollectedRecord.Event(install.get()));
            } else {
                out.skip(line);
            }
        } catch (BadField e) {
            out.reject(e.at(Math.max(line, 0)));
        } catch (RuntimeException e) {
            // The contract is to never throw for input; a parser bug must cost one document, not the batch.
            LOG.warn("Winlogbeat parser failed on the document at line {}; it is rejected", line, e);
            out.reject(Math.max(line, 0), null, "could not be read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
    }
}
