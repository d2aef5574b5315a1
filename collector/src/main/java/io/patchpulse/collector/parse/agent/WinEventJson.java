package io.patchpulse.collector.parse.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.collector.parse.windows.WindowsEvent;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import io.patchpulse.collector.parse.windows.WindowsEventMapper.Provider;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.validate.EventValidator;
import io.patchpulse.schemas.validate.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code Get-WinEvent} objects as Windows PowerShell 5.1's {@code ConvertTo-Json} writes them ({@code Id},
 * {@code ProviderName}, {@code ProviderId}, {@code RecordId}, {@code TimeCreated} as {@code \/Date(ms)\/},
 * {@code MachineName}, {@code Message}, {@code Properties} as {@code [{"Value": ...}, ...]}) turned into install events
 * through {@link WindowsEventMapper}; the positional {@code Properties} are named with
 * {@link WindowsEventMapper#dataNames}. Events of other providers or ids are left out.
 *
 * <p>Written with too small a {@code -Depth}, each property becomes the string
 * {@code "System.Diagnostics.Eventing.Reader.EventProperty"}; then the data is taken from the (localized)
 * {@code Message} by structure: the first {@code 0x........} is the error code and the text after the last
 * {@code ": "} is the update title when it holds a KB number. The device is the report's host, never
 * {@code MachineName}.
 */
final class WinEventJson {

    private static final Pattern HRESULT = Pattern.compile("0x[0-9A-Fa-f]{8}");
    private static final Pattern KB = Pattern.compile("KB\\s?\\d{6,7}", Pattern.CASE_INSENSITIVE);

    private WinEventJson() {
    }

    /**
     * The install events among {@code events} (the value at {@code path}: an array, or the one object PowerShell
     * writes for a single event).
     *
     * @throws BadField naming the JSON path when a relevant event is unusable or breaks a pipeline rule
     */
    static List<InstallEvent> read(JsonNode events, String path, String deviceId, Instant receivedAt) {
        List<InstallEvent> out = new ArrayList<>();
        List<JsonNode> items = JsonFields.list(events);
        for (int i = 0; i < items.size(); i++) {
            String at = events.isArray() ? path + "[" + i + "]" : path;
            readOne(items.get(i), at, deviceId, receivedAt).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<InstallEvent> readOne(JsonNode node, String path, String deviceId, Instant receivedAt) {
        JsonFields.object(node, path);
        Integer id = JsonFields.int32(JsonFields.child(node, "Id"), path + ".Id");
        if (id == null) {
            throw new BadField(path + ".Id", "is required");
        }
        String providerName = JsonFields.text(JsonFields.child(node, "ProviderName"), path + ".ProviderName");
        String providerId = guid(JsonFields.child(node, "ProviderId"), path + ".ProviderId");
        Provider provider = WindowsEventMapper.provider(providerName, providerId);
        if (!WindowsEventMapper.isRelevant(provider, id)) {
            return Optional.empty();
        }
        Instant time = DeviceReportParser.instant(JsonFields.child(node, "TimeCreated"), path + ".TimeCreated");
        if (time == null) {
            throw new BadField(path + ".TimeCreated", "is required");
        }
        Long recordId = JsonFields.integer(JsonFields.child(node, "RecordId"), path + ".RecordId");
        List<String> names = WindowsEventMapper.dataNames(provider, id);
        Map<String, String> data = new HashMap<>();
        Map<String, String> pathOf = new HashMap<>();
        JsonNode properties = JsonFields.child(node, "Properties");
        boolean readable = properties != null;
        List<JsonNode> values = JsonFields.list(properties);
        for (int j = 0; j < values.size() && j < names.size() && readable; j++) {
            JsonNode value = values.get(j);
            String at = (properties.isArray() ? path + ".Properties[" + j + "]" : path + ".Properties");
            if (value.isObject()) {
                at += ".Value";
                value = JsonFields.child(value, "Value");
                if (value != null && value.isObject() && value.has("Guid")) {
                    at += ".Guid"; // a GUID some PowerShell versions write as {"Guid": "..."}
                    value = JsonFields.child(value, "Guid");
                }
            } else if (value.isTextual() && value.asText().startsWith("System.Diagnostics.Eventing.Reader.")) {
                readable = false; // ConvertTo-Json -Depth too low: only the type name is left
                break;
            }
            String text = JsonFields.text(value, at);
            if (text != null) {
                data.put(names.get(j), text);
            }
            pathOf.put(names.get(j), at);
        }
        if (!readable && provider == Provider.WINRE_AGENT && !names.isEmpty()) {
            // Version, ErrorPhase and Errorcode are the evidence of these events; without them they would count
            // as servicing results with nothing known about them.
            throw new BadField(path + ".Properties", "the event's values were not exported (only type names): "
                    + "convert it with ConvertTo-Json -Depth 4 or more");
        }
        if (!readable) {
            data.clear();
            fromMessage(JsonFields.text(JsonFields.child(node, "Message"), path + ".Message"), provider, data);
            names.forEach(name -> pathOf.put(name, path + ".Message"));
        }
        WindowsEvent event = new WindowsEvent(providerName, providerId, id, time, null, recordId, data);
        InstallEvent install;
        try {
            Optional<InstallEvent> mapped = WindowsEventMapper.toInstallEvent(event, deviceId,
                    InputFormat.DEVICE_REPORT.source(), receivedAt);
            if (mapped.isEmpty()) {
                return Optional.empty();
            }
            install = mapped.get();
        } catch (BadField e) {
            throw new BadField(pathOf.getOrDefault(e.field(), path + ".Properties"), e.getMessage());
        }
        Optional<Violation> violation = EventValidator.check(deviceId, install, receivedAt);
        if (violation.isPresent()) {
            String field = violation.get().field();
            throw new BadField(field.equals("occurredAt") ? path + ".TimeCreated" : path, violation.get().detail());
        }
        return Optional.of(install);
    }

    /** Error code and update title from a localized message, by structure. */
    private static void fromMessage(String message, Provider provider, Map<String, String> data) {
        if (message == null || provider != Provider.WINDOWS_UPDATE_CLIENT) {
            return;
        }
        Matcher code = HRESULT.matcher(message);
        if (code.find()) {
            data.put("errorCode", code.group());
        }
        int colon = message.lastIndexOf(": ");
        String tail = colon < 0 ? message : message.substring(colon + 2);
        if (KB.matcher(tail).find()) {
            String title = tail.strip();
            data.put("updateTitle", title.endsWith(".") ? title.substring(0, title.length() - 1) : title);
        }
    }

    /** A GUID written as a string (PowerShell 5.1) or as an object with a {@code Guid} member. */
    private static String guid(JsonNode node, String path) {
        if (node != null && node.isObject()) {
            return JsonFields.text(JsonFields.child(node, "Guid"), path + ".Guid");
        }
        return JsonFields.text(node, path);
    }
}
