package io.patchpulse.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.parse.EventsParser;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Samples;
import io.patchpulse.collector.identity.DeviceIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CollectorMetricsTest {

    @Test
    void shouldCountItemsByFormatAndOutcomeAndReadTheSpoolLive() {
        AtomicLong depth = new AtomicLong(7);
        CollectorMetrics metrics = new CollectorMetrics(depth::get, () -> 40, () -> 2, () -> null);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        long now = Instant.now().toEpochMilli();
        String body = "{\"eventId\":\"e1\",\"deviceId\":\"d-1\",\"occurredAt\":" + now + ",\"receivedAt\":" + now
                + ",\"source\":\"AGENT\",\"outcome\":\"FAILED\"}\nnot json\n";
        ParseResult result = Samples.parse(new EventsParser(), body.getBytes(StandardCharsets.UTF_8),
                new ParseContext(DeviceIds.raw(), Instant.now(), "test"));

        metrics.recordIngested(InputFormat.EVENTS, result);
        depth.set(3);

        assertThat(registry.get(CollectorMetrics.ITEMS).tags("format", "events", "outcome", "accepted")
                .functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get(CollectorMetrics.ITEMS).tags("format", "events", "outcome", "rejected")
                .functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get(CollectorMetrics.SPOOLED_RECORDS).tags("format", "events").functionCounter().count())
                .isEqualTo(1.0);
        assertThat(registry.get(CollectorMetrics.SPOOL_DEPTH).gauge().value()).isEqualTo(3.0);
        assertThat(registry.get(CollectorMetrics.DELIVERED_RECORDS).functionCounter().count()).isEqualTo(40.0);
        assertThat(registry.get(CollectorMetrics.LAST_DELIVERY_AGE).gauge().value()).isNaN();

        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
    }
}
