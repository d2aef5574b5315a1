package io.patchpulse.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.schemas.avro.AlertState;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class RecordJsonTest {

    @Test
    void shouldWriteTimestampsAsIsoUtcAndUnionsAsTheirValue() {
        ObjectNode json = RecordJson.toTree(Records.status("dev-1", "KB5034441", true));

        assertThat(json.get("firstFailureAt").asText()).isEqualTo("2024-01-09T18:00:00Z");
        assertThat(json.get("updatedAt").asText()).isEqualTo("2024-01-09T19:00:00Z");
        assertThat(json.get("fixedAt").isNull()).isTrue();
        assertThat(json.get("lastErrorCode").asText()).isEqualTo("0x80070643");
        assertThat(json.get("state").asText()).isEqualTo("FAILING");
        assertThat(json.get("exposed").asBoolean()).isTrue();
        assertThat(json.get("evidence").get("rebootPendingFailures").asInt()).isZero();
    }

    @Test
    void shouldWriteDaysAsDatesAndMapsInKeyOrder() {
        ObjectNode json = RecordJson.toTree(Records.progress("KB5034441", LocalDate.of(2024, 2, 13), 7));

        assertThat(json.get("day").asText()).isEqualTo("2024-02-13");
        assertThat(json.get("fixedByCause").toString()).isEqualTo("{\"PARTITION_RESIZED\":2,\"RETRY\":3}");
        assertThat(json.get("shareAtFixedWinre").isNull()).isTrue();
    }

    @Test
    void shouldWriteEnumsAsSymbols() {
        ObjectNode json = RecordJson.toTree(Records.alert("a1", "KB5034441", AlertState.RESOLVED, Records.T0));

        assertThat(json.get("state").asText()).isEqualTo("RESOLVED");
        assertThat(json.get("endsAt").asText()).isEqualTo("2024-01-09T20:00:00Z");
        assertThat(json.get("currentFailureRate").asDouble()).isEqualTo(40 / 60.0);
    }
}
