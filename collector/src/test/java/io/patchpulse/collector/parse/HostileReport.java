package io.patchpulse.collector.parse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of the hostile-input tests, one JSON file per test class under {@code target/hostile-report/}, for
 * RELIABILITY.md. Each test adds its entry; the file is rewritten after every entry, so a failed test still leaves
 * the figures of the ones before it.
 */
public final class HostileReport {

    /** Where the files go, relative to the module (Surefire and Failsafe run in the module directory). */
    public static final Path DIRECTORY = Path.of("target", "hostile-report");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Map<String, Object> entries = new LinkedHashMap<>();

    /** A report written to {@code target/hostile-report/<name>.json}. */
    public HostileReport(String name) {
        this.file = DIRECTORY.resolve(name + ".json");
        entries.put("writtenAt", Instant.now().toString());
    }

    /** Adds (or replaces) the entry {@code key} and writes the file. */
    public synchronized void put(String key, Object value) {
        entries.put(key, value);
        try {
            Files.createDirectories(DIRECTORY);
            JSON.writeValue(file.toFile(), entries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** A per-class outcome: what was sent and what came of it. */
    public static Map<String, Object> outcome(String entryPoint, String input, String result, Object... counts) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("entryPoint", entryPoint);
        outcome.put("input", input);
        outcome.put("result", result);
        for (int i = 0; i + 1 < counts.length; i += 2) {
            outcome.put(String.valueOf(counts[i]), counts[i + 1]);
        }
        return outcome;
    }
}
