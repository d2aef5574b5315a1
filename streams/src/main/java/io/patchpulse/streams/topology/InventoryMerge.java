package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.DeviceInventory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device's inventory built from partial reports: sources see different parts of a device (osquery's
 * {@code bitlocker_info} knows BitLocker and nothing of the recovery partition; the agent knows everything), so a
 * report replaces only the sections it carries ({@code os}, {@code recovery}, {@code winre}, {@code bitlocker},
 * {@code scriptPatched}) and keeps the others. Tags are merged, the newer value winning. {@code observedAt} is the
 * latest of both.
 */
final class InventoryMerge {

    private InventoryMerge() {
    }

    /** {@code current} updated by {@code update}; either may be null. */
    static DeviceInventory merge(DeviceInventory current, DeviceInventory update) {
        if (current == null) {
            return update;
        }
        if (update == null) {
            return current;
        }
        Map<String, String> tags = new LinkedHashMap<>(current.getTags());
        tags.putAll(update.getTags());
        Instant observed = update.getObservedAt().isAfter(current.getObservedAt())
                ? update.getObservedAt() : current.getObservedAt();
        return DeviceInventory.newBuilder(update)
                .setObservedAt(observed)
                .setOs(update.getOs() != null ? update.getOs() : current.getOs())
                .setRecovery(update.getRecovery() != null ? update.getRecovery() : current.getRecovery())
                .setWinre(update.getWinre() != null ? update.getWinre() : current.getWinre())
                .setBitlocker(update.getBitlocker() != null ? update.getBitlocker() : current.getBitlocker())
                .setScriptPatched(update.getScriptPatched() != null ? update.getScriptPatched()
                        : current.getScriptPatched())
                .setTags(tags)
                .build();
    }
}
