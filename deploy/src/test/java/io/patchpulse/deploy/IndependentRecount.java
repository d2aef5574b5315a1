package io.patchpulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Recounts an {@code --events-out} file by hour and cohort with nothing but Jackson and the rules of
 * ARCHITECTURE.md, written out again here on purpose: it shares no code with the pipeline, so a bug in the
 * pipeline's bucketing or counting cannot hide by being repeated in the check.
 */
final class IndependentRecount {

    private static final long HOUR_MS = 3_600_000L;
    private static final long MIB = 1_048_576L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counts of one hour and cohort. */
    static final class Counts {
        long attempts;
        long failures;
        final Set<String> attempted = new HashSet<>();
        final Set<String> failed = new HashSet<>();
        final Set<String> succeeded = new HashSet<>();
        final Map<String, Set<String>> failedByError = new TreeMap<>();

        /** The row as the store should hold it: attempts, failures, devices attempted, failed, succeeded. */
        long[] row() {
            return new long[] {attempts, failures, attempted.size(), failed.size(), succeeded.size()};
        }
    }

    private final Map<String, Counts> byKey = new TreeMap<>();
    private long results;

    /** Reads every line of {@code files} whose topic ends with {@code install-events}; replays count once. */
    static IndependentRecount of(Path... files) throws IOException {
        IndependentRecount recount = new IndependentRecount();
        Set<String> seenEventIds = new HashSet<>();
        for (Path file : files) {
            recount.read(file, seenEventIds);
        }
        return recount;
    }

    private void read(Path file, Set<String> seenEventIds) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode record = JSON.readTree(line);
                if (!record.get("topic").asText().endsWith("install-events")) {
                    continue;
                }
                JsonNode event = record.get("value");
                String outcome = event.get("outcome").asText();
                if (!outcome.equals("FAILED") && !outcome.equals("SUCCEEDED")) {
                    continue;
                }
                // Event ids are unique per device, so a replay is the same device and event id.
                if (!seenEventIds.add(event.get("deviceId").asText() + "|" + event.get("eventId").asText())) {
                    continue;
                }
                add(event, outcome.equals("FAILED"));
            }
        }
    }

    private void add(JsonNode event, boolean failed) {
        long occurred = event.get("occurredAt").asLong();
        long hour = occurred - Math.floorMod(occurred, HOUR_MS);
        JsonNode inventory = event.get("inventory");
        String key = hour + "|" + text(event.get("kb"), "unknown") + "|" + sizeBucket(inventory) + "|"
                + freeBucket(inventory) + "|" + bitlocker(inventory);
        Counts counts = byKey.computeIfAbsent(key, k -> new Counts());
        String device = event.get("deviceId").asText();
        results++;
        counts.attempts++;
        counts.attempted.add(device);
        if (failed) {
            counts.failures++;
            counts.failed.add(device);
            String error = text(event.get("errorCode"), null);
            if (error == null) {
                error = event.get("rawErrorCode").isNull() ? "unknown" : "raw:" + event.get("rawErrorCode").asText();
            }
            counts.failedByError.computeIfAbsent(error, e -> new HashSet<>()).add(device);
        } else {
            counts.succeeded.add(device);
        }
    }

    /** Key {@code windowStartMillis|kb|size|free|bitlocker} to counts. */
    Map<String, Counts> byKey() {
        return byKey;
    }

    /**
     * Each hour and cohort's row as the store should hold it (attempts, failures, devices attempted, failed,
     * succeeded), keyed like {@link #byKey()}, in key order.
     */
    Map<String, List<Long>> rows() {
        Map<String, List<Long>> rows = new TreeMap<>();
        byKey.forEach((key, counts) -> rows.put(key, Arrays.stream(counts.row()).boxed().toList()));
        return rows;
    }

    /** Key {@code windowStartMillis|kb|error|size|free|bitlocker} to distinct devices failed. */
    Map<String, Long> failedByError() {
        Map<String, Long> out = new HashMap<>();
        byKey.forEach((key, counts) -> counts.failedByError.forEach((error, devices) -> {
            String[] p = key.split("\\|");
            out.put(p[0] + "|" + p[1] + "|" + error + "|" + p[2] + "|" + p[3] + "|" + p[4], (long) devices.size());
        }));
        return out;
    }

    long results() {
        return results;
    }

    private static String sizeBucket(JsonNode inventory) {
        JsonNode size = path(inventory, "recovery", "partitionSizeBytes");
        if (size == null) {
            return "unknown";
        }
        long mib = size.asLong();
        if (mib < 500 * MIB) {
            return "<500MB";
        }
        if (mib < 750 * MIB) {
            return "500-750MB";
        }
        return mib < 1024 * MIB ? "750MB-1GB" : ">=1GB";
    }

    private static String freeBucket(JsonNode inventory) {
        JsonNode free = path(inventory, "recovery", "freeBytes");
        if (free == null) {
            return "unknown";
        }
        return free.asLong() < 250 * MIB ? "<250MB" : ">=250MB";
    }

    private static String bitlocker(JsonNode inventory) {
        JsonNode bitlocker = path(inventory, "bitlocker");
        if (bitlocker == null) {
            return "unknown";
        }
        String volume = bitlocker.get("volumeStatus").asText();
        String protection = bitlocker.get("protection").asText();
        String protector = bitlocker.get("protectorClass").asText();
        if (volume.endsWith("_IN_PROGRESS") || volume.endsWith("_PAUSED")) {
            return "converting";
        }
        if (protection.equals("ON")) {
            return protector.equals("TPM_PREBOOT") || protector.equals("PASSWORD") ? "on-preboot" : "on-tpm";
        }
        if (protection.equals("OFF") && volume.equals("FULLY_ENCRYPTED")) {
            return "suspended";
        }
        return volume.equals("FULLY_DECRYPTED") ? "off" : "unknown";
    }

    private static JsonNode path(JsonNode node, String... names) {
        JsonNode current = node;
        for (String name : names) {
            if (current == null || current.isNull()) {
                return null;
            }
            current = current.get(name);
        }
        return current == null || current.isNull() ? null : current;
    }

    private static String text(JsonNode node, String fallback) {
        return node == null || node.isNull() ? fallback : node.asText();
    }
}
