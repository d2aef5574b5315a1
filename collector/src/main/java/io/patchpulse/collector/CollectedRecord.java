package io.patchpulse.collector;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record the collector hands to Kafka, from the fleet simulator or a parsed input: a device-inventory snapshot
 * or an install event. The wrapped Avro objects are fresh for every record (the generated classes are mutable; nothing is shared between records).
 */
public sealed interface CollectedRecord permits CollectedRecord.Inventory, CollectedRecord.Event {

    /** Pseudonymous id of the device, the Kafka key. */
    String deviceId();

    /** When it happened on the device: {@code observedAt} of an inventory, {@code occurredAt} of an event. */
    Instant timestamp();

    /** When the collector received it (a simulation is ordered by this). */
    Instant receivedAt();

    /** The Avro record itself. */
    SpecificRecord value();

    /** A device-inventory snapshot, sent to {@code device-inventory}. */
    record Inventory(DeviceInventory inventory, Instant receivedAt) implements CollectedRecord {

        /** Both components are required. */
        public Inventory {
            Objects.requireNonNull(inventory, "inventory");
            Objects.requireNonNull(receivedAt, "receivedAt");
        }

        @Override
        public String deviceId() {
            return inventory.getDeviceId();
        }

        @Override
        public Instant timestamp() {
            return inventory.getObservedAt();
        }

        @Override
        public SpecificRecord value() {
            return inventory;
        }
    }

    /** An install event, sent to {@code install-events}. */
    record Event(InstallEvent event) implements CollectedRecord {

        /** The event is required. */
        public Event {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public String deviceId() {
            return event.getDeviceId();
        }

        @Override
        public Instant timestamp() {
            return event.getOccurredAt();
        }

        @Override
        public Instant receivedAt() {
            return event.getReceivedAt();
        }

        @Override
        public SpecificRecord value() {
            return event;
        }
    }
}
