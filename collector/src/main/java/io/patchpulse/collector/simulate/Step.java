package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.Outcome;

/**
 * One planned record of a device, compact (the Avro objects are built only when the record is read).
 *
 * @param sequence   position in the device's history (occurrence order), part of the event id
 * @param outcome    the event's outcome, null for an inventory record
 * @param hresult    the error of a FAILED event, 0 otherwise
 * @param stateIndex the device state at that moment, an index into {@link DeviceTimeline#states()}
 */
record Step(int sequence, long occurredAt, long receivedAt, Outcome outcome, int hresult, int stateIndex) {

    boolean isInventory() {
        return outcome == null;
    }
}
