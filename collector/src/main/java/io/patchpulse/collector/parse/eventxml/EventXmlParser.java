package io.patchpulse.collector.parse.eventxml;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.FormatParser;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.collector.parse.windows.WindowsEvent;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import io.patchpulse.schemas.avro.InstallEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Windows event XML ({@link InputFormat#EVENTLOG_XML}): what {@code wevtutil qe System /f:xml} (or
 * {@code /f:RenderedXml}) prints, Event Viewer's "Save as XML", {@code Get-WinEvent | % ToXml()}, or a single
 * {@code <Event>} copied from the XML view.
 *
 * <p>Each {@code <Event>} is read by local name (namespace {@code http://schemas.microsoft.com/win/2004/08/events/event}
 * or none): {@code System/Provider@Name} and {@code @Guid}, {@code EventID} (its {@code Qualifiers} attribute is
 * ignored), {@code TimeCreated@SystemTime}, {@code EventRecordID}, {@code Computer}, and the data values from
 * {@code EventData/Data@Name} or, for events that carry {@code UserData}, from the leaf elements of its
 * provider-defined child. {@link WindowsEventMapper} decides what the event means; events of other providers or
 * ids are skipped. The device id is {@code Computer} through {@link io.patchpulse.collector.identity.DeviceIds}.
 *
 * <p>Quirks handled: no single root element (events one after the other), an {@code <Events>} wrapper, an XML
 * declaration that claims UTF-16 on UTF-8 bytes, UTF-16 with or without BOM, 7-digit second fractions, unnamed
 * {@code <Data>} (named by position), concatenated exports, rendering info in any language (ignored: titles are read
 * by KB pattern). Each item's line is the line its {@code <Event} starts on; a malformed event is one problem and
 * reading goes on with the next {@code <Event}.
 *
 * <p>Hostile input: a {@code <!DOCTYPE} or {@code <!ENTITY} anywhere rejects the whole input with
 * {@value #DTD_REJECTED}, before any XML parser runs; see {@link EventReader} for the parser settings and limits.
 */
public final class EventXmlParser implements FormatParser {

    /** The message of the whole-input problem raised by a document type or entity declaration. */
    public static final String DTD_REJECTED = "DTDs are not accepted (XML bombs, external entities)";

    /**
     * One {@code <Event>} of an event XML text: the event, or the problem that kept it from being read (exactly one
     * of them is set). {@code line} is where the event starts, 0 for a problem with the whole text.
     */
    public record Item(long line, WindowsEvent event, Problem problem) {

        /** Exactly one of {@code event} and {@code problem} is required. */
        public Item {
            if ((event == null) == (problem == null)) {
                throw new IllegalArgumentException("an item holds an event or a problem, exactly one of them");
            }
        }
    }

    @Override
    public InputFormat format() {
        return InputFormat.EVENTLOG_XML;
    }

    @Override
    public ParseResult parse(InputStream input, ParseContext context) throws IOException {
        String text = EventXmlText.decode(input.readAllBytes());
        ParseResult.Builder result = ParseResult.builder(context.receivedAt());
        for (EventReader.Entry entry : EventReader.read(text)) {
            if (entry.problem() != null) {
                result.reject(entry.problem());
            } else {
                try {
                    toRecord(entry, context, result);
                } catch (RuntimeException e) {
                    // No event may stop the others: an unforeseen failure rejects this event only.
                    result.reject(entry.line(), null, "could not be read (" + e.getClass().getSimpleName() + ": "
                            + e.getMessage() + ")");
                }
            }
        }
        return result.build();
    }

    /**
     * Every event of an event XML text (the agent's {@code eventsXml}, a file already decoded), relevant or not, in
     * order; events that cannot be read and text outside events are problems. Never throws for any text; a
     * document type or entity declaration gives one whole-input problem ({@link #DTD_REJECTED}, line 0) and no
     * events.
     */
    public static List<Item> readEvents(String xml) {
        return EventReader.read(xml).stream()
                .map(entry -> new Item(entry.line(), entry.event(), entry.problem()))
                .toList();
    }

    private static void toRecord(EventReader.Entry entry, ParseContext context, ParseResult.Builder result) {
        WindowsEvent event = entry.event();
        long line = entry.line();
        WindowsEventMapper.Provider provider = WindowsEventMapper.provider(event.providerName(), event.providerGuid());
        if (!WindowsEventMapper.isRelevant(provider, event.eventId())) {
            result.skip(line);
            return;
        }
        if (event.computer() == null) {
            result.reject(line, EventReader.COMPUTER, "is required: it names the device");
            return;
        }
        String deviceId = context.deviceIds().of(event.computer());
        Optional<InstallEvent> install;
        try {
            install = WindowsEventMapper.toInstallEvent(event, deviceId, InputFormat.EVENTLOG_XML.source(),
                    context.receivedAt());
        } catch (BadField e) {
            // The mapper names the data value; point at the element it came from.
            result.reject(line, entry.dataPaths().getOrDefault(e.field(), e.field()), e.getMessage());
            return;
        }
        if (install.isPresent()) {
            result.accept(line, new CollectedRecord.Event(install.get()));
        } else {
            result.skip(line);
        }
    }
}
