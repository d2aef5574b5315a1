package io.patchpulse.streams.topology;

import static io.patchpulse.streams.topology.Events.failed;
import static io.patchpulse.streams.topology.Events.inventory;
import static io.patchpulse.streams.topology.Events.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Step 6 through the real topology. Hourly windows, default rules: at least 10 failing devices and a 20 % failure
 * rate, and both 3 x the cohort's baseline (the mean over its previous 24 windows). The seed article's cohort
 * (572 MB partition, 80 MB free, BitLocker on with TPM) is the one that spikes; its quiet hours have 1 failing
 * device among 21.
 */
class SpikeDetectorTest {

    private static final String APP = "spike-detector-test";
    private static final Instant HOUR_0 = Instant.parse("2024-01-09T10:00:00Z");
    private static final Instant WALL_CLOCK = Instant.parse("2024-01-09T23:59:00Z");
    private static final String SMALL_TPM = "KB5034441|500-750MB|<250MB|on-tpm";
    private static final String LARGE_OFF = "KB5034441|>=1GB|>=250MB|off";

    private final Topics topics = new Topics("t.");
    private TopologyTestDriver driver;
    private TestInputTopic<String, InstallEvent> events;
    private TestOutputTopic<String, SpikeAlert> alerts;
    private int devices;

    @BeforeEach
    void startDriver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ttd-" + System.nanoTime());
        driver = new TopologyTestDriver(TrendTopology.build(TopologySettings.defaults(topics)), props, WALL_CLOCK);
        events = driver.createInputTopic(topics.installEvents.name(), Serdes.String().serializer(),
                topics.installEvents.valueSerde().serializer());
        alerts = driver.createOutputTopic(topics.alerts.name(), Serdes.String().deserializer(),
                topics.alerts.valueSerde().deserializer());
        // The catalog says which KBs are WinRE updates (their space failures get the resize / script runbook).
        driver.createInputTopic(topics.releases.name(), Serdes.String().serializer(),
                topics.releases.valueSerde().serializer()).pipeInput("KB5034441",
                DeviceTrackerTest.release("KB5034441", java.util.List.of(19044, 19045), "10.0.19041.3920",
                        "2024-01-09"));
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private static Instant at(int hour, int minute) {
        return HOUR_0.plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
    }

    private void send(InstallEvent event) {
        events.pipeInput(new TestRecord<>(event.getDeviceId(), event, event.getOccurredAt()));
    }

    private DeviceInventory smallTpm(String device) {
        return inventory(device, 572, 80, true);
    }

    private DeviceInventory largeOff(String device) {
        return inventory(device, 1100, 600, false);
    }

    private String newDevice() {
        return "dev-" + (++devices);
    }

    /** An hour of the small cohort: {@code failing} new devices fail, {@code succeeding} new devices succeed. */
    private void hour(int hour, int failing, int succeeding) {
        for (int i = 0; i < succeeding; i++) {
            String device = newDevice();
            send(succeeded(device, at(hour, 1 + i % 58), smallTpm(device)));
        }
        for (int i = 0; i < failing; i++) {
            String device = newDevice();
            send(failed(device, at(hour, 2 + i % 57), smallTpm(device)));
        }
    }

    /** Four quiet hours (0 to 3): 1 failing device among 21 each. */
    private void quietBaseline() {
        for (int hour = 0; hour < 4; hour++) {
            hour(hour, 1, 20);
        }
    }

    private List<SpikeAlert> emitted() {
        return alerts.readValuesToList();
    }

    @Test
    void shouldFireWhileTheWindowIsStillOpenOnTheUpdateThatCrossesTheThresholds() {
        quietBaseline();
        hour(4, 0, 5);
        List<InstallEvent> spike = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String device = newDevice();
            spike.add(failed(device, at(4, 10 + i), smallTpm(device)));
        }
        spike.subList(0, 9).forEach(this::send);
        assertThat(alerts.isEmpty()).as("9 failing devices are below the floor of 10").isTrue();

        send(spike.get(9));

