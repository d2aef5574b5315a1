package io.patchpulse.sink.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.sink.dashboard.DashboardParameters.TimeRange;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the dashboard API lets through to its SQL, and how it says no. */
class DashboardParametersTest {

    @Test
    void shouldAcceptCanonicalKbIds() {
        assertThat(DashboardParameters.kb("kb", "KB5034441")).isEqualTo("KB5034441");
        assertThat(DashboardParameters.kb("kb", "KB504689")).isEqualTo("KB504689");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "5034441", "kb5034441", "KB12345", "KB12345678", "KB5034441 ", "KB5034441'--"})
    void shouldRefuseAnythingButAKbId(String value) {
        assertThatThrownBy(() -> DashboardParameters.kb("kb", value))
                .isInstanceOfSatisfying(InvalidParameterException.class,
                        e -> assertThat(e.parameter()).isEqualTo("kb"))
                .hasMessageContaining("'kb'");
    }

    @Test
    void shouldAcceptHostNamesGuidsAndOsqueryIdentifiersAsDeviceIds() {
        for (String id : new String[] {"PC-0001", "pc-0001.corp.example", "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}",
                "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "host_01@site:2"}) {
            assertThat(DashboardParameters.deviceId("deviceId", id)).isEqualTo(id);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PC'1", "PC\"1", "PC\\1", "PC 1", "-PC1", ".hidden", "PC1;DROP", "PC\n1", "PC\u00e91"})
    void shouldRefuseDeviceIdsWithCharactersOutsideTheSet(String value) {
        assertThatThrownBy(() -> DashboardParameters.deviceId("deviceId", value))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("may hold only")
                .hasMessageNotContaining("\n");
    }

    @Test
    void shouldRefuseDeviceIdsOverTheLengthLimit() {
        String longest = "A".repeat(DashboardParameters.MAX_DEVICE_ID_LENGTH);

        assertThat(DashboardParameters.deviceId("deviceId", longest)).isEqualTo(longest);
        assertThatThrownBy(() -> DashboardParameters.deviceId("deviceId", longest + "A"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("at most " + DashboardParameters.MAX_DEVICE_ID_LENGTH);
    }

    @Test
    void shouldReadInstantsAndUtcDaysAndFormatThemAnewForSql() {
        TimeRange range = DashboardParameters.range("2024-01-09", "2024-01-09T16:30:00.5Z");

        assertThat(range.from()).contains(Instant.parse("2024-01-09T00:00:00Z"));
        assertThat(range.to()).contains(Instant.parse("2024-01-09T16:30:00.500Z"));
        assertThat(DashboardQueries.timeFilter(range))
                .isEqualTo(" AND ts >= '2024-01-09T00:00:00.000000Z' AND ts < '2024-01-09T16:30:00.500000Z'");
        assertThat(DashboardQueries.timeFilter(new TimeRange(Optional.empty(), Optional.empty()))).isEmpty();
    }

    @Test
    void shouldRefuseUnreadableTimesAndEmptyRanges() {
        assertThatThrownBy(() -> DashboardParameters.range("2024-01-09' OR 1=1", null))
                .isInstanceOfSatisfying(InvalidParameterException.class,
                        e -> assertThat(e.parameter()).isEqualTo("from"));
        assertThatThrownBy(() -> DashboardParameters.range("2024-01-10", "2024-01-10"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("must be before");
    }
}
