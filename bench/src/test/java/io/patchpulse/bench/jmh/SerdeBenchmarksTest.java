package io.patchpulse.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.Outcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SerdeBenchmarksTest {

    private final SerdeBenchmarks benchmarks = new SerdeBenchmarks();

    @BeforeEach
    void setUp() {
        benchmarks.setUp();
    }

    @Test
    void shouldBenchmarkAFailedInstallEventWithItsInventory() {
        assertThat(benchmarks.event.getOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(benchmarks.event.getInventory()).isNotNull();
    }

    @Test
    void shouldRoundTripEachRecordThroughItsTopicSerde() {
        assertThat(benchmarks.installEventSerialize()).startsWith((byte) 0xC3, (byte) 0x01);
        assertThat(benchmarks.installEventDeserialize()).isEqualTo(benchmarks.event);
        assertThat(benchmarks.deviceInventorySerialize()).isNotEmpty();
        assertThat(benchmarks.deviceInventoryDeserialize()).isEqualTo(benchmarks.inventory);
        assertThat(benchmarks.failureTrendSerialize()).isNotEmpty();
        assertThat(benchmarks.failureTrendDeserialize()).isEqualTo(benchmarks.trend);
        assertThat(benchmarks.releaseProgressSerialize()).isNotEmpty();
        assertThat(benchmarks.releaseProgressDeserialize()).isEqualTo(benchmarks.progress);
    }
}
