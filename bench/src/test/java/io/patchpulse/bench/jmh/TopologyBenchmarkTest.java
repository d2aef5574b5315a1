package io.patchpulse.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TopologyBenchmarkTest {

    private final TopologyBenchmark benchmark = new TopologyBenchmark();

    @BeforeEach
    void prepare() {
        benchmark.devices = 300; // a few batches: the test checks the wiring, not the rate
        benchmark.prepare();
    }

    @AfterEach
    void stop() {
        benchmark.stop();
    }

    @Test
    void shouldPipeOneBatchOfInstallEventsPerInvocationAndProduceOutputs() {
        benchmark.nextBatch();
        int piped = benchmark.pipeBatch();
        benchmark.drainOutputs();

        assertThat(piped).isEqualTo(TopologyBenchmark.BATCH);
        assertThat(benchmark.outputs()).as("trends, statuses, repartition records").isPositive();
    }

    @Test
    void shouldStartOverWithEmptyStoresWhenTheSimulationIsUsedUp() {
        assertThat(benchmark.batches()).isGreaterThan(1);
        for (int i = 0; i < benchmark.batches() + 1; i++) {
            benchmark.nextBatch();
            assertThat(benchmark.pipeBatch()).isEqualTo(TopologyBenchmark.BATCH);
            benchmark.drainOutputs();
        }
    }
}
