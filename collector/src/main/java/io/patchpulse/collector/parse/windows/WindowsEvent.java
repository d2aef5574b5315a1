package io.patchpulse.collector.parse.windows;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One Windows event log entry, whatever carried it (event XML, Winlogbeat, osquery's {@code windows_eventlog},
 * {@code Get-WinEvent | ConvertTo-Json}): provider (name and/or GUID), event id, time created on the device, the
 * computer name, the record id in its channel, and the event data by name.
 *
 * <p>Formats that carry only positional values ({@code Get-WinEvent}'s {@code Properties}) name them with
 * {@link WindowsEventMapper#dataNames}.
 */
public record WindowsEvent(String providerName, String providerGuid, int eventId, Instant timeCreated,
                           String computer, Long recordId, Map<String, String> data) {

    /** Time and data are required; provider name or GUID must be given. */
    public WindowsEvent {
        Objects.requireNonNull(timeCreated, "timeCreated");
        data = Map.copyOf(data);
        if ((providerName == null || providerName.isBlank()) && (providerGuid == null || providerGuid.isBlank())) {
            throw new IllegalArgumentException("a provider name or GUID is required");
        }
    }

    /** The data value called {@code name}, matched case-insensitively (senders differ: Errorcode / ErrorCode). */
    public String datum(String name) {
        String exact = data.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> entry : data.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return null;
    }
}
