package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.Outcome;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts of one simulation, known before any record is built (for progress totals, logs and reports).
 *
 * @param devices                    simulated devices
 * @param records                    all records (inventories and events)
 * @param inventories                device-inventory records
 * @param events                     install events
 * @param eventsByOutcome            install events per outcome (every outcome present, zero when none)
 * @param devicesFailed              distinct devices with at least one FAILED event
 * @param devicesFailedInstall       distinct devices with at least one 0x80070643 failure
 * @param devicesSucceeded           distinct devices with a SUCCEEDED event
 * @param devicesRemediated          distinct devices remediated (partition grown or KB5034957 script applied)
 * @param backlogRecords             records received more than an hour after they happened
 */
public record SimulationSummary(int devices, long records, long inventories, long events,
                                Map<Outcome, Long> eventsByOutcome, long devicesFailed, long devicesFailedInstall,
                                long devicesSucceeded, long devicesRemediated, long backlogRecords) {

    /** Copies the map into an unmodifiable one in enum order. */
    public SimulationSummary {
        EnumMap<Outcome, Long> copy = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            copy.put(outcome, eventsByOutcome.getOrDefault(outcome, 0L));
        }
        eventsByOutcome = Collections.unmodifiableMap(copy);
    }

    /** Events with {@code outcome}. */
    public long events(Outcome outcome) {
        return eventsByOutcome.get(outcome);
    }
}
