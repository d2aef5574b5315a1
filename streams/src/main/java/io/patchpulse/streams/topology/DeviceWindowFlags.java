package io.patchpulse.streams.topology;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one device has done in one window and cohort: whether it succeeded, the error codes of its failures, and
 * apart from those the error codes and number of the failures it reported while a reboot was pending (they may yet
 * turn out false, DOMAIN.md rule 5). This is what turns attempts into distinct-device counts (rule 3). Stored as a
 * short string, {@code "FS|0x80070643,0x8024200B|0x80070643|2"} (older two-part values read as no pending failures).
 *
 * @param errors        errors of failures without a pending reboot
 * @param pendingErrors errors of failures reported while a reboot was pending, not (yet) known to be false
 * @param pendingCount  how many such failures
 */
record DeviceWindowFlags(boolean succeeded, SortedSet<String> errors, SortedSet<String> pendingErrors,
                         int pendingCount) {

    static final DeviceWindowFlags NONE = new DeviceWindowFlags(false, Collections.emptySortedSet(),
            Collections.emptySortedSet(), 0);

    /** The device failed in the window, for real or (as far as known) while a reboot was pending. */
    boolean failed() {
        return !errors.isEmpty() || pendingCount > 0;
    }

    /** It failed with {@code error} in the window. */
    boolean failedWith(String error) {
        return errors.contains(error) || pendingErrors.contains(error);
    }

    DeviceWindowFlags withFailure(String error, boolean rebootPending) {
        if (rebootPending) {
            return new DeviceWindowFlags(succeeded, errors, plus(pendingErrors, error), pendingCount + 1);
        }
        return new DeviceWindowFlags(succeeded, plus(errors, error), pendingErrors, pendingCount);
    }

    DeviceWindowFlags withSuccess() {
        return new DeviceWindowFlags(true, errors, pendingErrors, pendingCount);
    }

    /** The flags once its reboot-pending failures are known to be false: they no longer count. */
    DeviceWindowFlags withoutPending() {
        return new DeviceWindowFlags(succeeded, errors, Collections.emptySortedSet(), 0);
    }

    String encode() {
        return (failed() ? "F" : "-") + (succeeded ? "S" : "-") + "|" + String.join(",", errors) + "|"
                + String.join(",", pendingErrors) + "|" + pendingCount;
    }

    static DeviceWindowFlags decode(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split("\\|", -1);
        SortedSet<String> errors = list(parts.length > 1 ? parts[1] : "");
        SortedSet<String> pending = list(parts.length > 2 ? parts[2] : "");
        int pendingCount = parts.length > 3 ? Integer.parseInt(parts[3]) : 0;
        return new DeviceWindowFlags(text.charAt(1) == 'S', errors, pending, pendingCount);
    }

    private static SortedSet<String> list(String joined) {
        SortedSet<String> values = new TreeSet<>();
        if (!joined.isEmpty()) {
            Collections.addAll(values, joined.split(","));
        }
        return Collections.unmodifiableSortedSet(values);
    }

    private static SortedSet<String> plus(SortedSet<String> values, String value) {
        SortedSet<String> more = new TreeSet<>(values);
        more.add(value);
        return Collections.unmodifiableSortedSet(more);
    }
}
