package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.Outcome;

/**
 * One planned record of a device, compact (the Avro objects are built only when the record is read).
 *
 * @param sequence        position in the device's history (occurrence order), part of the event id
 * @param outcome         the event's outcome, null for an inventory record
 * @param hresult         the error of a FAILED or WINRE_SERVICING_FAILED event, 0 otherwise
 * @param stateIndex      the device state at that moment, an index into {@link DeviceTimeline#states()}
 * @param update          the update an event is about; null for an inventory, or for the line's January 2024 update
 * @param rebootPending   another update was waiting for a restart when this install result was reported
 * @param winreErrorPhase ErrorPhase of a WinREAgent 4502 (WINRE_SERVICING_FAILED), 0 otherwise
 */
record Step(int sequence, long occurredAt, long receivedAt, Outcome outcome, int hresult, int stateIndex,
            WinreUpdate update, boolean rebootPending, int winreErrorPhase) {

    /** A step of the line's January 2024 update, with no reboot pending and no WinREAgent error phase. */
    Step(int sequence, long occurredAt, long receivedAt, Outcome outcome, int hresult, int stateIndex) {
        this(sequence, occurredAt, receivedAt, outcome, hresult, stateIndex, null, false, 0);
    }

    boolean isInventory() {
        return outcome == null;
    }

    /** FAILED or SUCCEEDED: a Windows Update install result (events 20 and 19). */
    boolean isResult() {
        return outcome == Outcome.FAILED || outcome == Outcome.SUCCEEDED;
    }

    /** The update this step is about on {@code os}. */
    WinreUpdate updateOn(OsLine os) {
        return update != null ? update : os.january();
    }

    /** The same step, received at {@code newReceivedAt}. */
    Step withReceivedAt(long newReceivedAt) {
        return new Step(sequence, occurredAt, newReceivedAt, outcome, hresult, stateIndex, update, rebootPending,
                winreErrorPhase);
    }
}
