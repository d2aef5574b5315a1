package io.patchpulse.streams.topology;

import static io.patchpulse.streams.topology.Events.PATCH_TUESDAY;
import static io.patchpulse.streams.topology.Events.failed;
import static io.patchpulse.streams.topology.Events.inventory;
import static io.patchpulse.streams.topology.Events.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.topics.DlqHeaders;
import io.patchpulse.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrendTopologyTest {

    private static final String HOUR_0 = "2024-01-09T18:00:00Z";
    private static final String TPM_SMALL = "|KB5034441|500-750MB|<250MB|on-tpm";

    private final Topics topics = new Topics("t.");
    private TopologyTestDriver driver;
    private TestInputTopic<String, InstallEvent> events;
    private TestInputTopic<String, byte[]> rawEvents;
    private TestInputTopic<String, DeviceInventory> inventories;
    private TestOutputTopic<String, FailureTrend> trends;
    private TestOutputTopic<String, byte[]> dlq;

    @BeforeEach
    void startDriver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "trend-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0); // see every update, not only the last per commit
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ttd-" + System.nanoTime());
        driver = new TopologyTestDriver(TrendTopology.build(TopologySettings.defaults(topics)), props);
        events = driver.createInputTopic(topics.installEvents.name(), Serdes.String().serializer(),
                topics.installEvents.valueSerde().serializer());
        rawEvents = driver.createInputTopic(topics.installEvents.name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        inventories = driver.createInputTopic(topics.deviceInventory.name(), Serdes.String().serializer(),
                topics.deviceInventory.valueSerde().serializer());
        trends = driver.createOutputTopic(topics.failureTrends.name(), Serdes.String().deserializer(),
                topics.failureTrends.valueSerde().deserializer());
        dlq = driver.createOutputTopic(topics.installEventsDlq.name(), Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void send(InstallEvent event) {
        events.pipeInput(new TestRecord<>(event.getDeviceId(), event, event.getOccurredAt()));
    }

    private static Instant at(String hour, int minutes) {
        return Instant.parse(hour).plus(Duration.ofMinutes(minutes));
    }

    @Test
    void shouldCountDistinctDevicesNotRetries() {
        DeviceInventory a = inventory("dev-a", 572, 80, true);
        DeviceInventory b = inventory("dev-b", 607, 120, true);
        send(failed("dev-a", at(HOUR_0, 1), a));
        send(failed("dev-a", at(HOUR_0, 20), a));
        send(failed("dev-a", at(HOUR_0, 40), a));
        send(failed("dev-b", at(HOUR_0, 5), b));
        send(succeeded("dev-b", at(HOUR_0, 50), b));

        FailureTrend trend = trends.readKeyValuesToMap().get(HOUR_0 + TPM_SMALL);

        assertThat(trend.getAttempts()).isEqualTo(5);
        assertThat(trend.getFailures()).isEqualTo(4);
        assertThat(trend.getDevicesAttempted()).isEqualTo(2);
        assertThat(trend.getDevicesFailed()).isEqualTo(2);
        assertThat(trend.getDevicesSucceeded()).isEqualTo(1);
        assertThat(trend.getDevicesFailedByError()).containsExactly(Map.entry("0x80070643", 2L));
        assertThat(trend.getWindowStart()).isEqualTo(Instant.parse(HOUR_0));
        assertThat(trend.getWindowEnd()).isEqualTo(Instant.parse(HOUR_0).plus(Duration.ofHours(1)));
    }

    @Test
    void shouldTakeFalseFailuresOutOfTheFailureCountsOnceTheSuccessAfterTheRebootIsKnown() {
        DeviceInventory a = inventory("dev-a", 572, 80, true);
        DeviceInventory b = inventory("dev-b", 607, 120, true);
        // dev-a fails twice while a reboot is pending, then succeeds two hours later: both failures were false.
        send(Events.event("dev-a", at(HOUR_0, 1), Outcome.FAILED).setErrorCode("0x80070643").setRebootPending(true)
                .setInventory(a).build());
        send(Events.event("dev-a", at(HOUR_0, 30), Outcome.FAILED).setErrorCode("0x80070643").setRebootPending(true)
                .setInventory(a).build());
        // dev-b fails for real in the same window.
        send(failed("dev-b", at(HOUR_0, 5), b));
        Map<String, FailureTrend> whileUnknown = trends.readKeyValuesToMap();
        assertThat(whileUnknown.get(HOUR_0 + TPM_SMALL).getDevicesFailed()).isEqualTo(2);

        send(succeeded("dev-a", at(HOUR_0, 150), a));

        FailureTrend hour0 = trends.readKeyValuesToMap().get(HOUR_0 + TPM_SMALL);
        assertThat(hour0.getAttempts()).as("the attempts happened").isEqualTo(3);
        assertThat(hour0.getFailures()).as("only dev-b's failure is real").isEqualTo(1);
        assertThat(hour0.getDevicesAttempted()).isEqualTo(2);
        assertThat(hour0.getDevicesFailed()).isEqualTo(1);
        assertThat(hour0.getDevicesFailedByError()).containsExactly(Map.entry("0x80070643", 1L));
    }

    @Test
    void shouldNumberEveryUpdateOfAWindowsTotalsWithAStrictlyGrowingRevisionIncludingTheRetraction() {
        // Given dev-a failing twice while a reboot is pending and dev-b failing, all in hour 0 of one cohort,
        DeviceInventory a = inventory("dev-a", 572, 80, true);
        DeviceInventory b = inventory("dev-b", 607, 120, true);
        send(Events.event("dev-a", at(HOUR_0, 1), Outcome.FAILED).setErrorCode("0x80070643").setRebootPending(true)
                .setInventory(a).build());
        send(Events.event("dev-a", at(HOUR_0, 30), Outcome.FAILED).setErrorCode("0x80070643").setRebootPending(true)
                .setInventory(a).build());
        send(failed("dev-b", at(HOUR_0, 5), b));
        // when dev-a's success two hours later shows both its failures were false (hour 0 is retracted)
        send(succeeded("dev-a", at(HOUR_0, 150), a));

        // then hour 0's records (the cache is off: one per update) carry revisions 1, 2, 3, ... in order
        List<FailureTrend> hour0 = trends.readKeyValuesToList().stream()
                .filter(record -> record.key.equals(HOUR_0 + TPM_SMALL)).map(record -> record.value).toList();
        assertThat(hour0).extracting(FailureTrend::getRevision).as("three failures, then one retraction")
                .containsExactly(1L, 2L, 3L, 4L);
        FailureTrend retracted = hour0.get(hour0.size() - 1);
        assertThat(retracted.getFailures()).as("the retraction is the newest revision").isEqualTo(1);
        assertThat(hour0.get(hour0.size() - 2).getFailures()).isEqualTo(3);

        // and the revision lives in the changelogged store, where a restarted task finds it
        assertThat(driver.<String, FailureTrend>getKeyValueStore(Names.STORE_TRENDS).get(HOUR_0 + TPM_SMALL)
                .getRevision()).isEqualTo(4);

        // and when another event reaches hour 0 after the retraction, the count goes on from there
        send(failed("dev-c", at(HOUR_0, 59), inventory("dev-c", 572, 80, true)));
        assertThat(trends.readKeyValuesToMap().get(HOUR_0 + TPM_SMALL).getRevision()).isEqualTo(5);
    }

    @Test
    void shouldTakeBackAFalseFailureThatArrivesAfterTheSuccessThatFollowedIt() {
        DeviceInventory a = inventory("dev-a", 572, 80, true);
        send(succeeded("dev-a", at(HOUR_0, 150), a));
        // The failure from before the reboot comes late, in a backlog.
        send(Events.event("dev-a", at(HOUR_0, 1), Outcome.FAILED).setErrorCode("0x80070643").setRebootPending(true)
                .setInventory(a).build());

        FailureTrend hour0 = trends.readKeyValuesToMap().get(HOUR_0 + TPM_SMALL);
        assertThat(hour0.getAttempts()).isEqualTo(1);
        assertThat(hour0.getFailures()).isZero();
        assertThat(hour0.getDevicesFailed()).isZero();
    }

    @Test
    void shouldLetAWinreAgentSuccessWithoutAKbSpeakOnlyForReleasesOfTheCatalog() {
        driver.createInputTopic(topics.releases.name(), Serdes.String().serializer(),
                topics.releases.valueSerde().serializer()).pipeInput("KB5057589", DeviceTrackerTest.release(
                "KB5057589", List.of(19045), null, "2025-04-08"));
        DeviceInventory a = inventory("dev-a", 572, 80, true);
        send(Events.event("dev-a", at(HOUR_0, 1), Outcome.FAILED).setKb("KB5057589").setErrorCode("0x80070643")
                .setRebootPending(true).setInventory(a).build());
        // A Defender update failing while a reboot is pending is no WinRE update: a 4501 proves nothing about it.
        send(Events.event("dev-a", at(HOUR_0, 2), Outcome.FAILED).setKb("KB2267602").setErrorCode("0x80070643")
                .setRebootPending(true).setInventory(a).build());
        send(Events.event("dev-a", at(HOUR_0, 90), Outcome.WINRE_SERVICING_SUCCEEDED).setKb(null)
                .setWinreVersion("10.0.19041.5720").build());

        Map<String, FailureTrend> byKey = trends.readKeyValuesToMap();
        assertThat(byKey.get(HOUR_0 + "|KB5057589|500-750MB|<250MB|on-tpm").getDevicesFailed()).isZero();
        assertThat(byKey.get(HOUR_0 + "|KB2267602|500-750MB|<250MB|on-tpm").getDevicesFailed()).isEqualTo(1);
    }

    @Test
    void shouldKeepFailuresThatWereNotAllWhileARebootWasPendingOrWhoseSuccessCameTooLate() {
        DeviceInventory a = inventory("dev-a", 572, 80, true);
        DeviceInventory b = inventory("dev-b", 572, 80, true);
        send(Events.event("dev-a", at(HOUR_0, 1), Outcome.FAILED).setErrorCode("0x80070643").setRebootPending(true)
                .setInventory(a).build());
        send(failed("dev-a", at(HOUR_0, 2), a));
        send(succeeded("dev-a", at(HOUR_0, 150), a));
        send(Events.event("dev-b", at(HOUR_0, 1), Outcome.FAILED).setErrorCode("0x80070643").setRebootPending(true)
                .setInventory(b).build());
        send(succeeded("dev-b", at(HOUR_0, 1).plus(Duration.ofDays(4)), b));

        FailureTrend hour0 = trends.readKeyValuesToMap().get(HOUR_0 + TPM_SMALL);
        assertThat(hour0.getFailures()).isEqualTo(3);
        assertThat(hour0.getDevicesFailed()).isEqualTo(2);
    }

    @Test
    void shouldCountADeviceAgainInEachHourAndCohortItAppearsIn() {
        DeviceInventory before = inventory("dev-a", 572, 80, true);
        DeviceInventory resized = inventory("dev-a", 1100, 600, true);
        send(failed("dev-a", at(HOUR_0, 1), before));
        send(failed("dev-a", at(HOUR_0, 61), before));
        send(succeeded("dev-a", at(HOUR_0, 62), resized));

        Map<String, FailureTrend> byKey = trends.readKeyValuesToMap();

        assertThat(byKey).containsOnlyKeys(HOUR_0 + TPM_SMALL, "2024-01-09T19:00:00Z" + TPM_SMALL,
                "2024-01-09T19:00:00Z|KB5034441|>=1GB|>=250MB|on-tpm");
        assertThat(byKey.values()).allSatisfy(trend -> assertThat(trend.getDevicesAttempted()).isEqualTo(1));
    }

    @Test
    void shouldCountDistinctDevicesPerErrorCode() {
        DeviceInventory a = inventory("dev-a", 572, 80, false);
        send(failed("dev-a", at(HOUR_0, 1), a));
        send(Events.event("dev-a", at(HOUR_0, 2), Outcome.FAILED).setErrorCode("0x8024200B").setInventory(a).build());
        send(Events.event("dev-b", at(HOUR_0, 3), Outcome.FAILED).setErrorCode("0x8024200B")
                .setInventory(inventory("dev-b", 572, 80, false)).build());
        send(Events.event("dev-c", at(HOUR_0, 4), Outcome.FAILED).setRawErrorCode("E_WEIRD")
                .setInventory(inventory("dev-c", 572, 80, false)).build());

        FailureTrend trend = trends.readKeyValuesToMap().get(HOUR_0 + "|KB5034441|500-750MB|<250MB|off");

        assertThat(trend.getDevicesFailed()).isEqualTo(3);
        assertThat(trend.getDevicesFailedByError()).containsOnly(Map.entry("0x80070643", 1L),
                Map.entry("0x8024200B", 2L), Map.entry("raw:E_WEIRD", 1L));
    }

    @Test
    void shouldTakeTheCohortFromTheInventoryTableWhenTheEventCarriesNone() {
        inventories.pipeInput(new TestRecord<>("dev-a", inventory("dev-a", 572, 80, true), PATCH_TUESDAY));
        send(failed("dev-a", at(HOUR_0, 1), null));
        send(failed("dev-z", at(HOUR_0, 2), null));

        assertThat(trends.readKeyValuesToMap()).containsOnlyKeys(HOUR_0 + TPM_SMALL,
                HOUR_0 + "|KB5034441|unknown|unknown|unknown");
    }

    @Test
    void shouldNotCountAReplayedEventTwice() {
        InstallEvent event = failed("dev-a", at(HOUR_0, 1), inventory("dev-a", 572, 80, true));
        send(event);
        send(event);

        List<FailureTrend> updates = trends.readValuesToList();

        assertThat(updates).hasSize(1);
        assertThat(updates.get(0).getAttempts()).isEqualTo(1);
    }

    @Test
    void shouldIgnoreObservationsThatAreNoInstallResult() {
        DeviceInventory a = inventory("dev-a", 572, 80, true);
        send(Events.event("dev-a", at(HOUR_0, 1), Outcome.DOWNLOAD_STARTED).setInventory(a).build());
        send(Events.event("dev-a", at(HOUR_0, 2), Outcome.STARTED).setInventory(a).build());

        assertThat(trends.isEmpty()).isTrue();
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldCountLateEventsInsideTheGracePeriodAndSendLaterOnesToTheDeadLetterTopic() {
        DeviceInventory a = inventory("dev-a", 572, 80, true);
        send(failed("dev-a", at(HOUR_0, 1), a));
        // The clock moves 6 days on: the first hour is still within its 7-day grace.
        send(failed("dev-b", at(HOUR_0, 6 * 24 * 60), inventory("dev-b", 572, 80, true)));
        InstallEvent lateButInGrace = failed("dev-c", at(HOUR_0, 30), inventory("dev-c", 572, 80, true));
        send(lateButInGrace);
        // Now 8 days on: the first hour closed 8 days - 1 h ago, beyond the grace period.
        send(failed("dev-b", at(HOUR_0, 8 * 24 * 60), inventory("dev-b", 572, 80, true)));
        InstallEvent tooLate = failed("dev-d", at(HOUR_0, 40), inventory("dev-d", 572, 80, true));
        send(tooLate);

        assertThat(trends.readKeyValuesToMap().get(HOUR_0 + TPM_SMALL).getDevicesFailed()).isEqualTo(2);
        TestRecord<String, byte[]> dead = dlq.readRecord();
        assertThat(dead.key()).isEqualTo("dev-d");
        assertThat(topics.installEvents.valueSerde().deserializer().deserialize("t", dead.value())).isEqualTo(tooLate);
        assertThat(header(dead, DlqHeaders.REASON)).isEqualTo(DlqHeaders.REASON_LATE);
        assertThat(header(dead, DlqHeaders.FIELD)).isEqualTo("occurredAt");
        assertThat(header(dead, DlqHeaders.STAGE)).isEqualTo("streams.count");
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldSendUndecodableBytesToTheDeadLetterTopicAsReceived() {
        byte[] garbage = "{\"deviceId\":\"dev-a\"}".getBytes(StandardCharsets.UTF_8);
        rawEvents.pipeInput(new TestRecord<>("dev-a", garbage, PATCH_TUESDAY));

        TestRecord<String, byte[]> dead = dlq.readRecord();

        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, DlqHeaders.REASON)).isEqualTo(DlqHeaders.REASON_UNDECODABLE);
        assertThat(header(dead, DlqHeaders.DETAIL)).contains("not a readable InstallEvent");
        assertThat(header(dead, DlqHeaders.SOURCE_TOPIC)).isEqualTo("t.install-events");
        assertThat(header(dead, DlqHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(trends.isEmpty()).isTrue();
    }

    @Test
    void shouldSendInvalidEventsToTheDeadLetterTopicNamingTheField() {
        InstallEvent wrongKey = failed("dev-a", at(HOUR_0, 1), null);
        events.pipeInput(new TestRecord<>("dev-other", wrongKey, PATCH_TUESDAY));
        send(Events.event("dev-a", Instant.parse("1601-01-01T00:00:00Z"), Outcome.FAILED).build());
        Instant future = Instant.now().plus(Duration.ofDays(3));
        send(Events.event("dev-a", future, Outcome.FAILED).setReceivedAt(future).build());
        send(Events.event("dev-a", at(HOUR_0, 3), Outcome.FAILED).setKb("5034441").build());
        rawEvents.pipeInput(new TestRecord<>("dev-a", null, PATCH_TUESDAY));

        List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();

        assertThat(dead).extracting(record -> header(record, DlqHeaders.FIELD))
                .containsExactly("key", "occurredAt", "occurredAt", "kb", "value");
        assertThat(dead).allSatisfy(record -> {
            assertThat(header(record, DlqHeaders.REASON)).isEqualTo(DlqHeaders.REASON_INVALID);
            assertThat(header(record, DlqHeaders.DETAIL)).isNotBlank();
            assertThat(header(record, DlqHeaders.REJECTED_AT)).isNotBlank();
        });
        assertThat(header(dead.get(2), DlqHeaders.DETAIL)).contains("in the future");
        assertThat(trends.isEmpty()).isTrue();
    }

    @Test
    void shouldNotLetAnEventFromTheFutureTurnTheRestIntoLateOnes() {
        Instant future = Instant.now().plus(Duration.ofDays(365));
        send(Events.event("dev-a", future, Outcome.FAILED).setReceivedAt(future).build());
        send(failed("dev-b", at(HOUR_0, 1), inventory("dev-b", 572, 80, true)));

        assertThat(header(dlq.readRecord(), DlqHeaders.FIELD)).isEqualTo("occurredAt");
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(trends.readKeyValuesToMap()).containsKey(HOUR_0 + TPM_SMALL);
    }

    @Test
    void shouldNormalizeErrorCodesInAnySpellingInsteadOfDroppingTheEvent() {
        DeviceInventory a = inventory("dev-a", 572, 80, false);
        send(Events.event("dev-a", at(HOUR_0, 1), Outcome.FAILED).setErrorCode("-2147023293").setRawErrorCode(null)
                .setInventory(a).build());
        send(Events.event("dev-b", at(HOUR_0, 2), Outcome.FAILED).setErrorCode("E_FAIL, then some")
                .setInventory(inventory("dev-b", 572, 80, false)).build());
        send(Events.event("dev-b", at(HOUR_0, 3), Outcome.FAILED).setErrorCode("E_FAIL, then some")
                .setInventory(inventory("dev-b", 572, 80, false)).build());

        FailureTrend trend = trends.readKeyValuesToMap().get(HOUR_0 + "|KB5034441|500-750MB|<250MB|off");

        assertThat(dlq.isEmpty()).isTrue();
        assertThat(trend.getFailures()).isEqualTo(3);
        assertThat(trend.getDevicesFailedByError()).containsOnly(Map.entry("0x80070643", 1L),
                Map.entry("raw:E_FAIL__then_some", 1L));
    }

    @Test
    void shouldTellReplaysFromEventsOfOtherDevicesThatShareAnId() {
        InstallEvent first = Events.event("dev-a", at(HOUR_0, 1), Outcome.FAILED).setEventId("4711")
                .setErrorCode("0x80070643").setInventory(inventory("dev-a", 572, 80, true)).build();
        InstallEvent other = Events.event("dev-b", at(HOUR_0, 2), Outcome.FAILED).setEventId("4711")
                .setErrorCode("0x80070643").setInventory(inventory("dev-b", 572, 80, true)).build();
        send(first);
        send(other);
        send(first);

        FailureTrend trend = trends.readKeyValuesToMap().get(HOUR_0 + TPM_SMALL);

        assertThat(trend.getAttempts()).isEqualTo(2);
        assertThat(trend.getDevicesFailed()).isEqualTo(2);
    }

    @Test
    void shouldKeepCountingAfterBadInput() {
        rawEvents.pipeInput(new TestRecord<>("dev-a", new byte[] {(byte) 0xC3, 0x01, 1, 2}, PATCH_TUESDAY));
        send(failed("dev-a", at(HOUR_0, 1), inventory("dev-a", 572, 80, true)));

        assertThat(dlq.getQueueSize()).isEqualTo(1);
        assertThat(trends.readKeyValuesToMap()).containsKey(HOUR_0 + TPM_SMALL);
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

}
