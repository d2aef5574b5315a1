package io.patchpulse.collector.parse.winlogbeat;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.collector.parse.windows.WindowsEvent;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Windows event inside one Winlogbeat / Elastic Agent document, and the JSON path each data value came from
 * (for messages about bad values).
 */
record WinlogbeatDocument(WindowsEvent event, Map<String, String> dataPaths) {

    /** Key Winlogbeat adds to {@code user_data}: the name of the XML element the values came from, not a value. */
    private static final String XML_NAME = "xml_name";
    /** Levels of {@code user_data} read: real documents nest one or two; documents from Kafka have no depth limit. */
    private static final int USER_DATA_DEPTH = 8;

    /**
     * The event of {@code document}, or empty when it is not about update installs (another provider or event id).
     * Fields are checked only once the event is known to matter, so an unusual document of another provider is
     * skipped, not rejected.
     *
     * @throws BadField naming the JSON path of the first unusable field
     */
    static Optional<WinlogbeatDocument> read(JsonNode document) {
        JsonNode root = JsonFields.object(document, "$");
        JsonNode winlog = JsonFields.child(root, "winlog");
        if (winlog == null) {
            throw new BadField("$.winlog", "is required: not a Winlogbeat or Elastic Agent event log document");
        }
        JsonFields.object(winlog, "$.winlog");
        JsonNode ecsEvent = JsonFields.child(root, "event");

        String providerName = JsonFields.text(JsonFields.child(winlog, "provider_name"), "$.winlog.provider_name");
        if (isBlank(providerName)) {
            providerName = JsonFields.text(JsonFields.child(ecsEvent, "provider"), "$.event.provider");
        }
        String providerGuid = JsonFields.text(JsonFields.child(winlog, "provider_guid"), "$.winlog.provider_guid");
        if (isBlank(providerName) && isBlank(providerGuid)) {
            throw new BadField("$.winlog.provider_name", "is required (or winlog.provider_guid)");
        }
        WindowsEventMapper.Provider provider = WindowsEventMapper.provider(providerName, providerGuid);
        if (provider == WindowsEventMapper.Provider.OTHER) {
            return Optional.empty();
        }

        // 7.x writes numbers, 8.x strings; int32 reads both.
        Integer eventId = JsonFields.int32(JsonFields.child(winlog, "event_id"), "$.winlog.event_id");
        if (eventId == null) {
            eventId = JsonFields.int32(JsonFields.child(ecsEvent, "code"), "$.event.code");
        }
        if (eventId == null) {
            throw new BadField("$.winlog.event_id", "is required (or event.code)");
        }
        if (!WindowsEventMapper.isRelevant(provider, eventId)) {
            return Optional.empty();
        }

        Instant time = JsonFields.instant(JsonFields.child(root, "@timestamp"), "$.@timestamp");
        if (time == null) {
            time = JsonFields.instant(JsonFields.child(winlog, "time_created"), "$.winlog.time_created");
        }
        if (time == null) {
            throw new BadField("$.@timestamp", "is required (or winlog.time_created)");
        }
        String computer = computer(root, winlog);
        Long recordId = JsonFields.integer(JsonFields.child(winlog, "record_id"), "$.winlog.record_id");

        Map<String, String> data = new LinkedHashMap<>();
        Map<String, String> paths = new LinkedHashMap<>();
        JsonNode eventData = JsonFields.child(winlog, "event_data");
        if (eventData != null) {
            leaves(JsonFields.object(eventData, "$.winlog.event_data"), "$.winlog.event_data", 1, data, paths);
        }
        JsonNode userData = JsonFields.child(winlog, "user_data");
        if (userData != null) {
            leaves(JsonFields.object(userData, "$.winlog.user_data"), "$.winlog.user_data", USER_DATA_DEPTH, data,
                    paths);
        }
        nameParams(provider, eventId, data, paths);
        return Optional.of(new WinlogbeatDocument(new WindowsEvent(blankToNull(providerName),
                blankToNull(providerGuid), eventId, time, computer, recordId, data), Map.copyOf(paths)));
    }

    /** {@code winlog.computer_name}, else {@code host.hostname}, else {@code host.name}. */
    private static String computer(JsonNode root, JsonNode winlog) {
        String name = JsonFields.text(JsonFields.child(winlog, "computer_name"), "$.winlog.computer_name");
        JsonNode host = JsonFields.child(root, "host");
        if (isBlank(name)) {
            name = JsonFields.text(JsonFields.child(host, "hostname"), "$.host.hostname");
        }
        if (isBlank(name)) {
            name = JsonFields.text(JsonFields.child(host, "name"), "$.host.name");
        }
        if (isBlank(name)) {
            throw new BadField("$.winlog.computer_name", "is required (or host.hostname, host.name): it names the device");
        }
        return name.strip();
    }

    /**
     * The scalar values of {@code node} by key, first one wins; nested objects are descended into up to
     * {@code depth} levels (user data nests, event data does not). Arrays and nulls carry nothing PatchPulse reads.
     */
    private static void leaves(JsonNode node, String path, int depth, Map<String, String> data,
                               Map<String, String> paths) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            String childPath = path + "." + key;
            if (value.isObject() && depth > 1) {
                leaves(value, childPath, depth - 1, data, paths);
            } else if (value.isValueNode() && !value.isNull() && !key.equals(XML_NAME) && !data.containsKey(key)) {
                data.put(key, value.asText());
                paths.put(key, childPath);
            }
        }
    }

    /** Winlogbeat names values without a manifest name {@code param1}, {@code param2}...: name them by position. */
    private static void nameParams(WindowsEventMapper.Provider provider, int eventId, Map<String, String> data,
                                   Map<String, String> paths) {
        List<String> names = WindowsEventMapper.dataNames(provider, eventId);
        for (int i = 0; i < names.size(); i++) {
            String param = "param" + (i + 1);
            if (data.containsKey(param) && !data.containsKey(names.get(i))) {
                data.put(names.get(i), data.get(param));
                paths.put(names.get(i), paths.get(param));
            }
        }
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    private static String blankToNull(String text) {
        return isBlank(text) ? null : text.strip();
    }
}
