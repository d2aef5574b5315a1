package io.patchpulse.collector.parse.agent;

import static io.patchpulse.collector.parse.agent.DeviceReportParserTest.IDS;
import static io.patchpulse.collector.parse.agent.DeviceReportParserTest.RECEIVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WinEventJsonTest {

    private static final String DEVICE = IDS.of("LT-ACME-0142");
    private static final String WUC = "\"ProviderName\": \"Microsoft-Windows-WindowsUpdateClient\", "
            + "\"ProviderId\": \"945a8954-c147-4acd-923f-40c45405a658\"";
    private static final String WINRE = "\"ProviderName\": \"Microsoft-Windows-WinREAgent\"";
    private static final String TITLE = "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems "
            + "(KB5034441)";
    private static final String FAILURE_MESSAGE = "Installation Failure: Windows failed to install the following "
            + "update with error 0x80070643: " + TITLE + ".";

    private static List<InstallEvent> read(String json) throws Exception {
        JsonNode node = JsonItems.MAPPER.readTree(json);
        return WinEventJson.read(node, "$.events", DEVICE, RECEIVED);
    }

    private static String field(ThrowingRead read) {
        try {
            read.run();
        } catch (BadField e) {
            return e.field();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no BadField");
    }

    @FunctionalInterface
    private interface ThrowingRead {
        void run() throws Exception;
    }

    @Test
    void shouldLeaveOutEventsThatAreNotAboutUpdateInstalls() throws Exception {
        assertThat(read("""
                [{"Id": 7036, "ProviderName": "Service Control Manager", "TimeCreated": "\\/Date(1704882224918)\\/"},
                 {"Id": 31, %s, "TimeCreated": "not even a date"},
                 {"Id": 4505, %s}]""".formatted(WUC, WINRE))).isEmpty();
    }

    @Test
    void shouldRecognizeTheProviderByItsGuidAloneInEitherSpelling() throws Exception {
        List<InstallEvent> events = read("""
                [{"Id": 19, "ProviderId": "{945A8954-C147-4ACD-923F-40C45405A658}", "RecordId": 7,
                  "TimeCreated": "\\/Date(1704882224918)\\/",
                  "Properties": [{"Value": "%1$s"}, {"Value": {"Guid": "3C5EA8A2-2F3B-4B1E-9C7D-5E0A61F4B2D9"}}]},
                 {"Id": 4500, "ProviderId": {"Guid": "1f7a6c55-5532-573b-35b7-2107e43a6ef5"}, "RecordId": 8,
                  "TimeCreated": "\\/Date(1704882220000)\\/"}]""".formatted(TITLE));

        assertThat(events).extracting(InstallEvent::getOutcome)
                .containsExactly(Outcome.SUCCEEDED, Outcome.WINRE_SERVICING_STARTED);
        assertThat(events.get(0).getUpdateGuid()).isEqualTo("3c5ea8a2-2f3b-4b1e-9c7d-5e0a61f4b2d9");
        assertThat(events.get(0).getKb()).isEqualTo("KB5034441");
    }

    @Test
    void shouldTakeTheDataFromTheMessageWhenPropertiesWereWrittenTooShallow() throws Exception {
        String shallow = """
                {"Id": 20, %s, "RecordId": 47902, "TimeCreated": "\\/Date(1704882224918)\\/",
                 "Message": "%s",
                 "Properties": ["System.Diagnostics.Eventing.Reader.EventProperty",
                                "System.Diagnostics.Eventing.Reader.EventProperty"]}""".formatted(WUC, FAILURE_MESSAGE);

        List<InstallEvent> events = read(shallow);

        assertThat(events).singleElement().isEqualTo(InstallEvent.newBuilder()
                .setEventId(events.get(0).getEventId())
                .setDeviceId(DEVICE)
                .setOccurredAt(Instant.parse("2024-01-10T10:23:44.918Z"))
                .setReceivedAt(RECEIVED)
                .setSource(EventSource.AGENT)
                .setOutcome(Outcome.FAILED)
                .setKb("KB5034441")
                .setUpdateTitle(TITLE)
                .setErrorCode("0x80070643")
                .setRawErrorCode("0x80070643")
                .build());
        assertThat(read(shallow.replaceAll("\"Properties\": \\[[^\\]]*\\]", "\"MachineName\": \"x\"")))
                .extracting(InstallEvent::getErrorCode).containsExactly("0x80070643");
    }

    @Test
    void shouldNameThePathOfAnUnusableRelevantEvent() {
        assertThat(field(() -> read("[{\"Id\": 19, %s, \"TimeCreated\": \"\\/Date(1704882224918)\\/\"},"
                .formatted(WUC) + "{\"Id\": 20, %s, \"TimeCreated\": true}]".formatted(WUC))))
                .isEqualTo("$.events[1].TimeCreated");
        assertThat(field(() -> read("{\"Id\": 20, %s}".formatted(WUC)))).isEqualTo("$.events.TimeCreated");
        assertThat(field(() -> read("[{%s}]".formatted(WUC)))).isEqualTo("$.events[0].Id");
        assertThat(field(() -> read("[{\"Id\": \"twenty\", %s}]".formatted(WUC)))).isEqualTo("$.events[0].Id");
        assertThat(field(() -> read("[[1]]"))).isEqualTo("$.events[0]");
        assertThat(field(() -> read("""
                [{"Id": 4502, %s, "TimeCreated": "\\/Date(1704882224918)\\/",
                  "Properties": [{"Value": "two"}, {"Value": -2146498520}]}]""".formatted(WINRE))))
                .isEqualTo("$.events[0].Properties[0].Value");
        assertThat(field(() -> read("""
                [{"Id": 4501, %s, "TimeCreated": "\\/Date(1704882224918)\\/",
                  "Properties": [{"Value": "latest"}]}]""".formatted(WINRE))))
                .isEqualTo("$.events[0].Properties[0].Value");
        assertThat(field(() -> read("""
                [{"Id": 20, %s, "TimeCreated": "\\/Date(1704882224918)\\/",
                  "Properties": [{"Value": [1, 2]}]}]""".formatted(WUC))))
                .isEqualTo("$.events[0].Properties[0].Value");
    }

    @Test
    void shouldRejectEventsFromABrokenDeviceClockNamingTheirTime() {
        assertThatThrownBy(() -> read("[{\"Id\": 19, %s, \"TimeCreated\": \"\\/Date(915148800000)\\/\"}]"
                .formatted(WUC)))
                .isInstanceOfSatisfying(BadField.class, e -> {
                    assertThat(e.field()).isEqualTo("$.events[0].TimeCreated");
                    assertThat(e.getMessage()).contains("device clock error");
                });
    }
}
