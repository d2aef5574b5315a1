package io.patchpulse.streams.topology;

import static io.patchpulse.streams.topology.Events.PATCH_TUESDAY;
import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.DeviceUpdateState;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.avro.WinreStatus;
import io.patchpulse.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The device tracker's rules (DOMAIN.md section 2), one behaviour per test, through the whole topology. */
class DeviceTrackerTest {

    private static final String JAN = "KB5034441";
    private static final String APR = "KB5057589";
    private static final String FIXED = "10.0.19041.3920";
    private static final String OLD = "10.0.19041.3636";

    private final Topics topics = new Topics("t.");
    private TopologyTestDriver driver;
    private TestInputTopic<String, InstallEvent> events;
    private TestInputTopic<String, DeviceInventory> inventories;
    private TestInputTopic<String, Release> releases;
    private TestOutputTopic<String, DeviceStatus> statuses;
    private TestOutputTopic<String, Remediation> remediations;
    private TestOutputTopic<String, ReleaseProgress> progress;
    private int sequence;

    @BeforeEach
    void startDriver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "device-tracker-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ttd-" + System.nanoTime());
        driver = new TopologyTestDriver(TrendTopology.build(TopologySettings.defaults(topics)), props);
        events = driver.createInputTopic(topics.installEvents.name(), Serdes.String().serializer(),
                topics.installEvents.valueSerde().serializer());
        inventories = driver.createInputTopic(topics.deviceInventory.name(), Serdes.String().serializer(),
                topics.deviceInventory.valueSerde().serializer());
        releases = driver.createInputTopic(topics.releases.name(), Serdes.String().serializer(),
                topics.releases.valueSerde().serializer());
        statuses = driver.createOutputTopic(topics.deviceStatus.name(), Serdes.String().deserializer(),
                topics.deviceStatus.valueSerde().deserializer());
        remediations = driver.createOutputTopic(topics.remediations.name(), Serdes.String().deserializer(),
                topics.remediations.valueSerde().deserializer());
        progress = driver.createOutputTopic(topics.releaseProgress.name(), Serdes.String().deserializer(),
                topics.releaseProgress.valueSerde().deserializer());
        publish(release(JAN, List.of(19044, 19045), FIXED, "2024-01-09"));
        publish(release(APR, List.of(19044, 19045), null, "2025-04-08"));
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldTrackEveryDeviceOnTheReleasesOsLineAsNeverAttemptedUntilItTries() {
        inventories.pipeInput("dev-a", device("dev-a", 19045, 572, 80, OLD, true, false), PATCH_TUESDAY);
        inventories.pipeInput("dev-w11", device("dev-w11", 22000, 572, 80, OLD, true, false), PATCH_TUESDAY);

        Map<String, DeviceStatus> latest = latestStatuses();
        assertThat(latest).containsOnlyKeys("dev-a|" + JAN, "dev-a|" + APR);
        DeviceStatus status = latest.get("dev-a|" + JAN);
        assertThat(status.getState()).isEqualTo(DeviceUpdateState.NEVER_ATTEMPTED);
        assertThat(status.getExposed()).as("BitLocker on, WinRE below " + FIXED).isTrue();
        assertThat(status.getWinreAtFixedVersion()).isFalse();
        assertThat(status.getSizeBucket()).isEqualTo("500-750MB");
        assertThat(latest.get("dev-a|" + APR).getWinreAtFixedVersion()).as("KB5057589's fixed version is unknown")
                .isNull();
    }

    @Test
    void shouldFollowAFailingDeviceAndKeepTheEvidenceOfItsFirstFailure() {
        DeviceInventory small = device("dev-a", 19045, 572, 80, OLD, true, false);
        send(result("dev-a", JAN, Outcome.FAILED, at(10), small, false));
        send(result("dev-a", JAN, Outcome.FAILED, at(60 * 24), small, false));

        DeviceStatus status = latestStatuses().get("dev-a|" + JAN);
        assertThat(status.getState()).isEqualTo(DeviceUpdateState.FAILING);
        assertThat(status.getAttempts()).isEqualTo(2);
        assertThat(status.getFailures()).isEqualTo(2);
        assertThat(status.getFirstFailureAt()).isEqualTo(at(10));
        assertThat(status.getLastAttemptAt()).isEqualTo(at(60 * 24));
        assertThat(status.getLastErrorCode()).isEqualTo("0x80070643");
        assertThat(status.getEvidence().getFreeBytesAtFirstFailure()).isEqualTo(80 * Events.MIB);
        assertThat(status.getInsufficientSpaceConfirmed()).isFalse();
        assertThat(remediations.isEmpty()).isTrue();
    }

    @Test
    void shouldCountAReplayedEventOnce() {
        InstallEvent failure = result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 572, 80, OLD,
                true, false), false);
        send(failure);
        send(failure);

        assertThat(latestStatuses().get("dev-a|" + JAN).getAttempts()).isEqualTo(1);
    }

    @Test
    void shouldConfirmInsufficientSpaceWhenWinreAgentReportsErrorPhaseTwoNearTheFailure() {
        DeviceInventory small = device("dev-a", 19045, 572, 80, OLD, true, false);
        DeviceInventory other = device("dev-b", 19045, 572, 80, OLD, true, false);
        send(result("dev-a", JAN, Outcome.FAILED, at(10), small, false));
        send(winreAgent("dev-a", Outcome.WINRE_SERVICING_FAILED, at(12), 2, null));
        // dev-b (known from its inventory): the 4502 comes first, the failure minutes later; dev-c: ErrorPhase 1 is
        // not a space failure.
        inventories.pipeInput("dev-b", other, PATCH_TUESDAY);
        send(winreAgent("dev-b", Outcome.WINRE_SERVICING_FAILED, at(20), 2, null));
        send(result("dev-b", JAN, Outcome.FAILED, at(25), other, false));
        send(result("dev-c", JAN, Outcome.FAILED, at(10), device("dev-c", 19045, 572, 80, OLD, true, false), false));
        send(winreAgent("dev-c", Outcome.WINRE_SERVICING_FAILED, at(12), 1, null));
        // dev-d: a 4502 a day away accompanies nothing.
        send(result("dev-d", JAN, Outcome.FAILED, at(10), device("dev-d", 19045, 572, 80, OLD, true, false), false));
        send(winreAgent("dev-d", Outcome.WINRE_SERVICING_FAILED, at(10 + 60 * 24), 2, null));

        Map<String, DeviceStatus> latest = latestStatuses();
        assertThat(latest.get("dev-a|" + JAN).getInsufficientSpaceConfirmed()).isTrue();
        assertThat(latest.get("dev-b|" + JAN).getInsufficientSpaceConfirmed()).isTrue();
        assertThat(latest.get("dev-c|" + JAN).getInsufficientSpaceConfirmed()).isFalse();
        assertThat(latest.get("dev-d|" + JAN).getInsufficientSpaceConfirmed()).isFalse();
    }

    @Test
    void shouldCallAFailureWhileARebootWasPendingFalseWhenSuccessFollowsInTime() {
        DeviceInventory roomy = device("dev-a", 19045, 1024, 400, OLD, true, false);
        send(result("dev-a", APR, Outcome.FAILED, at(10), roomy, true));
        send(result("dev-a", APR, Outcome.SUCCEEDED, at(10 + 60 * 5), roomy, false));

        DeviceStatus status = latestStatuses().get("dev-a|" + APR);
        assertThat(status.getState()).isEqualTo(DeviceUpdateState.FALSE_FAILURE);
        assertThat(status.getFixCause()).isEqualTo(RemediationCause.FALSE_FAILURE);
        assertThat(status.getExposed()).isFalse();
        Remediation remediation = remediations.readValue();
        assertThat(remediation.getCause()).isEqualTo(RemediationCause.FALSE_FAILURE);
        assertThat(remediation.getTimeToFixMillis()).isEqualTo(Duration.ofHours(5).toMillis());
        ReleaseProgress april = latestProgress(APR);
        assertThat(april.getDevicesFailing()).as("a false failure leaves the failing count once known").isZero();
        assertThat(april.getDevicesFalseFailure()).isEqualTo(1);
        assertThat(april.getFixedByCause()).containsEntry("FALSE_FAILURE", 1L);
    }

    @Test
    void shouldTakeWinreAgentSuccessAfterARebootAsTheSuccessThatMakesAFailureFalse() {
        DeviceInventory roomy = device("dev-a", 19045, 1024, 400, OLD, true, false);
        send(result("dev-a", APR, Outcome.FAILED, at(10), roomy, true));
        send(winreAgent("dev-a", Outcome.WINRE_SERVICING_SUCCEEDED, at(200), null, "10.0.19041.5720"));

        assertThat(latestStatuses().get("dev-a|" + APR).getState()).isEqualTo(DeviceUpdateState.FALSE_FAILURE);
    }

    @Test
    void shouldNotCallAFailureFalseWhenSuccessComesTooLateOrAFailureHadNoPendingReboot() {
        DeviceInventory roomy = device("dev-a", 19045, 1024, 400, OLD, true, false);
        send(result("dev-a", APR, Outcome.FAILED, at(10), roomy, true));
        send(result("dev-a", APR, Outcome.SUCCEEDED, at(10).plus(Duration.ofDays(4)), roomy, false));
        DeviceInventory roomyB = device("dev-b", 19045, 1024, 400, OLD, true, false);
        send(result("dev-b", APR, Outcome.FAILED, at(10), roomyB, true));
        send(result("dev-b", APR, Outcome.FAILED, at(70), roomyB, false));
        send(result("dev-b", APR, Outcome.SUCCEEDED, at(130), roomyB, false));

        Map<String, DeviceStatus> latest = latestStatuses();
        assertThat(latest.get("dev-a|" + APR).getState()).isEqualTo(DeviceUpdateState.FIXED);
        assertThat(latest.get("dev-a|" + APR).getFixCause()).isEqualTo(RemediationCause.RETRY);
        assertThat(latest.get("dev-b|" + APR).getFixCause()).isEqualTo(RemediationCause.RETRY);
    }

    @Test
    void shouldAttributeAFixToTheKb5034957ScriptWhenItsFlagAppearedAfterTheFirstFailure() {
        send(result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 572, 80, OLD, true, false), false));
        // The script patches winre.wim in place: the next inventory shows the flag and the fixed version.
        observe(device("dev-a", 19045, 572, 70, FIXED, true, true), at(60 * 20));

        DeviceStatus status = latestStatuses().get("dev-a|" + JAN);
        assertThat(status.getState()).isEqualTo(DeviceUpdateState.FIXED);
        assertThat(status.getFixCause()).isEqualTo(RemediationCause.SCRIPT_APPLIED);
        assertThat(status.getExposed()).isFalse();
        assertThat(remediations.isEmpty()).as("a fix seen in the WinRE version waits for an explaining event")
                .isTrue();
        driver.advanceWallClockTime(DeviceTracker.SETTLE_WALL);
        Remediation remediation = remediations.readValue();
        assertThat(remediation.getCause()).isEqualTo(RemediationCause.SCRIPT_APPLIED);
        assertThat(remediation.getFixedAt()).isEqualTo(at(60 * 20));
        assertThat(remediation.getWinreVersionBefore()).isEqualTo(OLD);
        assertThat(remediation.getWinreVersionAfter()).isEqualTo(FIXED);
        assertThat(remediation.getFixedByEventId()).isNull();
    }

    @Test
    void shouldAttributeAFixToAResizeWhenFreeSpaceGrewPast250MibBeforeTheSuccess() {
        send(result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 572, 80, OLD, true, false), false));
        observe(device("dev-a", 19045, 1072, 580, OLD, true, false), at(60 * 20));
        // After servicing the image is larger and free space shrinks again: the resize still gets the credit.
        send(result("dev-a", JAN, Outcome.SUCCEEDED, at(60 * 24), device("dev-a", 19045, 1072, 560, FIXED, true,
                false), false));

        Remediation remediation = remediations.readValue();
        assertThat(remediation.getCause()).isEqualTo(RemediationCause.PARTITION_RESIZED);
        assertThat(remediation.getFreeBytesBefore()).isEqualTo(80 * Events.MIB);
        assertThat(remediation.getFreeBucket()).isEqualTo("<250MB");
        assertThat(remediation.getTimeToFixMillis()).isEqualTo(Duration.ofMinutes(60 * 24 - 10).toMillis());
        assertThat(remediation.getEvidence()).contains("572 MiB -> 1072 MiB");
        assertThat(remediations.isEmpty()).as("one remediation per fix").isTrue();
    }

    @Test
    void shouldAttributeAFixToANewerReleaseWhenWinreGotThereWithoutASuccessOnTheKb() {
        send(result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 572, 80, OLD, true, false), false));
        send(result("dev-a", APR, Outcome.SUCCEEDED, at(60 * 24), device("dev-a", 19045, 572, 60, "10.0.19041.5720",
                true, false), false));

        driver.advanceWallClockTime(DeviceTracker.SETTLE_WALL);

        Map<String, DeviceStatus> latest = latestStatuses();
        assertThat(latest.get("dev-a|" + JAN).getFixCause()).isEqualTo(RemediationCause.NEWER_RELEASE);
        assertThat(latest.get("dev-a|" + APR).getState()).as("never failed: fixed, no remediation")
                .isEqualTo(DeviceUpdateState.FIXED);
        assertThat(latest.get("dev-a|" + APR).getFixCause()).isNull();
        List<Remediation> all = remediations.readValuesToList();
        assertThat(all).extracting(Remediation::getKb).containsExactly(JAN);
    }

    @Test
    void shouldCreditTheDevicesOwnSuccessWhenItsNewWinreIsReadAMomentBeforeIt() {
        send(result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 1024, 400, OLD, true, false), false));
        // The inventory after the success comes from another topic and is read first; the success follows.
        observe(device("dev-a", 19045, 1024, 380, FIXED, true, false), at(60 * 24));
        send(result("dev-a", JAN, Outcome.SUCCEEDED, at(60 * 24), device("dev-a", 19045, 1024, 380, FIXED, true,
                false), false));
        driver.advanceWallClockTime(DeviceTracker.SETTLE_WALL);

        List<Remediation> all = remediations.readValuesToList();
        assertThat(all).extracting(Remediation::getCause).containsExactly(RemediationCause.RETRY);
        assertThat(all.get(0).getFixedByEventId()).isNotNull();
        assertThat(latestProgress(JAN).getFixedByCause()).isEqualTo(Map.of("RETRY", 1L));
    }

    @Test
    void shouldSettleAFixSeenOnlyInTheWinreVersionOnceStreamTimeHasMovedOn() {
        send(result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 1024, 400, OLD, true, false), false));
        observe(device("dev-a", 19045, 1024, 380, FIXED, true, false), at(60 * 24));
        assertThat(remediations.isEmpty()).isTrue();
        // Any later record of the task moves stream time past the settle time.
        observe(device("dev-z", 19045, 1024, 400, OLD, false, false), at(60 * 25));

        assertThat(remediations.readValue().getCause()).as("no other release succeeded: a plain retry")
                .isEqualTo(RemediationCause.RETRY);
    }

    @Test
    void shouldNotLetAnOlderSnapshotOverwriteNewerFacts() {
        observe(device("dev-a", 19045, 1072, 600, FIXED, true, false), at(60 * 12));
        // A backlog failure from earlier in the day carries the device as it was then.
        send(result("dev-a", APR, Outcome.FAILED, at(60 * 9), device("dev-a", 19045, 572, 80, OLD, true, false),
                false));

        DeviceStatus january = latestStatuses().get("dev-a|" + JAN);
        assertThat(january.getWinreVersion()).isEqualTo(FIXED);
        assertThat(january.getWinreAtFixedVersion()).isTrue();
        assertThat(january.getEvidence().getFreeBytes()).isEqualTo(600 * Events.MIB);
    }

    @Test
    void shouldCallAFailureFalseAlsoWhenItArrivesAfterTheSuccessThatFollowedIt() {
        DeviceInventory roomy = device("dev-a", 19045, 1024, 400, OLD, true, false);
        send(result("dev-a", APR, Outcome.SUCCEEDED, at(60 * 3), roomy, false));
        send(result("dev-a", APR, Outcome.FAILED, at(10), roomy, true));

        DeviceStatus status = latestStatuses().get("dev-a|" + APR);
        assertThat(status.getState()).isEqualTo(DeviceUpdateState.FALSE_FAILURE);
        assertThat(remediations.readValue().getCause()).isEqualTo(RemediationCause.FALSE_FAILURE);
    }

    @Test
    void shouldCallAPlainLaterSuccessARetry() {
        DeviceInventory roomy = device("dev-a", 19045, 1024, 400, OLD, false, false);
        send(result("dev-a", JAN, Outcome.FAILED, at(10), roomy, false));
        send(result("dev-a", JAN, Outcome.SUCCEEDED, at(60 * 24), roomy, false));

        assertThat(remediations.readValue().getCause()).isEqualTo(RemediationCause.RETRY);
    }

    @Test
    void shouldSeeAFailureLearnedAfterTheFixAsAFailingStretchThatEnded() {
        DeviceInventory roomy = device("dev-a", 19045, 1024, 400, OLD, false, false);
        send(result("dev-a", JAN, Outcome.SUCCEEDED, at(60 * 24), roomy, false));
        // An offline backlog arrives after the success it preceded.
        send(result("dev-a", JAN, Outcome.FAILED, at(10), roomy, false));

        DeviceStatus status = latestStatuses().get("dev-a|" + JAN);
        assertThat(status.getState()).isEqualTo(DeviceUpdateState.FIXED);
        assertThat(status.getFirstFailureAt()).isEqualTo(at(10));
        assertThat(remediations.readValue().getCause()).isEqualTo(RemediationCause.RETRY);
    }

    @Test
    void shouldSumReleaseProgressToAnIndependentCountOfTheDevices() {
        // Five devices on Windows 10 22H2: two fail, one of which is script-patched later; one succeeds at once,
        // one never tries, one already runs the fixed WinRE. BitLocker on for a, b, d.
        observe(device("dev-d", 19045, 572, 80, OLD, true, false), at(1));
        observe(device("dev-e", 19045, 1024, 400, FIXED, true, false), at(1));
        send(result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 572, 80, OLD, true, false), false));
        send(result("dev-b", JAN, Outcome.FAILED, at(11), device("dev-b", 19045, 572, 80, OLD, true, false), false));
        send(result("dev-c", JAN, Outcome.SUCCEEDED, at(12), device("dev-c", 19045, 1024, 400, FIXED, false, false),
                false));
        observe(device("dev-b", 19045, 572, 70, FIXED, true, true), at(60 * 26));

        ReleaseProgress january = latestProgress(JAN);
        assertThat(january.getDay()).isEqualTo(LocalDate.of(2024, 1, 10));
        assertThat(january.getDevicesTracked()).isEqualTo(5);
        assertThat(january.getDevicesAttempted()).as("a, b, c").isEqualTo(3);
        assertThat(january.getDevicesFailing()).as("a").isEqualTo(1);
        assertThat(january.getDevicesFixed()).as("b, c, e").isEqualTo(3);
        assertThat(january.getFixedByCause()).isEqualTo(Map.of("SCRIPT_APPLIED", 1L));
        assertThat(january.getDevicesAtFixedWinre()).as("b, c, e").isEqualTo(3);
        assertThat(january.getShareAtFixedWinre()).isEqualTo(0.6);
        assertThat(january.getExposedDevices()).as("a and d: BitLocker on, not fixed").isEqualTo(2);
        KeyValueStore<String, ReleaseProgress> days = driver.getKeyValueStore(Names.STORE_RELEASE_PROGRESS);
        assertThat(days.get(JAN + "|2024-01-09").getDevicesFailing()).as("the first day's row").isEqualTo(2);
    }

    @Test
    void shouldNumberEveryUpdateOfAReleaseDayWithAStrictlyGrowingRevisionPerDay() {
        // Given a device failing on day 1, then a second failure on day 1 and one device changing on day 2
        send(result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 572, 80, OLD, true, false), false));
        send(result("dev-b", JAN, Outcome.FAILED, at(11), device("dev-b", 19045, 572, 80, OLD, true, false), false));
        observe(device("dev-b", 19045, 572, 70, FIXED, true, true), at(60 * 26));

        // then per kb|day key the revisions count that key's records from 1, one more each time
        Map<String, List<Long>> revisions = new TreeMap<>();
        for (KeyValue<String, ReleaseProgress> record : progress.readKeyValuesToList()) {
            revisions.computeIfAbsent(record.key, k -> new java.util.ArrayList<>()).add(record.value.getRevision());
        }
        assertThat(revisions).containsKeys(JAN + "|2024-01-09", JAN + "|2024-01-10");
        revisions.forEach((key, seen) -> assertThat(seen).as(key)
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, seen.size()).boxed().toList()));
        // and the day rows in the changelogged store hold the newest revision of each day
        KeyValueStore<String, ReleaseProgress> days = driver.getKeyValueStore(Names.STORE_RELEASE_PROGRESS);
        revisions.forEach((key, seen) -> assertThat(days.get(key).getRevision()).as(key)
                .isEqualTo(seen.get(seen.size() - 1)));
    }

    @Test
    void shouldTrackAReleaseAddedToTheCatalogWithoutARestart() {
        publish(release("KB5099999", List.of(19045), "10.0.19041.9999", "2026-04-14"));
        inventories.pipeInput("dev-a", device("dev-a", 19045, 572, 80, OLD, true, false), at(1));

        assertThat(latestStatuses()).containsKey("dev-a|KB5099999");
    }

    @Test
    void shouldStopFollowingAReleaseTakenOutOfTheCatalog() {
        send(result("dev-a", JAN, Outcome.FAILED, at(10), device("dev-a", 19045, 572, 80, OLD, true, false), false));
        releases.pipeInput(JAN, null, PATCH_TUESDAY); // a tombstone
        statuses.readKeyValuesToList();

        send(result("dev-a", JAN, Outcome.FAILED, at(70), device("dev-a", 19045, 572, 80, OLD, true, false), false));
        observe(device("dev-a", 19045, 1072, 600, FIXED, true, false), at(60 * 20));
        driver.advanceWallClockTime(DeviceTracker.SETTLE_WALL);

        assertThat(latestStatuses()).doesNotContainKey("dev-a|" + JAN);
        KeyValueStore<String, DeviceStatus> store = driver.getKeyValueStore(Names.STORE_DEVICE_STATUS);
        assertThat(store.get("dev-a|" + JAN).getAttempts()).as("as it was when the release left").isEqualTo(1);
        assertThat(remediations.isEmpty()).isTrue();
    }

    // --- helpers ---

    private void publish(Release release) {
        releases.pipeInput(release.getKb(), release, PATCH_TUESDAY);
    }

    /** The device reports its state, read on the device at {@code when}. */
    private void observe(DeviceInventory state, Instant when) {
        inventories.pipeInput(state.getDeviceId(), DeviceInventory.newBuilder(state).setObservedAt(when).build(), when);
    }

    private void send(InstallEvent event) {
        events.pipeInput(new TestRecord<>(event.getDeviceId(), event, event.getOccurredAt()));
    }

    private Map<String, DeviceStatus> latestStatuses() {
        Map<String, DeviceStatus> latest = new TreeMap<>();
        for (KeyValue<String, DeviceStatus> record : statuses.readKeyValuesToList()) {
            latest.put(record.key, record.value);
        }
        KeyValueStore<String, DeviceStatus> store = driver.getKeyValueStore(Names.STORE_DEVICE_STATUS);
        latest.forEach((key, value) -> assertThat(store.get(key)).as("store and topic agree").isEqualTo(value));
        return latest;
    }

    private ReleaseProgress latestProgress(String kb) {
        ReleaseProgress last = null;
        for (KeyValue<String, ReleaseProgress> record : progress.readKeyValuesToList()) {
            if (record.value.getKb().equals(kb)) {
                last = record.value;
            }
        }
        return last;
    }

    private static Instant at(int minutes) {
        return PATCH_TUESDAY.plus(Duration.ofMinutes(minutes));
    }

    static Release release(String kb, List<Integer> builds, String fixed, String day) {
        return Release.newBuilder().setKb(kb).setTitle(kb).setOsLine("Windows 10 21H2/22H2").setOsBuilds(builds)
                .setReleasedOn(LocalDate.parse(day)).setFixedWinreVersion(fixed).setSources(List.of("test"))
                .build();
    }

    static DeviceInventory device(String id, int build, long sizeMib, long freeMib, String winre, boolean bitlocker,
            boolean scriptPatched) {
        DeviceInventory base = Events.inventory(id, sizeMib, freeMib, bitlocker);
        return DeviceInventory.newBuilder(base)
                .setOs(OsInfo.newBuilder().setProduct("Windows 10 Enterprise").setVersion("22H2").setBuild(build)
                        .setUbr(3803).build())
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.ENABLED).setVersion(winre).build())
                .setScriptPatched(scriptPatched)
                .build();
    }

    private InstallEvent result(String device, String kb, Outcome outcome, Instant when, DeviceInventory inventory,
            boolean rebootPending) {
        InstallEvent.Builder event = Events.event(device, when, outcome).setKb(kb).setUpdateTitle("(" + kb + ")")
                .setEventId("trk-" + (++sequence)).setRebootPending(rebootPending).setInventory(inventory);
        if (outcome == Outcome.FAILED) {
            event.setErrorCode("0x80070643").setRawErrorCode("0x80070643");
        }
        return event.build();
    }

    private InstallEvent winreAgent(String device, Outcome outcome, Instant when, Integer phase, String version) {
        InstallEvent.Builder event = Events.event(device, when, outcome).setKb(null).setUpdateTitle(null)
                .setEventId("trk-" + (++sequence)).setWinreErrorPhase(phase).setWinreVersion(version);
        if (outcome == Outcome.WINRE_SERVICING_FAILED) {
            event.setErrorCode("0x800F0828").setRawErrorCode("-2146498520");
        }
        return event.build();
    }
}
