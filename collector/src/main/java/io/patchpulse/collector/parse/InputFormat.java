package io.patchpulse.collector.parse;

import io.patchpulse.schemas.avro.EventSource;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The input formats the collector reads, by the name used in URLs ({@code /v1/ingest/{name}}) and on the CLI. */
public enum InputFormat {
    /** Canonical JSON of {@code InstallEvent} / {@code DeviceInventory}, one object or NDJSON. */
    EVENTS("events", EventSource.OTHER),
    /** The endpoint agent's {@code patchpulse.device-report/1}, one object or NDJSON. */
    DEVICE_REPORT("device-report", EventSource.AGENT),
    /** osquery result logs: event format with {@code columns}, snapshot format, batched {@code diffResults}. */
    OSQUERY("osquery", EventSource.OSQUERY),
    /** Winlogbeat 7 and 8 / Elastic Agent ECS documents, NDJSON. */
    WINLOGBEAT("winlogbeat", EventSource.WINLOGBEAT),
    /** {@code wevtutil qe /f:xml} output: one or many {@code <Event>} elements. */
    EVENTLOG_XML("eventlog-xml", EventSource.EVENTLOG_XML),
    /** Windows Update for Business report exports ({@code UCClientUpdateStatus}, {@code UCUpdateAlert}), CSV or JSON. */
    WUFB("wufb", EventSource.WUFB);

    private final String id;
    private final EventSource source;

    InputFormat(String id, EventSource source) {
        this.id = id;
        this.source = source;
    }

    /** The name in URLs and on the CLI, for example {@code eventlog-xml}. */
    public String id() {
        return id;
    }

    /** The {@code source} its events carry (canonical events keep their own). */
    public EventSource source() {
        return source;
    }

    /**
     * The format called {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the known formats when there is none by that name
     */
    public static InputFormat of(String name) {
        String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.id.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown format '" + name + "'; known formats: "
                        + Arrays.stream(values()).map(InputFormat::id).collect(Collectors.joining(", "))));
    }

    @Override
    public String toString() {
        return id;
    }
}
