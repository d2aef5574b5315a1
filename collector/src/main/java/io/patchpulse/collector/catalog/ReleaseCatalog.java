package io.patchpulse.collector.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.values.KbId;
import io.patchpulse.schemas.values.WinreVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The release catalog ({@code deploy/catalog/releases.yaml}): the WinRE-related releases, each with its OS line,
 * release date, the WinRE version that counts as fixed where known, what it supersedes and the source of its facts.
 * Read whole and checked whole: every problem is reported (entry and field), and nothing is published from a
 * catalog that has one.
 */
public final class ReleaseCatalog {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ReleaseCatalog() {
    }

    /**
     * The releases in {@code file}.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException listing every problem, one per line, when the catalog is not valid
     */
    public static List<Release> read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** The releases in {@code yaml}; {@code name} names it in messages. */
    public static List<Release> parse(String yaml, String name) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": not valid YAML: " + e.getMessage());
        }
        JsonNode entries = root == null ? null : root.get("releases");
        if (entries == null || !entries.isArray()) {
            throw new IllegalArgumentException(name + ": expected a list under 'releases'");
        }
        List<String> problems = new ArrayList<>();
        List<Release> releases = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = "releases[" + i + "]";
            JsonNode entry = entries.get(i);
            if (!entry.isObject()) {
                problems.add(at + ": expected a mapping");
                continue;
            }
            int before = problems.size();
            String kb = kb(entry.get("kb"), at + ".kb", problems);
            String title = required(entry, "title", at, problems);
            String osLine = required(entry, "osLine", at, problems);
            LocalDate releasedOn = date(entry.get("releasedOn"), at + ".releasedOn", problems);
            String fixed = winreVersion(entry.get("fixedWinreVersion"), at + ".fixedWinreVersion", problems);
            List<String> supersedes = new ArrayList<>();
            JsonNode superseded = entry.get("supersedes");
            if (superseded != null && !superseded.isNull()) {
                if (!superseded.isArray()) {
                    problems.add(at + ".supersedes: expected a list of KB ids");
                } else {
                    for (int j = 0; j < superseded.size(); j++) {
                        String other = kb(superseded.get(j), at + ".supersedes[" + j + "]", problems);
                        if (other != null) {
                            supersedes.add(other);
                        }
                    }
                }
            }
            List<Integer> osBuilds = new ArrayList<>();
            JsonNode builds = entry.get("osBuilds");
            if (builds == null || !builds.isArray() || builds.isEmpty()) {
                problems.add(at + ".osBuilds: expected a list of OS build numbers such as [19044, 19045]");
            } else {
                for (int j = 0; j < builds.size(); j++) {
                    JsonNode build = builds.get(j);
                    if (build.canConvertToInt() && build.isIntegralNumber() && build.asInt() > 0) {
                        osBuilds.add(build.asInt());
                    } else {
                        problems.add(at + ".osBuilds[" + j + "]: expected a positive whole number, got " + build);
                    }
                }
            }
            List<String> sources = new ArrayList<>();
            JsonNode sourceList = entry.get("sources");
            if (sourceList != null && sourceList.isArray()) {
                sourceList.forEach(source -> {
                    if (source.isTextual() && !source.asText().isBlank()) {
                        sources.add(source.asText().strip());
                    }
                });
            }
            if (sources.isEmpty()) {
                problems.add(at + ".sources: every entry needs at least one source for its facts");
            }
            if (kb != null && !seen.add(kb)) {
                problems.add(at + ".kb: " + kb + " is listed twice");
            }
            if (problems.size() == before) {
                JsonNode notes = entry.get("notes");
                releases.add(Release.newBuilder()
                        .setKb(kb)
                        .setTitle(title)
                        .setOsLine(osLine)
                        .setOsBuilds(osBuilds)
                        .setReleasedOn(releasedOn)
                        .setFixedWinreVersion(fixed)
                        .setSupersedes(supersedes)
                        .setNotes(notes == null || notes.isNull() ? null : notes.asText().strip())
                        .setSources(sources)
                        .build());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name + " has " + problems.size() + " problem(s):\n  "
                    + String.join("\n  ", problems));
        }
        return releases;
    }

    private static String required(JsonNode entry, String field, String at, List<String> problems) {
        JsonNode node = entry.get(field);
        if (node == null || !node.isValueNode() || node.isNull() || node.asText().isBlank()) {
            problems.add(at + "." + field + ": is required");
            return null;
        }
        return node.asText().strip();
    }

    private static String kb(JsonNode node, String at, List<String> problems) {
        String text = node == null || node.isNull() ? "" : node.asText();
        return KbId.normalize(text).orElseGet(() -> {
            problems.add(at + ": '" + text + "' is not a KB id (KB + 6 or 7 digits)");
            return null;
        });
    }

    private static LocalDate date(JsonNode node, String at, List<String> problems) {
        if (node == null || node.isNull()) {
            problems.add(at + ": is required (YYYY-MM-DD)");
            return null;
        }
        try {
            return LocalDate.parse(node.asText().strip());
        } catch (DateTimeParseException e) {
            problems.add(at + ": '" + node.asText() + "' is not a date (YYYY-MM-DD)");
            return null;
        }
    }

    private static String winreVersion(JsonNode node, String at, List<String> problems) {
        if (node == null || node.isNull()) {
            return null; // not known
        }
        return WinreVersion.parse(node.asText().strip()).map(Object::toString).orElseGet(() -> {
            problems.add(at + ": '" + node.asText() + "' is not a WinRE version such as 10.0.19041.3920");
            return null;
        });
    }
}
