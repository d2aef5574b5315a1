package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;

/**
 * What the device tracker learns about a device, in the order its task processes it: an admitted install event
 * (de-duplicated, not late; with the inventory that applies to it), or a new state of the device's merged inventory.
 * Lives only between processors of one task; never serialized.
 */
sealed interface DeviceObservation {

    /** Event time of the observation. */
    long at();

    /** The device state it carries, or null. */
    DeviceInventory inventory();

    /** An admitted install event and the inventory that applies to it (may be null). */
    record Event(InstallEvent event, DeviceInventory inventory) implements DeviceObservation {
        @Override
        public long at() {
            return event.getOccurredAt().toEpochMilli();
        }
    }

    /** A new merged inventory of the device. */
    record Inventory(DeviceInventory inventory) implements DeviceObservation {
        @Override
        public long at() {
            return inventory.getObservedAt().toEpochMilli();
        }
    }
}
