package io.patchpulse.collector.parse;

import io.patchpulse.collector.identity.DeviceIds;
import java.time.Instant;
import java.util.Objects;

/**
 * What a parser needs besides the input: how host names become device ids, the time the input was received
 * (becomes {@code receivedAt}), and a name for the input used in messages (a file name or {@code HTTP}).
 */
public record ParseContext(DeviceIds deviceIds, Instant receivedAt, String inputName) {

    /** All components are required. */
    public ParseContext {
        Objects.requireNonNull(deviceIds, "deviceIds");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(inputName, "inputName");
    }
}
