package io.patchpulse.sink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SinkMetrics metrics = new SinkMetrics(List.of("failure_trends", "failure_errors"));

    @Test
    void shouldNameEveryMeterUnderThePrefixWithDescriptionAndUnit() {
        metrics.bindTo(registry);

        assertThat(registry.getMeters()).isNotEmpty().allSatisfy(meter -> {
            Meter.Id id = meter.getId();
            assertThat(id.getName()).startsWith("patchpulse.sink.");
            assertThat(id.getDescription()).as(id.getName()).isNotBlank();
            assertThat(meter.getId().getBaseUnit() != null || id.getType() == Meter.Type.TIMER).as(id.getName())
                    .isTrue();
            assertThat(id.getTags()).allSatisfy(tag ->
                    assertThat(tag.getKey()).isIn("table", "reason", "outcome"));
        });
        assertThat(registry.getMeters()).extracting(meter -> meter.getId().getName()).contains(
                "patchpulse.sink.consumed.records", "patchpulse.sink.written.rows", "patchpulse.sink.skipped.records",
                "patchpulse.sink.write.retries", "patchpulse.sink.batch.write", "patchpulse.sink.newest.window.start");
    }

    @Test
    void shouldCountWhatIsRecordedAndKeepTheNewestWindow() {
        metrics.recordConsumed(4); // before binding: still counted
        metrics.bindTo(registry);

        metrics.recordConsumed(1);
        metrics.recordRowsWritten("failure_trends", 3);
        metrics.recordRowsWritten("failure_errors", 2);
        metrics.recordSkippedUndecodable();
        metrics.recordWriteRetry();
        metrics.recordBatchWrite(Duration.ofMillis(40), true);
        metrics.recordWindowWritten(Instant.parse("2024-01-09T15:00:00Z"));
        metrics.recordWindowWritten(Instant.parse("2024-01-09T14:00:00Z"));

        assertThat(registry.get(SinkMetrics.CONSUMED_RECORDS).functionCounter().count()).isEqualTo(5);
        assertThat(registry.get(SinkMetrics.WRITTEN_ROWS).tag("table", "failure_trends").functionCounter().count())
                .isEqualTo(3);
        assertThat(registry.get(SinkMetrics.WRITTEN_ROWS).tag("table", "failure_errors").functionCounter().count())
                .isEqualTo(2);
        assertThat(registry.get(SinkMetrics.SKIPPED_RECORDS).tag("reason", "undecodable").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.get(SinkMetrics.WRITE_RETRIES).functionCounter().count()).isEqualTo(1);
        assertThat(registry.get(SinkMetrics.BATCH_WRITE).tag("outcome", "success").timer().count()).isEqualTo(1);
        assertThat(registry.get(SinkMetrics.NEWEST_WINDOW_START).gauge().value())
                .isEqualTo(Instant.parse("2024-01-09T15:00:00Z").getEpochSecond());
    }

    @Test
    void shouldReportNoWindowBeforeTheFirstWrite() {
        metrics.bindTo(registry);

        assertThat(registry.get(SinkMetrics.NEWEST_WINDOW_START).gauge().value()).isNaN();
    }

    @Test
    void shouldAddAMeterForATableFirstSeenAfterBinding() {
        metrics.bindTo(registry);

        metrics.recordRowsWritten("failure_trends_daily", 7);

        assertThat(registry.get(SinkMetrics.WRITTEN_ROWS).tag("table", "failure_trends_daily").functionCounter()
                .count()).isEqualTo(7);
    }

    @Test
    void shouldRenderThePrometheusNamesThatRulesAndDashboardsUse() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(prometheus);
        metrics.recordBatchWrite(Duration.ofMillis(5), true);
        metrics.recordWindowWritten(Instant.parse("2024-01-09T14:00:00Z"));

        String scrape = prometheus.scrape();

        assertThat(scrape).contains(
                "patchpulse_sink_consumed_records_total ",
                "patchpulse_sink_written_rows_total{table=\"failure_trends\"} ",
                "patchpulse_sink_written_rows_total{table=\"failure_errors\"} ",
                "patchpulse_sink_skipped_records_total{reason=\"undecodable\"} ",
                "patchpulse_sink_write_retries_total ",
                "patchpulse_sink_batch_write_seconds_count{outcome=\"success\"} 1",
                "patchpulse_sink_newest_window_start_seconds 1.7048088E9");
        prometheus.close();
    }

    @Test
    void shouldRemoveItsMetersOnClose() {
        metrics.bindTo(registry);

        metrics.close();

        assertThat(registry.getMeters()).isEmpty();
    }
}
