package io.patchpulse.collector.simulate.spike;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.validate.EventValidator;
import io.patchpulse.schemas.values.Cohort;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpikeScenarioTest {

    private static final long SEED = 11;
    private static SpikeSimulation simulation;

    @BeforeAll
    static void plan() {
        simulation = SpikeScenario.defaults(SEED).plan();
    }

    private static List<InstallEvent> events() {
        return simulation.records().stream().filter(r -> r instanceof CollectedRecord.Event)
                .map(r -> ((CollectedRecord.Event) r).event()).toList();
    }

    @Test
    void shouldGiveTheSameRecordsAndTruthForTheSameSeedAndOthersForAnother() {
        SpikeSimulation again = SpikeScenario.defaults(SEED).plan();
        SpikeSimulation other = SpikeScenario.defaults(SEED + 1).plan();

        assertThat(again.truth()).isEqualTo(simulation.truth());
        assertThat(again.records()).hasSameSizeAs(simulation.records());
        for (int i = 0; i < simulation.records().size(); i += 97) {
            assertThat(again.records().get(i).value()).isEqualTo(simulation.records().get(i).value());
        }
        assertThat(other.records().get(0).value()).isNotEqualTo(simulation.records().get(0).value());
    }

    @Test
    void shouldHandOverRecordsInReceiveOrderThatPassValidation() {
        List<CollectedRecord> records = simulation.records();
        for (int i = 1; i < records.size(); i++) {
            assertThat(records.get(i).receivedAt()).isAfterOrEqualTo(records.get(i - 1).receivedAt());
        }
        Instant now = Instant.parse("2024-03-01T00:00:00Z");
        assertThat(events()).allSatisfy(event -> {
            assertThat(EventValidator.check(event.getDeviceId(), event, now)).isEmpty();
            assertThat(event.getInventory()).isNotNull();
        });
        assertThat(events().stream().map(InstallEvent::getEventId).distinct().count()).isEqualTo(events().size());
        assertThat(records.size()).isBetween(5_000, 10_000);
    }

    @Test
    void shouldFailTheSpikeCohortFromItsStartWithItsErrorAndOnlyThere() {
        assertThat(simulation.truth()).isNotEmpty();
        for (SpikeTruth spike : simulation.truth()) {
            Set<String> devices = new HashSet<>();
            long failedInSpike = 0;
            long resultsInSpike = 0;
            for (InstallEvent event : events()) {
                Cohort cohort = Cohort.of(event.getKb(), event.getInventory());
                boolean inSpike = !event.getOccurredAt().isBefore(spike.startsAt())
                        && event.getOccurredAt().isBefore(spike.endsAt());
                if (cohort.equals(spike.cohort())) {
                    devices.add(event.getDeviceId());
                    if (inSpike) {
                        resultsInSpike++;
                        failedInSpike += event.getOutcome() == Outcome.FAILED ? 1 : 0;
                    }
                }
                if (spike.errorCode().equals(event.getErrorCode())) {
                    assertThat(cohort).as("only the spike cohorts fail with the spike's error")
                            .isIn(simulation.truth().stream().map(SpikeTruth::cohort).toList());
                    assertThat(event.getOccurredAt()).isAfterOrEqualTo(spike.startsAt()).isBefore(spike.endsAt());
                }
            }
            assertThat(devices.size()).isEqualTo(spike.devices()).isGreaterThanOrEqualTo(60);
            assertThat((double) failedInSpike / resultsInSpike).isGreaterThan(0.5);
        }
    }

    @Test
    void shouldKeepTheQuietBaselineAtAFewPercentTransientFailures() {
        Instant spikeDay = SpikeScenario.DEFAULT_START.plusSeconds(simulation.scenario().baselineDays() * 86_400L);
        Map<Outcome, Long> outcomes = new HashMap<>();
        Set<String> errors = new HashSet<>();
        for (InstallEvent event : events()) {
            if (event.getOccurredAt().isBefore(spikeDay)) {
                outcomes.merge(event.getOutcome(), 1L, Long::sum);
                if (event.getErrorCode() != null) {
                    errors.add(event.getErrorCode());
                }
            }
        }
        double failed = (double) outcomes.getOrDefault(Outcome.FAILED, 0L)
                / (outcomes.get(Outcome.FAILED) + outcomes.get(Outcome.SUCCEEDED));

        assertThat(failed).isBetween(0.01, 0.06);
        assertThat(errors).containsExactlyInAnyOrder("0x8024200B", "0x80070002");
    }
}
