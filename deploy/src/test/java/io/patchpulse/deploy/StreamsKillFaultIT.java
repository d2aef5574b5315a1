package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.DeviceTruth;
import io.patchpulse.collector.simulate.PresetRun;
import io.patchpulse.collector.simulate.PresetSettings;
import io.patchpulse.collector.simulate.Presets;
import io.patchpulse.collector.simulate.ReleaseTruth;
import io.patchpulse.deploy.cli.PatchPulseCli;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.RemediationCause;
import io.patchpulse.schemas.topics.TrendKey;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.streams.StreamsApp;
import io.patchpulse.streams.StreamsSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two streams instances share the work; one is killed (SIGKILL, no shutdown) in the middle of the run (windows
 * open, transactions in flight), the survivor takes over its partitions and state, and the killed one is restarted on
 * its state directory while the last fifth arrives. Under exactly_once_v2 every trend row equals an independent
 * recount of the published events (reported through {@link FaultReport} as the fault "streams-instance-kill"), and
 * device states, remediations and release progress equal the jan-2024 preset's truth.
 *
 * <p>What this test found: the preset's records carry 2024 event times, and a topic with Kafka's default time
 * retention lost them at the broker's first retention check (30 s after start). Input the killed instance had not
 * committed was gone; the survivor found its position out of range, reset to the new log start and skipped it.
 * {@link io.patchpulse.deploy.kafka.TopicSetup} now creates those topics without time retention. On a failure the
 * test prints the transactions, end offsets and group offsets and keeps both sides of the trend comparison and the
 * input under target/failover-diagnosis. {@code -Dfailover.noKill=true} runs the same without the kill,
 * {@code -Dfailover.txStores=true} with transactional state stores (KIP-892), {@code -Dfailover.victimFirst=true}
 * lets the victim run alone before the survivor joins; slf4j-simple logging switches given to the test JVM reach the
 * victim too.
 */
class StreamsKillFaultIT {

    private static final String APP = "failover-test";
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @Test
    void shouldCountEveryTrendOnceAndEndAtThePresetsTruthWhenOneOfTwoInstancesIsKilledAndRestarted() throws Exception {
        killOneOfTwoAndRestartIt();
    }

