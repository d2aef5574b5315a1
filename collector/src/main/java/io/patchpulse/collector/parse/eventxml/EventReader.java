package io.patchpulse.collector.parse.eventxml;

import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.collector.parse.windows.WindowsEvent;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import java.io.StringReader;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every {@code <Event>} of an event XML text into a {@link WindowsEvent}, or a {@link Problem} when it cannot.
 *
 * <p>There is no single root to parse ({@code wevtutil qe /f:xml} prints events one after the other), so the text
 * is cut into chunks, each running from one {@code <Event} to the next, and each chunk is parsed on its own with
 * StAX. A malformed event therefore costs only itself, and the work stays linear in the input. Text between events
 * may only be blanks, comments, processing instructions and the {@code <Events>} wrapper's tags; anything else is
 * reported where it starts.
 *
 * <p>Hostile XML: any {@code <!DOCTYPE} or {@code <!ENTITY} rejects the whole input before a parser runs (no DTD
 * means no entity expansion, so no billion laughs and no external entities); the parser has DTDs, external entities
 * and external DTD access off as well, elements may nest {@value #MAX_DEPTH} deep, a value may hold
 * {@value #MAX_TEXT} characters and one event {@value #MAX_EVENT_CHARS}.
 */
final class EventReader {

    private static final Logger LOG = LoggerFactory.getLogger(EventReader.class);

    /** Real events nest 4 deep (Event/UserData/X/leaf); a little room for odd UserData. */
    static final int MAX_DEPTH = 32;
    /** Longest value or attribute read (titles are ~100 characters, rendered messages a few thousand). */
    static final int MAX_TEXT = 65_536;
    /** Longest chunk parsed: a real event is a few kilobytes. */
    static final int MAX_EVENT_CHARS = 1 << 20;

    static final String PROVIDER = "Event/System/Provider";
    static final String EVENT_ID = "Event/System/EventID";
    static final String TIME_CREATED = "Event/System/TimeCreated/@SystemTime";
    static final String RECORD_ID = "Event/System/EventRecordID";
    static final String COMPUTER = "Event/System/Computer";

    /**
     * One event read, or the problem that kept it from being read. {@code dataPaths} names where each data value
     * came from (an {@code EventData/Data[@Name]} or a {@code UserData} leaf), for messages about bad values.
     */
    record Entry(long line, WindowsEvent event, Map<String, String> dataPaths, Problem problem) {

        static Entry problem(Problem problem) {
            return new Entry(problem.line(), null, Map.of(), problem);
        }
    }

    private EventReader() {
    }

    /** Every event of {@code text}, in order, with problems where they occur. */
    static List<Entry> read(String text) {
        List<Entry> entries = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return entries;
        }
        EventXmlText.Lines lines = new EventXmlText.Lines(text);
        int declaration = EventXmlText.declarationAt(text);
        if (declaration >= 0) {
            entries.add(Entry.problem(new Problem(0, "DOCTYPE", EventXmlParser.DTD_REJECTED
                    + "; found '" + EventXmlText.snippet(text, declaration) + "' at line "
                    + lines.lineOf(declaration))));
            return entries;
        }
        XMLInputFactory factory = factory(); // one per input: factories are not documented as thread-safe
        int[] starts = EventXmlText.eventStarts(text);
        reportForeign(text, 0, starts.length == 0 ? text.length() : starts[0], lines, entries);
        for (int i = 0; i < starts.length; i++) {
            int start = starts[i];
            int end = i + 1 < starts.length ? starts[i + 1] : text.length();
            long line = lines.lineOf(start);
            if (end - start > MAX_EVENT_CHARS) {
                entries.add(Entry.problem(new Problem(line, "Event", "event is longer than " + MAX_EVENT_CHARS
                        + " characters (with what follows it up to the next <Event>)")));
                continue;
            }
            Chunk chunk = new Chunk(text, start, end, line, start - lines.startOf(line));
            int consumed;
            try {
                consumed = chunk.read(factory);
            } catch (XMLStreamException e) {
                String message = xmlMessage(e);
                entries.add(Entry.problem(new Problem(line, null, message.contains("within the same entity")
                        ? "not well-formed XML: the <Event> element is not closed before the next <Event> or the end"
                                + " of the input (truncated?)"
                        : "not well-formed XML" + chunk.where(e.getLocation()) + ": " + message)));
                continue;
            } catch (RuntimeException e) {
                entries.add(Entry.problem(unreadable(e, line)));
                continue;
            }
            try {
                entries.add(chunk.entry());
            } catch (RuntimeException e) {
                entries.add(Entry.problem(unreadable(e, line)));
            }
            reportForeign(text, start + consumed, end, lines, entries);
        }
        return entries;
    }

    /** A {@link BadField} as the problem it names; anything else as a parser failure, logged. */
    private static Problem unreadable(RuntimeException e, long line) {
        if (e instanceof BadField bad) {
            return bad.at(line);
        }
        // The contract is to never throw for input; a parser bug must cost one event, not the request.
        LOG.warn("Event XML parser failed on the event at line {}; it is rejected", line, e);
        return new Problem(line, null, "could not be read (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                + ")");
    }

    private static void reportForeign(String text, int from, int to, EventXmlText.Lines lines, List<Entry> entries) {
        int foreign = EventXmlText.foreignContent(text, from, to);
        if (foreign >= 0) {
            entries.add(Entry.problem(new Problem(lines.lineOf(foreign), null,
                    "text outside an <Event> element: '" + EventXmlText.snippet(text, foreign) + "'")));
        }
    }

    private static XMLInputFactory factory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory(); // the JDK's, whatever else is on the classpath
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        // Prefixes are not resolved: a <Events xmlns:e="..."> wrapper's declarations are not in our chunks, and
        // elements are matched by local name anyway (hand-written files often leave the namespace out).
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resources are not read: " + systemId);
        });
        try {
            // The JDK's reader is costly to build (a third of the time per event); this factory serves one input on
            // one thread and each reader is closed before the next is made, so reusing it is safe.
            factory.setProperty("reuse-instance", true);
        } catch (IllegalArgumentException notSupported) {
            // only slower
        }
        return factory;
    }

    /** The JDK's message without its "ParseError at [row,col]" prefix (the location is given separately). */
    private static String xmlMessage(XMLStreamException e) {
        String message = e.getMessage() == null ? "syntax error" : e.getMessage();
        int at = message.indexOf("Message: ");
        return (at >= 0 ? message.substring(at + 9) : message).strip();
    }

    /** One chunk of the text, starting with {@code <Event}; reads the element and what it holds. */
    private static final class Chunk {
        private final String text;
        private final int start;
        private final int end;
        private final long line;
        private final int column;

        private String providerName;
        private String providerGuid;
        private String eventId;
        private String systemTime;
        private String recordId;
        private String computer;
        private final Map<String, String> data = new LinkedHashMap<>();
        private final Map<String, String> dataPaths = new LinkedHashMap<>();
        private final List<String> unnamedData = new ArrayList<>();

        /** {@code column}: how far into its line the chunk starts (events often share one line). */
        Chunk(String text, int start, int end, long line, int column) {
            this.text = text;
            this.start = start;
            this.end = end;
            this.line = line;
            this.column = column;
        }

        /** One open element: its path from {@code Event}, its text when wanted, whether it has child elements. */
        private static final class Frame {
            final String name;
            final String path;
            final StringBuilder text;
            String dataName;
            boolean hasChildren;

            Frame(String name, String path, boolean collect) {
                this.name = name;
                this.path = path;
                this.text = collect ? new StringBuilder() : null;
            }
        }

        /** Reads the event element; returns how many characters of the chunk it spans. */
        int read(XMLInputFactory factory) throws XMLStreamException {
            XMLStreamReader reader = factory.createXMLStreamReader(new StringReader(text.substring(start, end)));
            try {
                Deque<Frame> open = new ArrayDeque<>();
                while (reader.hasNext()) {
                    int event = reader.next();
                    switch (event) {
                        case XMLStreamConstants.START_ELEMENT -> {
                            Frame parent = open.peek();
                            if (open.size() >= MAX_DEPTH) {
                                throw new BadField(parent.path, "elements nest deeper than " + MAX_DEPTH + " levels");
                            }
                            String name = localName(reader.getLocalName());
                            if (parent != null) {
                                parent.hasChildren = true;
                            }
                            String path = parent == null ? name : parent.path + "/" + name;
                            Frame frame = new Frame(name, path, wantsText(path, open.size() + 1));
                            open.push(frame);
                            started(frame, reader);
                        }
                        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                            Frame frame = open.peek();
                            if (frame != null && frame.text != null) {
                                if (frame.text.length() + reader.getTextLength() > MAX_TEXT) {
                                    throw new BadField(frame.path, "text is longer than " + MAX_TEXT + " characters");
                                }
                                frame.text.append(reader.getTextCharacters(), reader.getTextStart(),
                                        reader.getTextLength());
                            }
                        }
                        case XMLStreamConstants.END_ELEMENT -> {
                            Frame frame = open.pop();
                            ended(frame, open.size() + 1);
                            if (open.isEmpty()) {
                                int offset = reader.getLocation().getCharacterOffset();
                                // The JDK reports the offset just past the end tag; anything odd: skip the check.
                                return offset > 0 && offset <= end - start ? offset : end - start;
                            }
                        }
                        case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_DECLARATION,
                                XMLStreamConstants.ENTITY_REFERENCE ->
                                throw new BadField("DOCTYPE", EventXmlParser.DTD_REJECTED);
                        default -> {
                            // comments, processing instructions: nothing to read
                        }
                    }
                }
                throw new XMLStreamException("the <Event> element is not closed", reader.getLocation());
            } finally {
                reader.close();
            }
        }

        private static boolean wantsText(String path, int depth) {
            return switch (path) {
                case EVENT_ID, RECORD_ID, COMPUTER, "Event/EventData/Data" -> true;
                default -> depth >= 4 && path.startsWith("Event/UserData/");
            };
        }

        private void started(Frame frame, XMLStreamReader reader) {
            switch (frame.path) {
                case PROVIDER -> {
                    providerName = attribute(reader, "Name", frame.path);
                    providerGuid = attribute(reader, "Guid", frame.path);
                }
                case "Event/System/TimeCreated" -> systemTime = attribute(reader, "SystemTime", frame.path);
                case "Event/EventData/Data" -> frame.dataName = attribute(reader, "Name", frame.path);
                default -> {
                    // nothing in the attributes of other elements
                }
            }
        }

        private void ended(Frame frame, int depth) {
            String value = frame.text == null ? null : frame.text.toString();
            switch (frame.path) {
                case EVENT_ID -> eventId = value;
                case RECORD_ID -> recordId = value;
                case COMPUTER -> computer = value;
                case "Event/EventData/Data" -> {
                    if (frame.dataName == null || frame.dataName.isBlank()) {
                        unnamedData.add(value);
                    } else if (!data.containsKey(frame.dataName)) {
                        data.put(frame.dataName, value);
                        dataPaths.put(frame.dataName, "Event/EventData/Data[@Name='" + frame.dataName + "']");
                    }
                }
                default -> {
                    // UserData holds one provider-defined element whose leaf children are the values.
                    if (value != null && depth >= 4 && !frame.hasChildren && !data.containsKey(frame.name)) {
                        data.put(frame.name, value);
                        dataPaths.put(frame.name, frame.path);
                    }
                }
            }
        }

        private static String attribute(XMLStreamReader reader, String name, String path) {
            for (int i = 0; i < reader.getAttributeCount(); i++) {
                if (localName(reader.getAttributeLocalName(i)).equals(name)) {
                    String value = reader.getAttributeValue(i);
                    if (value != null && value.length() > MAX_TEXT) {
                        throw new BadField(path + "/@" + name, "value is longer than " + MAX_TEXT + " characters");
                    }
                    return value;
                }
            }
            return null;
        }

        /** The event read, checked: provider, event id and time are required, the record id must be a number. */
        Entry entry() {
            if (isBlank(providerName) && isBlank(providerGuid)) {
                throw new BadField(PROVIDER, "a provider Name or Guid is required");
            }
            if (isBlank(eventId)) {
                throw new BadField(EVENT_ID, "is required");
            }
            int id;
            try {
                id = Integer.parseInt(eventId.strip());
            } catch (NumberFormatException e) {
                throw new BadField(EVENT_ID, "expected a whole number, got '" + abbreviate(eventId.strip()) + "'");
            }
            if (isBlank(systemTime)) {
                throw new BadField(TIME_CREATED, "is required");
            }
            Long record = null;
            if (!isBlank(recordId)) {
                try {
                    record = Long.parseLong(recordId.strip());
                } catch (NumberFormatException e) {
                    throw new BadField(RECORD_ID, "expected a whole number, got '" + abbreviate(recordId.strip()) + "'");
                }
            }
            nameUnnamedData(id);
            WindowsEvent event = new WindowsEvent(blankToNull(providerName), blankToNull(providerGuid), id,
                    systemTime(systemTime), isBlank(computer) ? null : computer.strip(), record, data);
            return new Entry(line, event, Map.copyOf(dataPaths), null);
        }

        /** Events written without manifest names carry bare {@code <Data>}: name them by position. */
        private void nameUnnamedData(int eventId) {
            if (unnamedData.isEmpty()) {
                return;
            }
            List<String> names = WindowsEventMapper.dataNames(WindowsEventMapper.provider(providerName, providerGuid),
                    eventId);
            for (int i = 0; i < unnamedData.size() && i < names.size(); i++) {
                if (!data.containsKey(names.get(i))) {
                    data.put(names.get(i), unnamedData.get(i));
                    dataPaths.put(names.get(i), "Event/EventData/Data[" + (i + 1) + "]");
                }
            }
        }

        /** Where {@code location} (relative to the chunk) is in the whole text, for messages. */
        String where(Location location) {
            if (location == null || location.getLineNumber() < 1) {
                return "";
            }
            long absolute = line + location.getLineNumber() - 1;
            int col = location.getColumnNumber() + (location.getLineNumber() == 1 ? column : 0);
            return " (line " + absolute + ", column " + col + ")";
        }
    }

    /** {@code SystemTime}: ISO-8601 UTC, 7 fraction digits from wevtutil (9 on older Windows); no zone means UTC. */
    static Instant systemTime(String text) {
        String value = text.strip();
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                // SystemTime is a FILETIME, UTC by definition; some converters drop the Z.
                return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new BadField(TIME_CREATED, "expected an ISO-8601 UTC time such as 2024-01-09T18:06:15.9086312Z, got '"
                        + abbreviate(value) + "'");
            }
        }
    }

    private static String localName(String name) {
        int colon = name.indexOf(':');
        return colon >= 0 ? name.substring(colon + 1) : name;
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    private static String blankToNull(String text) {
        return isBlank(text) ? null : text.strip();
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
