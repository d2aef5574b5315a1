package io.patchpulse.bench.jmh;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.schemas.serde.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The documents the parser benchmarks read: for each format, one input of exactly {@code items} items (one per line
 * in every format used here). Canonical events come from the fleet simulator; the other formats repeat the items of
 * a real sample (copied from the collector's test samples, see {@code samples/SOURCES.md} beside this class) in
 * turn, so a document looks like a large export of the same fleet: repeated items are parsed in full, nothing
 * de-duplicates them.
 */
public final class ParserInputs {

    private static final String SAMPLES = "samples/";

    private ParserInputs() {
    }

    /** A document of {@code format} holding {@code items} items, as the bytes a sender would post. */
    public static byte[] document(InputFormat format, int items) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be at least 1, was " + items);
        }
        return switch (format) {
            case EVENTS -> simulatedEvents(items);
            case DEVICE_REPORT -> repeated(lines("device-report.ndjson"), null, items);
            case OSQUERY -> repeated(lines("osquery.results.ndjson"), null, items);
            case WINLOGBEAT -> repeated(lines("winlogbeat.ndjson"), null, items);
            case EVENTLOG_XML -> repeated(lines("eventlog.xml"), null, items);
            case WUFB -> {
                List<String> csv = lines("wufb.csv");
                yield repeated(csv.subList(1, csv.size()), csv.get(0), items);
            }
        };
    }

    /** Canonical JSON lines of the first {@code items} records of a small seeded fleet simulation. */
    private static byte[] simulatedEvents(int items) {
        int devices = Math.max(10, items / 4);
        StringBuilder text = new StringBuilder(items * 600);
        List<CollectedRecord> records = new FleetSimulator(SimulationSettings.of(devices, 42)).records()
                .limit(items).toList();
        if (records.size() < items) {
            throw new IllegalStateException("the simulation of " + devices + " devices has only " + records.size()
                    + " records, " + items + " wanted");
        }
        records.forEach(record -> text.append(CanonicalJson.toLine(record.value())).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] repeated(List<String> lines, String header, int items) {
        StringBuilder text = new StringBuilder();
        if (header != null) {
            text.append(header).append('\n');
        }
        for (int i = 0; i < items; i++) {
            text.append(lines.get(i % lines.size())).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> lines(String sample) {
        try (InputStream in = ParserInputs.class.getResourceAsStream(SAMPLES + sample)) {
            if (in == null) {
                throw new IllegalStateException("sample " + SAMPLES + sample + " is missing from the bench jar");
            }
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\r?\n")) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
