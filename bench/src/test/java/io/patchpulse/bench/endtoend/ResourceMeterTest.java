package io.patchpulse.bench.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceMeterTest {

    @Test
    void shouldGroupThreadsByComponentName() {
        assertThat(ResourceMeter.component("patchpulse-streams-1b2c-StreamThread-1")).isEqualTo(ResourceMeter.STREAMS);
        assertThat(ResourceMeter.component("kafka-producer-network-thread | patchpulse-streams-1b2c-StreamThread-1-producer"))
                .isEqualTo(ResourceMeter.STREAMS);
        assertThat(ResourceMeter.component("patchpulse-sink-patchpulse-sink")).isEqualTo(ResourceMeter.SINK);
        assertThat(ResourceMeter.component("kafka-producer-network-thread | patchpulse-bench-producer"))
                .isEqualTo(ResourceMeter.CLIENTS);
        assertThat(ResourceMeter.component("data-plane-kafka-request-handler-0")).isEqualTo(ResourceMeter.BROKER);
        assertThat(ResourceMeter.component("questdb-shared-network-1")).isEqualTo(ResourceMeter.QUESTDB);
        assertThat(ResourceMeter.component("shared-write_1")).isEqualTo(ResourceMeter.QUESTDB);
        assertThat(ResourceMeter.component("AddPartitionsToTxnSenderThread-1")).isEqualTo(ResourceMeter.BROKER);
        assertThat(ResourceMeter.component("something-else")).isEqualTo(ResourceMeter.OTHER);
    }

    @Test
    void shouldMeasureCpuOfThisThreadAndAPositivePeakHeap() {
        ResourceMeter meter = new ResourceMeter();
        long sum = 0;
        for (int i = 0; i < 20_000_000; i++) {
            sum += i % 7;
        }
        ResourceMeter.Usage usage = meter.stop();

        assertThat(sum).isPositive();
        assertThat(usage.processCpuSeconds()).isPositive();
        assertThat(usage.peakHeapBytes()).isPositive();
        assertThat(usage.componentCpuSeconds()).containsKeys(ResourceMeter.BROKER, ResourceMeter.JVM);
    }
}
