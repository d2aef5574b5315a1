package io.patchpulse.collector.parse;

import io.patchpulse.collector.parse.agent.DeviceReportParser;
import io.patchpulse.collector.parse.eventxml.EventXmlParser;
import io.patchpulse.collector.parse.osquery.OsqueryParser;
import io.patchpulse.collector.parse.winlogbeat.WinlogbeatParser;
import io.patchpulse.collector.parse.wufb.WufbParser;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The parser of each {@link InputFormat}: the one registry the ingest API, the file watcher and the CLI use. */
public final class Parsers {

    private static final Map<InputFormat, FormatParser> PARSERS = new EnumMap<>(InputFormat.class);

    static {
        for (FormatParser parser : List.<FormatParser>of(new EventsParser(), new OsqueryParser(), new WufbParser(),
                new DeviceReportParser(), new EventXmlParser(), new WinlogbeatParser())) {
            PARSERS.put(parser.format(), parser);
        }
    }

    private Parsers() {
    }

    /**
     * The parser for {@code format}.
     *
     * @throws IllegalArgumentException when no parser reads that format yet
     */
    public static FormatParser of(InputFormat format) {
        FormatParser parser = PARSERS.get(format);
        if (parser == null) {
            throw new IllegalArgumentException("no parser for format " + format);
        }
        return parser;
    }
}
