package io.patchpulse.collector.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimulationSettingsTest {

    @Test
    void shouldDefaultToKb5034441sPatchTuesdayAndTwoWeeks() {
        SimulationSettings settings = SimulationSettings.of(2_000, 7);

        assertThat(settings.start()).isEqualTo(Instant.parse("2024-01-09T18:00:00Z"));
        assertThat(settings.days()).isEqualTo(14);
        assertThat(settings.end()).isEqualTo(Instant.parse("2024-01-23T18:00:00Z"));
        assertThat(settings.windows11Share()).isBetween(0.10, 0.15);
    }

    @Test
    void shouldCopyWithAnotherStartOrLength() {
        SimulationSettings settings = SimulationSettings.of(10, 1)
                .withStart(Instant.parse("2024-02-13T18:00:00Z")).withDays(3);

        assertThat(settings.start()).isEqualTo(Instant.parse("2024-02-13T18:00:00Z"));
        assertThat(settings.days()).isEqualTo(3);
        assertThat(settings.devices()).isEqualTo(10);
    }

    @Test
    void shouldRejectSettingsThatCannotBeSimulated() {
        SimulationSettings base = SimulationSettings.of(10, 1);

        assertThatThrownBy(() -> SimulationSettings.of(0, 1)).hasMessageContaining("devices");
        assertThatThrownBy(() -> base.withDays(0)).hasMessageContaining("days");
        assertThatThrownBy(() -> base.withStart(null)).hasMessageContaining("start");
        assertThatThrownBy(() -> new SimulationSettings(10, 1, base.start(), 14, 1.5, 0, 0, 0, 0, 0))
                .hasMessageContaining("windows11Share");
        assertThatThrownBy(() -> new SimulationSettings(10, 1, base.start(), 14, 0, 0, 0, 0, 0, Double.NaN))
                .hasMessageContaining("offlineShare");
    }
}
