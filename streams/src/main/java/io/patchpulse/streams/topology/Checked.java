package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;

/**
 * An input record on its way through the topology: the bytes as received (kept for the dead-letter topic), and
 * either the decoded event or the reason it was refused. After enrichment it also carries the device's inventory.
 * Lives only between processors of one task; it is never serialized.
 */
public record Checked(byte[] original, InstallEvent event, DeviceInventory inventory, Rejection rejection) {

    static Checked accepted(byte[] original, InstallEvent event) {
        return new Checked(original, event, null, null);
    }

    static Checked rejected(byte[] original, Rejection rejection) {
        return new Checked(original, null, null, rejection);
    }

    /** This record with the inventory that applies: the snapshot it carries, else the device's latest one. */
    Checked enrichedWith(DeviceInventory latest) {
        DeviceInventory inline = event.getInventory();
        return new Checked(original, event, inline != null ? inline : latest, null);
    }

    Checked rejectedAs(Rejection why) {
        return new Checked(original, event, inventory, why);
    }

    boolean isRejected() {
        return rejection != null;
    }
}
