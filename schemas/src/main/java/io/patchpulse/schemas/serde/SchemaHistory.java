package io.patchpulse.schemas.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * Every released version of every PatchPulse schema, kept as frozen, self-contained {@code .avsc} files under
 * {@code schemas/src/main/resources/io/patchpulse/schemas/history/} and listed in its {@code index.txt}.
 *
 * <p>Readers register all of them, so a record written by any released version is resolved by its fingerprint
 * (Avro single-object encoding) without a registry server; the compatibility test checks the current schemas
 * against all of them.
 */
public final class SchemaHistory {

    private static final String ROOT = "/io/patchpulse/schemas/history/";
    private static final SchemaHistory INSTANCE = load();

    private final Map<String, List<Schema>> versionsByName;

    private SchemaHistory(Map<String, List<Schema>> versionsByName) {
        this.versionsByName = versionsByName;
    }

    /** The history shipped with this build. */
    public static SchemaHistory get() {
        return INSTANCE;
    }

    /** Released versions of the record with this full name, oldest first; empty when none was released. */
    public List<Schema> versionsOf(String fullName) {
        return versionsByName.getOrDefault(fullName, List.of());
    }

    /** All full names that have released versions. */
    public List<String> names() {
        return List.copyOf(versionsByName.keySet());
    }

    private static SchemaHistory load() {
        Map<String, List<Schema>> byName = new TreeMap<>();
        for (String file : indexEntries()) {
            Schema schema = parse(file);
            byName.computeIfAbsent(schema.getFullName(), name -> new ArrayList<>()).add(schema);
        }
        return new SchemaHistory(byName.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, entry -> List.copyOf(entry.getValue()))));
    }

    private static List<String> indexEntries() {
        try (InputStream in = open("index.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the schema history index", e);
        }
    }

    private static Schema parse(String file) {
        try (InputStream in = open(file)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read historical schema " + file, e);
        }
    }

    private static InputStream open(String file) {
        InputStream in = SchemaHistory.class.getResourceAsStream(ROOT + file);
        if (in == null) {
            throw new IllegalStateException("schema history file missing from the classpath: " + ROOT + file);
        }
        return in;
    }
}
