package io.patchpulse.streams.topology;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one device has done in one window and cohort: whether it failed, whether it succeeded, and the error codes
 * it failed with. This is what turns attempts into distinct-device counts (DOMAIN.md rule 3). Stored as a short
 * string, {@code "F S|0x80070643,0x8024200B"}.
 */
record DeviceWindowFlags(boolean failed, boolean succeeded, SortedSet<String> errors) {

    static final DeviceWindowFlags NONE = new DeviceWindowFlags(false, false, Collections.emptySortedSet());

    DeviceWindowFlags withFailure(String error) {
        SortedSet<String> more = new TreeSet<>(errors);
        more.add(error);
        return new DeviceWindowFlags(true, succeeded, Collections.unmodifiableSortedSet(more));
    }

    DeviceWindowFlags withSuccess() {
        return new DeviceWindowFlags(failed, true, errors);
    }

    String encode() {
        return (failed ? "F" : "-") + (succeeded ? "S" : "-") + "|" + String.join(",", errors);
    }

    static DeviceWindowFlags decode(String text) {
        if (text == null) {
            return null;
        }
        int bar = text.indexOf('|');
        SortedSet<String> errors = new TreeSet<>();
        if (bar + 1 < text.length()) {
            Collections.addAll(errors, text.substring(bar + 1).split(","));
        }
        return new DeviceWindowFlags(text.charAt(0) == 'F', text.charAt(1) == 'S',
                Collections.unmodifiableSortedSet(errors));
    }
}
