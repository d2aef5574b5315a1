package io.patchpulse.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.RecoveryPartition;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ParseResultTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void shouldRejectAtTheEdgeWhatThePipelineWouldDeadLetter() {
        ParseResult.Builder builder = ParseResult.builder(NOW);
        InstallEvent fromTheFuture = InstallEvent.newBuilder().setEventId("e1").setDeviceId("d-1")
                .setOccurredAt(NOW.plusSeconds(3 * 86_400)).setReceivedAt(NOW).setSource(EventSource.AGENT)
                .setOutcome(Outcome.FAILED).build();
        DeviceInventory impossible = DeviceInventory.newBuilder().setDeviceId("d-1").setObservedAt(NOW)
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(100L).setFreeBytes(500L).build())
                .build();

        ParseResult result = builder.accept(1, new CollectedRecord.Event(fromTheFuture))
                .accept(2, new CollectedRecord.Inventory(impossible, NOW))
                .build();

        assertThat(result.records()).isEmpty();
        assertThat(result.accepted()).isZero();
        assertThat(result.problems()).extracting(Problem::line, Problem::field)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "occurredAt"),
                        org.assertj.core.groups.Tuple.tuple(2L, "recovery.freeBytes"));
    }

    @Test
    void shouldKeepTheFirstThousandProblemsAndCountTheRest() {
        ParseResult.Builder builder = ParseResult.builder(NOW);
        for (int line = 1; line <= ParseResult.MAX_PROBLEMS + 5; line++) {
            builder.reject(line, null, "bad");
        }
        builder.skip(2_000);

        ParseResult result = builder.build();

        assertThat(result.rejected()).isEqualTo(ParseResult.MAX_PROBLEMS + 5);
        assertThat(result.problems()).hasSize(ParseResult.MAX_PROBLEMS);
        assertThat(result.allProblemsKept()).isFalse();
        assertThat(result.nextItemLine(1_005)).isEqualTo(2_000);
        assertThat(result.nextItemLine(2_000)).isZero();
    }
}