    private void killOneOfTwoAndRestartIt() throws Exception {
        PresetRun run = Presets.named("jan-2024").run(PresetSettings.of(600, 11));
        List<CollectedRecord> records = run.simulation().stream().toList();
        int cut = records.size() * 6 / 10;
        int restartAt = records.size() * 8 / 10;
        Topics topics = Topics.defaults();
        Path firstOut = dir.resolve("first.ndjson");
        Path secondOut = dir.resolve("second.ndjson");
        Path thirdOut = dir.resolve("third.ndjson");
        Map<String, RemediationCause> expected = new TreeMap<>();
        run.truth().deviceStatus().stream().filter(truth -> truth.cause() != null)
                .forEach(truth -> expected.put(truth.deviceId() + "|" + truth.kb(), truth.cause()));

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            String bootstrap = kafka.bootstrapServers();
            StandaloneTopics.createWithCatalog(admin, bootstrap, topics, PARTITIONS);

            Process victim = startInstanceProcess(bootstrap, dir.resolve("state-victim"));
            if (Boolean.getBoolean("failover.victimFirst")) {
                // Experiment: the survivor joins only once the victim runs alone, so it never owned the victim's
                // tasks before the kill.
                await("the victim alone in the group").atMost(Duration.ofMinutes(2)).ignoreExceptions()
                        .until(() -> admin.describeConsumerGroups(List.of(APP)).all().get().get(APP).members()
                                .size() == 1);
            }
            try (StreamsApp survivor = new StreamsApp(new StreamsSettings(settings(bootstrap,
                    dir.resolve("state-survivor"), "127.0.0.1:0")))) {
                survivor.start(Duration.ofMinutes(2));
                await("both instances in the group").atMost(Duration.ofMinutes(2))
                        .until(() -> admin.describeConsumerGroups(List.of(APP)).all().get().get(APP).members()
                                .size() == 2);

                // Given both at work on the first 60 %
                publish(bootstrap, topics, records.subList(0, cut), firstOut);
                await("both instances writing device statuses").atMost(Duration.ofMinutes(2))
                        .until(() -> endOffsets(admin, topics.deviceStatus.name()) > 500);
                // and each holding input partitions, so the kill takes tasks with it
                await("both instances holding input partitions").atMost(Duration.ofMinutes(1))
                        .untilAsserted(() -> assertThat(admin.describeConsumerGroups(List.of(APP)).all().get()
                                .get(APP).members()).as("the group's members").hasSize(2)
                                .allSatisfy(member -> assertThat(member.assignment().topicPartitions())
                                        .as("partitions of %s", member.clientId()).isNotEmpty()));

                // When one is killed, records arrive while the survivor takes over, then the killed one is restarted
                // on its state directory and the rest arrives while both work again
                if (!Boolean.getBoolean("failover.noKill")) {
                    victim.destroyForcibly();
                    assertThat(victim.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                }
                publish(bootstrap, topics, records.subList(cut, restartAt), secondOut);
                if (!Boolean.getBoolean("failover.noKill")) {
                    victim = startInstanceProcess(bootstrap, dir.resolve("state-victim"));
                    await("the restarted instance back in the group").atMost(Duration.ofMinutes(2))
                            .until(() -> admin.describeConsumerGroups(List.of(APP)).all().get().get(APP).members()
                                    .size() == 2);
                }
                publish(bootstrap, topics, records.subList(restartAt, records.size()), thirdOut);

                // Then, once both have caught up (after a kill, positions past an aborted transaction are only
                // committed with the next record, so group lag is no measure here), the results equal the truth
                try {
                    await("the results equal the truth and the recount").atMost(Duration.ofMinutes(4))
                            .pollInterval(Duration.ofSeconds(5))
                            .untilAsserted(() -> assertResults(bootstrap, topics, run, expected,
                                    List.of(firstOut, secondOut, thirdOut)));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    Path kept = Path.of("target", "failover-diagnosis");
                    java.nio.file.Files.createDirectories(kept);
                    java.nio.file.Files.copy(firstOut, kept.resolve("first.ndjson"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    java.nio.file.Files.copy(secondOut, kept.resolve("second.ndjson"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    java.nio.file.Files.copy(thirdOut, kept.resolve("third.ndjson"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    // What a read_committed reader is held back by: open transactions and their first offsets.
                    System.err.println("OPEN TRANSACTIONS " + admin.listTransactions().all().get());
                    for (String topic : List.of(topics.deviceStatus.name(), topics.failureTrends.name(),
                            topics.installEvents.name())) {
                        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                        for (int partition = 0; partition < PARTITIONS; partition++) {
                            request.put(new TopicPartition(topic, partition), OffsetSpec.latest());
                        }
                        System.err.println("END " + topic + " HW " + admin.listOffsets(request,
                                new org.apache.kafka.clients.admin.ListOffsetsOptions(
                                        org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED)).all().get()
                                + " LSO " + admin.listOffsets(request, new org.apache.kafka.clients.admin
                                .ListOffsetsOptions(org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get());
                    }
                    System.err.println("GROUP OFFSETS " + admin.listConsumerGroupOffsets(APP)
                            .partitionsToOffsetAndMetadata().get());
                    admin.listTransactions().all().get().forEach(listing -> {
                        try {
                            System.err.println("TRANSACTION " + admin.describeTransactions(
                                    List.of(listing.transactionalId())).all().get());
                        } catch (Exception ignored) {
                            // diagnostics only
                        }
                    });
                    throw e;
                }
                assertThat(survivor.failure()).isNull();
                assertThat(victim.isAlive()).as("the restarted instance still runs").isTrue();
                IndependentRecount recount = IndependentRecount.of(firstOut, secondOut, thirdOut);
                FaultReport.record(FaultReport.compare("streams-instance-kill", "failure-trends topic", recount,
                        trendRows(TopicContents.latestByKey(bootstrap, topics.failureTrends)).entrySet(),
                        Map.of("instances", 2, "partitions", PARTITIONS, "killedAfterRecords", cut,
                                "recordsWhileKilled", restartAt - cut, "recordsAfterRestart",
                                records.size() - restartAt)));
            } finally {
                victim.destroyForcibly();
            }
        }
    }

    /** Device states, remediations and release progress equal the preset's truth; trends equal the recount. */
    private static void assertResults(String bootstrap, Topics topics, PresetRun run,
            Map<String, RemediationCause> expected, List<Path> published)
            throws IOException {
        // Nothing went to the dead-letter topic (no event was late or invalid)
        List<String> deadLetters = new ArrayList<>();
        TopicContents.read(bootstrap, topics.installEventsDlq).forEach(record -> {
            org.apache.kafka.common.header.Header reason = record.headers().lastHeader(io.patchpulse.schemas.topics.DlqHeaders.REASON);
            deadLetters.add(reason == null ? "?" : new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8));
        });
        assertThat(deadLetters).as("dead letters").isEmpty();
        // Every trend row equals an independent recount of what was published
        assertTrendsEqualRecount(TopicContents.latestByKey(bootstrap, topics.failureTrends),
                IndependentRecount.of(published.toArray(Path[]::new)));
        // Device states, remediations and release progress equal the preset's truth
        List<ConsumerRecord<String, DeviceStatus>> history = TopicContents.read(bootstrap, topics.deviceStatus);
        Map<String, DeviceStatus> statuses = new HashMap<>();
        history.forEach(record -> statuses.put(record.key(), record.value()));
        for (DeviceTruth truth : run.truth().deviceStatus()) {
            DeviceStatus status = statuses.get(truth.deviceId() + "|" + truth.kb());
            if (status != null && (status.getState() != truth.state() || status.getFixCause() != truth.cause())) {
                StringBuilder trail = new StringBuilder();
                history.stream().filter(record -> record.key().equals(truth.deviceId() + "|" + truth.kb()))
                        .forEach(record -> trail.append("\n  p").append(record.partition()).append("@")
                                .append(record.offset()).append(" ").append(record.value().getState()).append(" a=")
                                .append(record.value().getAttempts()).append(" at ")
                                .append(record.value().getUpdatedAt()));
                System.err.println("MISMATCH " + truth + trail);
            }
            assertThat(status).as("status of %s on %s", truth.deviceId(), truth.kb()).isNotNull();
            assertThat(status.getState()).as("state of %s on %s: %s", truth.deviceId(), truth.kb(), status)
                    .isEqualTo(truth.state());
            assertThat(status.getFixCause()).as("cause of %s on %s: %s", truth.deviceId(), truth.kb(), status)
                    .isEqualTo(truth.cause());
            assertThat(status.getExposed()).isEqualTo(truth.exposed());
            assertThat(status.getAttempts()).as("attempts of %s on %s", truth.deviceId(), truth.kb())
                    .isEqualTo(truth.attempts());
        }
        assertThat(statuses).hasSize(run.truth().deviceStatus().size());

        Map<String, RemediationCause> remediated = new TreeMap<>();
        TopicContents.read(bootstrap, topics.remediations).forEach(record -> assertThat(remediated.put(
                record.value().getDeviceId() + "|" + record.value().getKb(), record.value().getCause()))
                .as("remediation of %s written twice", record.value().getDeviceId()).isNull());
        assertThat(remediated).isEqualTo(expected);

        Map<String, ReleaseProgress> latestDay = new HashMap<>();
        for (ConsumerRecord<String, ReleaseProgress> record : TopicContents.read(bootstrap,
                topics.releaseProgress)) {
            latestDay.merge(record.value().getKb(), record.value(), (old, now) ->
                    now.getDay().isBefore(old.getDay()) ? old : now);
        }
        for (ReleaseTruth truth : run.truth().releases()) {
            if (truth.devicesTracked() == 0) {
                continue;
            }
            ReleaseProgress progress = latestDay.get(truth.kb());
            assertThat(progress).as("progress of %s", truth.kb()).isNotNull();
            assertThat(List.of(progress.getDevicesTracked(), progress.getDevicesAttempted(),
                    progress.getDevicesFailing(), progress.getDevicesFixed(), progress.getDevicesAtFixedWinre(),
                    progress.getExposedDevices()))
                    .as("tracked, attempted, failing, fixed, at fixed WinRE, exposed of %s", truth.kb())
                    .containsExactly(truth.devicesTracked(), truth.devicesAttempted(), truth.devicesFailing(),
                            truth.devicesFixed(), truth.devicesAtFixedWinre(), truth.exposedDevices());
        }

    }

    /** The topic's latest trends keyed like {@link IndependentRecount#byKey()}, with their five counts. */
    private static Map<String, List<Long>> trendRows(Map<String, FailureTrend> trends) {
        Map<String, List<Long>> rows = new TreeMap<>();
        trends.forEach((key, trend) -> {
            TrendKey decoded = TrendKey.decode(key);
            rows.put(decoded.windowStart() + "|" + decoded.cohort().kb() + "|" + decoded.cohort().sizeBucket()
                    + "|" + decoded.cohort().freeBucket() + "|" + decoded.cohort().bitlocker(),
                    List.of(trend.getAttempts(), trend.getFailures(), trend.getDevicesAttempted(),
                            trend.getDevicesFailed(), trend.getDevicesSucceeded()));
        });
        return rows;
    }

    private static void assertTrendsEqualRecount(Map<String, FailureTrend> trends, IndependentRecount recount) {
        Map<String, List<Long>> actual = trendRows(trends);
        Map<String, Long> actualErrors = new TreeMap<>();
        trends.forEach((key, trend) -> {
            TrendKey decoded = TrendKey.decode(key);
            trend.getDevicesFailedByError().forEach((error, devices) -> actualErrors.put(decoded.windowStart() + "|"
                    + decoded.cohort().kb() + "|" + error + "|" + decoded.cohort().sizeBucket() + "|"
                    + decoded.cohort().freeBucket() + "|" + decoded.cohort().bitlocker(), devices));
        });
        Map<String, List<Long>> expected = recount.rows();
        if (!actual.equals(expected)) {
            keepForDiagnosis(actual, expected);
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(actualErrors).isEqualTo(new TreeMap<>(recount.failedByError()));
    }

    /** On a mismatch, both sides and the published input are kept under target/failover-diagnosis. */
    private static void keepForDiagnosis(Map<String, List<Long>> actual, Map<String, List<Long>> expected) {
        try {
            Path out = Path.of("target", "failover-diagnosis");
            java.nio.file.Files.createDirectories(out);
            java.nio.file.Files.write(out.resolve("trends-actual.txt"), actual.entrySet().stream()
                    .map(entry -> entry.getKey() + " " + entry.getValue()).toList());
            java.nio.file.Files.write(out.resolve("trends-expected.txt"), expected.entrySet().stream()
                    .map(entry -> entry.getKey() + " " + entry.getValue()).toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, Object> settings(String bootstrap, Path stateDir, String queryListen) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(StreamsSettings.APPLICATION_ID_CONFIG, APP);
        settings.put(StreamsSettings.STATE_DIR_CONFIG, stateDir.toString());
        settings.put("query.listen", queryListen);
        // A killed member is noticed after the session timeout; keep it short so the test does not wait 45 s.
        settings.put(StreamsSettings.STREAMS_PREFIX + "consumer.session.timeout.ms", "6000");
        settings.put(StreamsSettings.STREAMS_PREFIX + "consumer.heartbeat.interval.ms", "1000");
        if (Boolean.getBoolean("failover.txStores")) {
            settings.put(StreamsSettings.STREAMS_PREFIX + "enable.transactional.statestores", "true");
        }
        return settings;
    }

    private Process startInstanceProcess(String bootstrap, Path stateDir) throws IOException {
        List<String> args = new ArrayList<>(List.of("streams", "--bootstrap-servers", bootstrap));
        settings(bootstrap, stateDir, "127.0.0.1:0").forEach((key, value) -> {
            if (!key.equals(StreamsSettings.BOOTSTRAP_SERVERS_CONFIG)) {
                args.add("--set");
                args.add(key + "=" + value);
            }
        });
        // both lives of the victim in one log
        return ChildJvm.start(dir, ProcessBuilder.Redirect.appendTo(Path.of("target", "streams-failover-victim.log")
                .toFile()), PatchPulseCli.class.getName(), args);
    }

    private static void publish(String bootstrap, Topics topics, List<CollectedRecord> records, Path eventsOut) {
        try (KafkaPublisher publisher = new KafkaPublisher(bootstrap, topics, Map.of(), eventsOut, null)) {
            records.forEach(publisher::publish);
            publisher.flush();
        }
    }

    private static long endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            request.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get().values().stream().mapToLong(info -> info.offset()).sum();
    }
}
