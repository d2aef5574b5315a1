package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.DeviceTruth;
import io.patchpulse.collector.simulate.PresetRun;
import io.patchpulse.collector.simulate.PresetSettings;
import io.patchpulse.collector.simulate.Presets;
import io.patchpulse.collector.simulate.ReleaseTruth;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.sink.questdb.QuestDbHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, deliverable 1 on real parts: a preset through Kafka, the streams app and the sink into the embedded
 * QuestDB, then the device_status, remediations and release_progress tables read back with SQL and compared with the
 * truth the simulator decided while planning (never derived from the pipeline's output).
 */
class SinkTablesTruthIT {

    @TempDir
    Path dir;

    @Test
    void shouldHoldThePresetsTruthInTheQuestDbTables() throws Exception {
        PresetRun run = Presets.named("jan-2024").run(PresetSettings.of(300, 5));
        try (AllInOne pipeline = AllInOne.start(dir.resolve("data"), new SimpleMeterRegistry())) {
            // Given the preset published to Kafka
            try (KafkaPublisher publisher = new KafkaPublisher(pipeline.bootstrapServers(), pipeline.topics(),
                    Map.of(), null, null)) {
                for (CollectedRecord record : run.simulation()) {
                    publisher.publish(record);
                }
                publisher.flush();
            }

            // Then, once the pipeline has caught up, the tables equal the truth
            Map<String, List<Object>> devices = new TreeMap<>();
            Map<String, String> causes = new TreeMap<>();
            for (DeviceTruth truth : run.truth().deviceStatus()) {
                devices.put(truth.deviceId() + "|" + truth.kb(), List.of(truth.state().name(),
                        truth.cause() == null ? "-" : truth.cause().name(), truth.exposed(), (long) truth.attempts()));
                if (truth.cause() != null) {
                    causes.put(truth.deviceId() + "|" + truth.kb(), truth.cause().name());
                }
            }
            Map<String, List<Long>> releases = new TreeMap<>();
            for (ReleaseTruth truth : run.truth().releases()) {
                if (truth.devicesTracked() > 0) {
                    releases.put(truth.kb(), List.of(truth.devicesTracked(), truth.devicesAttempted(),
                            truth.devicesFailing(), truth.devicesFixed(), truth.devicesAtFixedWinre(),
                            truth.exposedDevices()));
                }
            }
            QuestDbHttp sql = pipeline.questDbHttp();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                    .untilAsserted(() -> {
                        assertThat(deviceStatus(sql)).isEqualTo(devices);
                        assertThat(remediations(sql)).isEqualTo(causes);
                        assertThat(releaseProgress(sql)).isEqualTo(releases);
                    });
        }
    }

    private static Map<String, List<Object>> deviceStatus(QuestDbHttp sql) {
        Map<String, List<Object>> rows = new TreeMap<>();
        for (Map<String, Object> row : sql.query("SELECT device_id, kb, state, fix_cause, exposed, attempts "
                + "FROM device_status")) {
            rows.put(row.get("device_id") + "|" + row.get("kb"), List.of(row.get("state"),
                    row.get("fix_cause") == null ? "-" : row.get("fix_cause"), row.get("exposed"),
                    ((Number) row.get("attempts")).longValue()));
        }
        return rows;
    }

    private static Map<String, String> remediations(QuestDbHttp sql) {
        Map<String, String> rows = new TreeMap<>();
        for (Map<String, Object> row : sql.query("SELECT device_id, kb, cause FROM remediations")) {
            assertThat(rows.put(row.get("device_id") + "|" + row.get("kb"), (String) row.get("cause")))
                    .as("one remediation per device and release").isNull();
        }
        return rows;
    }

    private static Map<String, List<Long>> releaseProgress(QuestDbHttp sql) {
        Map<String, List<Long>> rows = new TreeMap<>();
        for (Map<String, Object> row : sql.query("SELECT kb, devices_tracked, devices_attempted, devices_failing, "
                + "devices_fixed, devices_at_fixed_winre, exposed_devices FROM release_progress "
                + "LATEST ON ts PARTITION BY kb")) {
            rows.put((String) row.get("kb"), List.of(number(row, "devices_tracked"), number(row, "devices_attempted"),
                    number(row, "devices_failing"), number(row, "devices_fixed"),
                    number(row, "devices_at_fixed_winre"), number(row, "exposed_devices")));
        }
        return rows;
    }

    private static long number(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }
}
