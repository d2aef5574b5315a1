package io.patchpulse.collector.parse.osquery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.windows.WindowsEvent;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import io.patchpulse.schemas.avro.InstallEvent;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rows of {@code windows_eventlog} (and of the evented {@code windows_events}, whose {@code source} is the channel):
 * each a Windows event, handed to {@link WindowsEventMapper}, the one mapping of Windows events; events it does not
 * read are skipped before their time or data are even looked at. {@code datetime} is the event's
 * {@code TimeCreated/@SystemTime}; the {@code time} column is when osquery read it and is not used. {@code data} is a
 * JSON string osquery builds from the event XML: {@code {"EventData": {...}}} with named values,
 * {@code {"EventData": [...]}} with positional ones (named here by {@link WindowsEventMapper#dataNames}),
 * {@code {"EventData": ""}} when empty, or {@code {"UserData": {"<element>": {...}}}}; a data object without those
 * keys is taken as the values themselves. osquery before 5.22 leaves {@code \xHH} byte escapes in it, which are not
 * JSON: they are decoded first ({@link OsqueryText}). osquery has no record id column, so the record id is absent.
 */
final class EventLogRows {

    private EventLogRows() {
    }

    static List<CollectedRecord> read(Row row) {
        Long eventIdNumber = row.integer("eventid");
        if (eventIdNumber == null) {
            throw new BadField(row.path("eventid"), "is required");
        }
        if (eventIdNumber < 0 || eventIdNumber > 0xFFFF) {
            throw new BadField(row.path("eventid"), "expected an event id 0-65535, got " + eventIdNumber);
        }
        int eventId = eventIdNumber.intValue();
        String providerName = row.nonBlankText("provider_name");
        String providerGuid = row.nonBlankText("provider_guid");
        if (providerName == null && providerGuid == null) {
            throw new BadField(row.path("provider_name"), "is required (or provider_guid)");
        }
        WindowsEventMapper.Provider provider = WindowsEventMapper.provider(providerName, providerGuid);
        if (!WindowsEventMapper.isRelevant(provider, eventId)) {
            return List.of();
        }
        Instant timeCreated = JsonFields.instant(row.get("datetime"), row.path("datetime"));
        if (timeCreated == null) {
            throw new BadField(row.path("datetime"), "is required");
        }
        EventData data = EventData.read(row, provider, eventId);
        WindowsEvent event = new WindowsEvent(providerName, providerGuid, eventId, timeCreated,
                row.nonBlankText("computer_name"), null, data.values());

        String deviceId = row.line().deviceId();
        Optional<InstallEvent> mapped;
        try {
            mapped = WindowsEventMapper.toInstallEvent(event, deviceId, InputFormat.OSQUERY.source(),
                    row.line().receivedAt());
        } catch (BadField e) {
            throw new BadField(data.path() + "." + e.field(), e.getMessage());
        }
        if (mapped.isEmpty()) {
            return List.of();
        }
        EventChecks.check(mapped.get(), row.line().receivedAt(), Map.of(
                "occurredAt", row.path("datetime"),
                "kb", data.path() + ".updateTitle",
                "deviceId", "$.hostIdentifier",
                "key", "$.hostIdentifier"));
        return List.of(new CollectedRecord.Event(mapped.get()));
    }

    /** The event data values by name, and the path they were found at (for problems). */
    private record EventData(String path, Map<String, String> values) {

        static EventData read(Row row, WindowsEventMapper.Provider provider, int eventId) {
            String path = row.path("data");
            JsonNode raw = row.get("data");
            if (raw == null || (raw.isTextual() && raw.asText().isBlank())) {
                return new EventData(path, Map.of());
            }
            JsonNode tree = raw;
            if (raw.isTextual()) {
                try {
                    tree = JsonItems.MAPPER.readTree(OsqueryText.decodeByteEscapesInJson(raw.asText()));
                } catch (JsonProcessingException e) {
                    throw new BadField(path, "not valid JSON: " + e.getOriginalMessage());
                }
            }
            if (tree == null || !tree.isObject()) {
                throw new BadField(path, "expected a JSON object such as {\"EventData\": {...}}, got "
                        + JsonFields.describe(tree));
            }
            JsonNode payload = tree;
            if (tree.has("EventData")) {
                payload = tree.get("EventData");
                path += ".EventData";
            } else if (tree.has("UserData")) {
                payload = tree.get("UserData");
                path += ".UserData";
                if (payload.isObject() && payload.size() == 1 && payload.elements().next().isObject()) {
                    String element = payload.fieldNames().next();
                    payload = payload.get(element);
                    path += "." + element;
                }
            }
            return new EventData(path, values(payload, path, WindowsEventMapper.dataNames(provider, eventId)));
        }

        private static Map<String, String> values(JsonNode payload, String path, List<String> positionalNames) {
            Map<String, String> values = new LinkedHashMap<>();
            if (payload.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    JsonNode value = field.getValue();
                    if (!value.isNull()) {
                        values.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
                    }
                }
            } else if (payload.isArray()) {
                for (int i = 0; i < Math.min(payload.size(), positionalNames.size()); i++) {
                    JsonNode value = payload.get(i);
                    if (value.isValueNode() && !value.isNull()) {
                        values.put(positionalNames.get(i), value.asText());
                    }
                }
            } else if (!(payload.isTextual() && payload.asText().isBlank()) && !payload.isNull()) {
                throw new BadField(path, "expected an object or an array of event data, got "
                        + JsonFields.describe(payload));
            }
            return values;
        }
    }
}