        List<SpikeAlert> fired = emitted();
        assertThat(fired).hasSize(1);
        SpikeAlert alert = fired.get(0);
        assertThat(alert.getState()).isEqualTo(AlertState.FIRING);
        assertThat(alert.getAlertId()).isEqualTo(SMALL_TPM + "|" + at(4, 0));
        assertThat(alert.getKb()).isEqualTo("KB5034441");
        assertThat(alert.getSizeBucket()).isEqualTo("500-750MB");
        assertThat(alert.getFreeBucket()).isEqualTo("<250MB");
        assertThat(alert.getBitlocker()).isEqualTo("on-tpm");
        assertThat(alert.getErrorCode()).isEqualTo("0x80070643");
        assertThat(alert.getWindowStart()).isEqualTo(at(4, 0));
        assertThat(alert.getWindowEnd()).isEqualTo(at(5, 0));
        assertThat(alert.getStartsAt()).as("event time of the evidence").isEqualTo(spike.get(9).getOccurredAt());
        assertThat(alert.getEndsAt()).isNull();
        assertThat(alert.getDetectedAt()).isEqualTo(WALL_CLOCK);
        // Recount: 10 failing of 15 attempting now; 4 earlier windows of 1 failing among 21.
        assertThat(alert.getCurrentDevicesFailed()).isEqualTo(10);
        assertThat(alert.getCurrentDevicesAttempted()).isEqualTo(15);
        assertThat(alert.getCurrentFailureRate()).isCloseTo(10.0 / 15, within(1e-9));
        assertThat(alert.getBaselineWindows()).isEqualTo(4);
        assertThat(alert.getBaselineDevicesFailed()).isCloseTo(1.0, within(1e-9));
        assertThat(alert.getBaselineFailureRate()).isCloseTo(1.0 / 21, within(1e-9));
        assertThat(alert.getRunbookUrl()).isEqualTo("https://support.microsoft.com/help/5028997");
        assertThat(alert.getSummary()).contains("KB5034441", "10 of 15 devices", "500-750MB", "<250MB", "on-tpm",
                "0x80070643", "KB5028997", "KB5034957", "https://support.microsoft.com/help/5034957");
    }

    @Test
    void shouldNotFireBelowTheFloorOfFailingDevicesOrOfTheRate() {
        // Brand-new cohorts have no baseline: only the floors stand in the way.
        for (int i = 0; i < 9; i++) {
            String device = newDevice();
            send(failed(device, at(0, i), smallTpm(device)));
        }
        for (int i = 0; i < 49; i++) {
            String device = newDevice();
            send(succeeded(device, at(0, 5), largeOff(device)));
        }
        for (int i = 0; i < 12; i++) {
            String device = newDevice();
            send(failed(device, at(0, 10 + i), largeOff(device)));
        }

        assertThat(alerts.isEmpty()).as("9 of 9 failing, and 12 of 61 (19.7 %) failing").isTrue();
    }

    @Test
    void shouldFireOnTheFloorsAloneInABrandNewCohort() {
        for (int i = 0; i < 10; i++) {
            String device = newDevice();
            send(failed(device, at(0, i), smallTpm(device)));
        }

        SpikeAlert alert = emitted().get(0);
        assertThat(alert.getBaselineWindows()).isZero();
        assertThat(alert.getBaselineDevicesFailed()).isZero();
        assertThat(alert.getSummary()).contains("no earlier windows");
    }

    @Test
    void shouldNotFireWhenTheBaselineIsAlreadyAsHigh() {
        for (int hour = 0; hour < 4; hour++) {
            hour(hour, 15, 135); // 15 failing devices an hour, at 10 %: below the rate floor
            for (int i = 0; i < 9; i++) { // 9 of 12 failing an hour: below the device floor
                String device = newDevice();
                send(succeeded(device, at(hour, 3), largeOff(device)));
            }
            for (int i = 0; i < 9; i++) {
                String device = newDevice();
                send(failed(device, at(hour, 4 + i), largeOff(device)));
            }
        }
        // 40 of 60 failing: the rate is 6.7 x the baseline, but the devices are not 3 x 15.
        hour(4, 40, 20);
        // 60 of 70 failing: 6.7 x the baseline in devices, but the rate cannot reach 3 x 75 %.
        for (int i = 0; i < 10; i++) {
            String device = newDevice();
            send(succeeded(device, at(4, 3), largeOff(device)));
        }
        for (int i = 0; i < 60; i++) {
            String device = newDevice();
            send(failed(device, at(4, 4 + i % 50), largeOff(device)));
        }

        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void shouldNotFireAgainInTheSameEpisodeNeitherInTheSameWindowNorInTheNextOne() {
        quietBaseline();
        hour(4, 10, 0);
        hour(4, 25, 0);
        hour(5, 30, 5);
        hour(6, 12, 10);

        List<SpikeAlert> fired = emitted();
        assertThat(fired).extracting(SpikeAlert::getState).containsExactly(AlertState.FIRING);
        assertThat(fired.get(0).getWindowStart()).isEqualTo(at(4, 0));
    }

    @Test
    void shouldJudgeTheEpisodesNextWindowsAgainstTheBaselineFrozenWhenItFired() {
        quietBaseline();
        // 20 failing devices an hour for 12 hours: a running baseline would need 3 x 9.1 = 27 devices by hour 7.
        for (int hour = 4; hour < 16; hour++) {
            hour(hour, 20, 10);
        }
        hour(16, 0, 1);

        assertThat(emitted()).extracting(SpikeAlert::getState).containsExactly(AlertState.FIRING);
    }

    @Test
    void shouldResolveWithTheSameIdOnceTheWindowAfterTheEpisodeHasClosedBelow() {
        quietBaseline();
        hour(4, 12, 5);
        hour(5, 1, 20);
        assertThat(emitted()).extracting(SpikeAlert::getState).containsExactly(AlertState.FIRING);
        send(succeeded("late-in-hour-5", at(5, 59), smallTpm("late-in-hour-5")));
        assertThat(alerts.isEmpty()).as("hour 5 is still open").isTrue();

        send(succeeded("first-of-hour-6", at(6, 0), smallTpm("first-of-hour-6")));

        List<SpikeAlert> resolved = emitted();
        assertThat(resolved).hasSize(1);
        SpikeAlert alert = resolved.get(0);
        assertThat(alert.getState()).isEqualTo(AlertState.RESOLVED);
        assertThat(alert.getAlertId()).isEqualTo(SMALL_TPM + "|" + at(4, 0));
        assertThat(alert.getWindowStart()).isEqualTo(at(5, 0));
        assertThat(alert.getEndsAt()).isEqualTo(at(5, 0));
        assertThat(alert.getStartsAt()).isBefore(at(5, 0));
        assertThat(alert.getCurrentDevicesFailed()).isEqualTo(1);
        assertThat(alert.getCurrentDevicesAttempted()).isEqualTo(22);
        assertThat(alert.getSummary()).startsWith("Resolved");
        assertThat(driver.<String, SpikeAlert>getKeyValueStore(Names.STORE_SPIKE_ALERTS).get(SMALL_TPM))
                .isEqualTo(alert);
    }

    @Test
    void shouldKeepTheEpisodeThroughAWindowThatStaysAboveHalfTheThresholds() {
        quietBaseline();
        hour(4, 12, 5);
        hour(5, 7, 3); // 7 of 10 failing: under the floor of 10 devices, over half of it
        hour(6, 1, 20);
        assertThat(emitted()).extracting(SpikeAlert::getState).containsExactly(AlertState.FIRING);

        send(succeeded("first-of-hour-7", at(7, 0), smallTpm("first-of-hour-7")));

        List<SpikeAlert> resolved = emitted();
        assertThat(resolved).extracting(SpikeAlert::getState).containsExactly(AlertState.RESOLVED);
        assertThat(resolved.get(0).getEndsAt()).isEqualTo(at(6, 0));
    }

    @Test
    void shouldResolveACohortThatWentQuietWhenAnotherCohortMovesStreamTimeOn() {
        quietBaseline();
        hour(4, 12, 5);
        emitted();

        send(succeeded("other", at(6, 30), largeOff("other")));

        List<SpikeAlert> resolved = emitted();
        assertThat(resolved).extracting(SpikeAlert::getState).containsExactly(AlertState.RESOLVED);
        assertThat(resolved.get(0).getCurrentDevicesAttempted()).isZero();
        assertThat(resolved.get(0).getEndsAt()).isEqualTo(at(5, 0));
    }

    @Test
    void shouldStartANewEpisodeWithANewIdAfterAResolve() {
        quietBaseline();
        hour(4, 12, 5);
        hour(5, 1, 20);
        hour(6, 1, 20);
        hour(7, 1, 20);
        // Baseline of hour 8, recounted: failing 1,1,1,1,12,1,1,1 over 8 windows = 19 / 8; 3 x that = 7.1 < 30.
        hour(8, 30, 10);

        List<SpikeAlert> all = emitted();
        assertThat(all).extracting(SpikeAlert::getState)
                .containsExactly(AlertState.FIRING, AlertState.RESOLVED, AlertState.FIRING);
        assertThat(all.get(2).getAlertId()).isEqualTo(SMALL_TPM + "|" + at(8, 0)).isNotEqualTo(all.get(0).getAlertId());
        assertThat(all.get(2).getBaselineWindows()).isEqualTo(8);
        assertThat(all.get(2).getBaselineDevicesFailed()).isCloseTo(19.0 / 8, within(1e-9));
    }

    @Test
    void shouldNotFireForAWindowBeforeTheOneThatResolvedTheEpisode() {
        quietBaseline();
        hour(4, 12, 5);
        hour(5, 1, 20);
        hour(6, 1, 20);
        emitted();

        hour(4, 15, 0); // late reports of the episode's own window

        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void shouldKeepTheLatestAlertAndTheHistoryInChangeloggedStores() {
        quietBaseline();
        hour(4, 12, 5);
        SpikeAlert fired = emitted().get(0);

        KeyValueStore<String, SpikeAlert> latest = driver.getKeyValueStore(Names.STORE_SPIKE_ALERTS);
        KeyValueStore<String, String> history = driver.getKeyValueStore(Names.STORE_SPIKE_HISTORY);
        assertThat(latest.get(SMALL_TPM)).isEqualTo(fired);
        CohortHistory remembered = CohortHistory.decode(history.get(SMALL_TPM));
        assertThat(remembered.firstWindow()).isEqualTo(at(0, 0).toEpochMilli());
        assertThat(remembered.lastAbove()).isEqualTo(at(4, 0).toEpochMilli());
        assertThat(remembered.windows()).containsOnlyKeys(at(0, 0).toEpochMilli(), at(1, 0).toEpochMilli(),
                at(2, 0).toEpochMilli(), at(3, 0).toEpochMilli(), at(4, 0).toEpochMilli());
        assertThat(remembered.counts(at(4, 0).toEpochMilli())).isEqualTo(new CohortHistory.Counts(12, 17));
        assertThat(remembered.counts(at(2, 0).toEpochMilli())).isEqualTo(new CohortHistory.Counts(1, 21));

        // Both stores are restored from their changelogs after a crash: the latest record there is the state.
        TestOutputTopic<String, SpikeAlert> alertsLog = driver.createOutputTopic(
                APP + "-" + Names.STORE_SPIKE_ALERTS + "-changelog", Serdes.String().deserializer(),
                topics.alerts.valueSerde().deserializer());
        TestOutputTopic<String, String> historyLog = driver.createOutputTopic(
                APP + "-" + Names.STORE_SPIKE_HISTORY + "-changelog", Serdes.String().deserializer(),
                Serdes.String().deserializer());
        assertThat(alertsLog.readKeyValuesToMap()).containsExactly(java.util.Map.entry(SMALL_TPM, fired));
        assertThat(historyLog.readKeyValuesToMap().get(SMALL_TPM)).isEqualTo(history.get(SMALL_TPM));
    }

    @Test
    void shouldNameTheErrorMostFailingDevicesReportAndPickTheGenericRunbookForIt() {
        for (int i = 0; i < 12; i++) {
            String device = newDevice();
            send(Events.event(device, at(0, i), io.patchpulse.schemas.avro.Outcome.FAILED)
                    .setErrorCode(i < 7 ? "0x800F0922" : "0x80070643").setInventory(largeOff(device)).build());
        }

        SpikeAlert alert = emitted().get(0);
        assertThat(alert.getErrorCode()).isEqualTo("0x800F0922");
        assertThat(alert.getRunbookUrl()).isEqualTo(SpikeAlertText.RUNBOOK_GENERIC);
        assertThat(alert.getSummary()).contains("7 of the failing devices report 0x800F0922")
                .doesNotContain("KB5028997");
    }
}
