package io.patchpulse.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.avro.WinreStatus;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalRecordsTest {

    @Test
    void shouldWriteTimestampsAsEpochMillisAndEnumsAsSymbols() {
        InstallEvent event = TestRecords.failedEvent();

        JsonNode json = CanonicalRecords.toTree(event);

        assertThat(json.get("occurredAt").isIntegralNumber()).isTrue();
        assertThat(json.get("occurredAt").longValue()).isEqualTo(Instant.parse("2024-01-10T08:15:00Z").toEpochMilli());
        assertThat(json.get("receivedAt").longValue()).isEqualTo(Instant.parse("2024-01-10T08:15:42Z").toEpochMilli());
        assertThat(json.get("outcome").textValue()).isEqualTo("FAILED");
        assertThat(json.get("source").textValue()).isEqualTo("SIMULATOR");
        assertThat(json.get("inventory").get("observedAt").longValue())
                .isEqualTo(Instant.parse("2024-01-10T08:15:00Z").toEpochMilli());
        assertThat(json.get("inventory").get("winre").get("status").textValue()).isEqualTo("ENABLED");
        assertThat(json.get("inventory").get("tags").get("site").textValue()).isEqualTo("ams");
        assertThat(json.get("winreErrorPhase").isNull()).isTrue();
    }

    @Test
    void shouldKeepFieldOrderAndAbsentFieldsAsNull() {
        InstallEvent event = InstallEvent.newBuilder()
                .setEventId("e-1")
                .setDeviceId("dev-1")
                .setOccurredAt(Instant.ofEpochMilli(1))
                .setReceivedAt(Instant.ofEpochMilli(2))
                .setSource(EventSource.SIMULATOR)
                .setOutcome(Outcome.STARTED)
                .build();

        assertThat(CanonicalRecords.toLine(event)).isEqualTo("{\"eventId\":\"e-1\",\"deviceId\":\"dev-1\","
                + "\"occurredAt\":1,\"receivedAt\":2,\"source\":\"SIMULATOR\",\"kb\":null,\"updateGuid\":null,"
                + "\"updateTitle\":null,\"outcome\":\"STARTED\",\"errorCode\":null,\"rawErrorCode\":null,"
                + "\"winreErrorPhase\":null,\"winreVersion\":null,\"rebootPending\":null,\"inventory\":null}");
    }

    @Test
    void shouldNotChangeTheRecord() {
        DeviceInventory inventory = DeviceInventory.newBuilder()
                .setDeviceId("dev-1")
                .setObservedAt(Instant.ofEpochMilli(5))
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.DISABLED).build())
                .setTags(Map.of())
                .build();
        DeviceInventory before = DeviceInventory.newBuilder(inventory).build();

        CanonicalRecords.toLine(inventory);

        assertThat(inventory).isEqualTo(before);
        assertThat(inventory.getObservedAt()).isEqualTo(Instant.ofEpochMilli(5));
    }
}
