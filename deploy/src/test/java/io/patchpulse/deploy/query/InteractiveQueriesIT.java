package io.patchpulse.deploy.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.avro.WinreStatus;
import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tokens;
import io.patchpulse.streams.StreamsApp;
import io.patchpulse.streams.StreamsSettings;
import io.patchpulse.streams.query.QueryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two streams instances of one application on the embedded broker, each with its own state directory and query
 * port: every endpoint asked on either instance gives the same answer, and that answer equals what was published,
 * recounted here from the test's own description of each device (not from the topology's arithmetic).
 */
class InteractiveQueriesIT {

    /** The read token both instances admit; a query forwarded between them carries it. */
    private static final String TOKEN = Tokens.newToken();

    private static final Logger LOG = LoggerFactory.getLogger(InteractiveQueriesIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;
    private static final int DEVICES = 96;
    private static final String JAN = "KB5034441";
    private static final String APR = "KB5057589";
    private static final String FIXED_WINRE = "10.0.19041.3920";
    private static final String OLD_WINRE = "10.0.19041.3636";
    private static final Instant PATCH_TUESDAY = Instant.parse("2024-01-09T18:00:00Z");
    private static final long MIB = 1_048_576L;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int sequence;

    /**
     * What the test publishes for device {@code i}, and so what it expects: BitLocker on unless i % 3 == 0; WinRE
     * already at the fixed version when i % 8 == 4; by i % 4: 0 never tries KB5034441, 1 fails twice, 2 fails then
     * succeeds, 3 succeeds at once.
     */
    private record Device(int i) {
        String id() {
            return String.format("dev-%03d", i);
        }

        boolean bitlockerOn() {
            return i % 3 != 0;
        }

        boolean winreFixed() {
            return i % 8 == 4;
        }

        int kind() {
            return i % 4;
        }

        String janState() {
            return switch (kind()) {
                case 0 -> winreFixed() ? "FIXED" : "NEVER_ATTEMPTED";
                case 1 -> "FAILING";
                default -> "FIXED";
            };
        }

        boolean janExposed() {
            return bitlockerOn() && !janState().equals("FIXED");
        }

        /** KB5057589's fixed WinRE version is not known and nobody tries it: exposed is BitLocker on. */
        boolean aprExposed() {
            return bitlockerOn();
        }
    }

    @Test
    void shouldGiveTheSameCorrectAnswerOnBothInstancesForEveryEndpoint() throws Exception {
        Topics topics = Topics.defaults();
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            devices.add(new Device(i));
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60));
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
             KafkaProducer<String, byte[]> producer = producer(kafka)) {
            TopicSetup.ensure(admin, topics, PARTITIONS, (short) 1);
            // The catalog first: the global store is loaded before the instances process anything.
            send(producer, topics.releases, JAN, release(JAN, FIXED_WINRE, "2024-01-09"));
            send(producer, topics.releases, APR, release(APR, null, "2025-04-08"));
            producer.flush();

            try (StreamsApp first = app(kafka, "a"); StreamsApp second = app(kafka, "b")) {
                CompletableFuture<Void> startA = CompletableFuture.runAsync(() -> start(first));
                CompletableFuture<Void> startB = CompletableFuture.runAsync(() -> start(second));
                CompletableFuture.allOf(startA, startB).join();
                String a = first.queryUrl().orElseThrow();
                String b = second.queryUrl().orElseThrow();

                for (Device device : devices) {
                    publish(producer, topics, device);
                }
                producer.flush();

                // Given: both instances have processed everything (the release's totals say so).
                long tracked = devices.size();
                long attempted = devices.stream().filter(d -> d.kind() != 0).count();
                long failing = devices.stream().filter(d -> d.janState().equals("FAILING")).count();
                long fixed = devices.stream().filter(d -> d.janState().equals("FIXED")).count();
                long exposed = devices.stream().filter(Device::janExposed).count();
                AtomicReference<String> last = new AtomicReference<>();
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            assertThat(first.state()).isEqualTo(KafkaStreams.State.RUNNING);
                            assertThat(second.state()).isEqualTo(KafkaStreams.State.RUNNING);
                            HttpResponse<String> answer = get(a, "/v1/releases/" + JAN + "/progress");
                            last.set(answer.statusCode() + " " + answer.body());
                            assertThat(answer.statusCode()).as(last.get()).isEqualTo(200);
                            JsonNode current = JSON.readTree(answer.body()).get("current");
                            assertThat(current.get("devicesTracked").asLong()).isEqualTo(tracked);
                            assertThat(current.get("devicesAttempted").asLong()).isEqualTo(attempted);
                            assertThat(current.get("devicesFailing").asLong()).isEqualTo(failing);
                            assertThat(current.get("devicesFixed").asLong()).isEqualTo(fixed);
                            assertThat(current.get("exposedDevices").asLong()).isEqualTo(exposed);
                        });

                // Then: every device, on both instances, from its owner.
                Set<String> servedBy = new HashSet<>();
                for (Device device : devices) {
                    HttpResponse<String> onA = get(a, "/v1/devices/" + device.id());
                    HttpResponse<String> onB = get(b, "/v1/devices/" + device.id());
                    assertThat(onA.statusCode()).as(device.id() + ": " + onA.body()).isEqualTo(200);
                    assertThat(onB.body()).as(device.id()).isEqualTo(onA.body());
                    String owner = onA.headers().firstValue(QueryServer.SERVED_BY).orElseThrow();
                    assertThat(onB.headers().firstValue(QueryServer.SERVED_BY)).contains(owner);
                    servedBy.add(owner);
                    Map<String, JsonNode> byKb = new TreeMap<>();
                    JSON.readTree(onA.body()).get("statuses").forEach(status -> byKb.put(status.get("kb").asText(),
                            status));
                    assertThat(byKb).containsOnlyKeys(JAN, APR);
                    assertThat(byKb.get(JAN).get("state").asText()).as(device.id()).isEqualTo(device.janState());
                    assertThat(byKb.get(JAN).get("exposed").asBoolean()).as(device.id()).isEqualTo(device.janExposed());
                    assertThat(byKb.get(APR).get("state").asText()).isEqualTo("NEVER_ATTEMPTED");
                    if (device.kind() == 1) {
                        assertThat(byKb.get(JAN).get("failures").asInt()).isEqualTo(2);
                        assertThat(byKb.get(JAN).get("firstFailureAt").asText()).isEqualTo("2024-01-09T19:00:00Z");
                    }
                }
                assertThat(servedBy).as("each instance owns some devices and answers for the other's")
                        .containsExactlyInAnyOrder(address(a), address(b));

                HttpResponse<String> ghostOnA = get(a, "/v1/devices/ghost-1");
                assertThat(ghostOnA.statusCode()).isEqualTo(404);
                assertThat(get(b, "/v1/devices/ghost-1").body()).isEqualTo(ghostOnA.body());

                // Release progress: the same days on both, oldest first, the newest as current.
                for (String kb : List.of(JAN, APR)) {
                    HttpResponse<String> onA = get(a, "/v1/releases/" + kb + "/progress");
                    assertThat(onA.statusCode()).isEqualTo(200);
                    assertThat(get(b, "/v1/releases/" + kb + "/progress").body()).isEqualTo(onA.body());
                    JsonNode body = JSON.readTree(onA.body());
                    List<LocalDate> days = new ArrayList<>();
                    body.get("days").forEach(day -> days.add(LocalDate.parse(day.get("day").asText())));
                    assertThat(days).isSorted().doesNotHaveDuplicates();
                    assertThat(body.get("current")).isEqualTo(body.get("days").get(days.size() - 1));
                    assertThat(body.get("current").get("devicesTracked").asLong()).isEqualTo(tracked);
                }
                JsonNode apr = JSON.readTree(get(b, "/v1/releases/" + APR + "/progress").body()).get("current");
                assertThat(apr.get("exposedDevices").asLong())
                        .isEqualTo(devices.stream().filter(Device::aprExposed).count());

                // The exposed cohort, gathered from both instances, page by page.
                assertExposed(a, b, JAN, devices.stream().filter(Device::janExposed).map(Device::id).sorted()
                        .toList());
                assertExposed(b, a, APR, devices.stream().filter(Device::aprExposed).map(Device::id).sorted()
                        .toList());

                // Alerts: whatever there is, both instances list the same.
                HttpResponse<String> alertsOnA = get(a, "/v1/alerts?state=all");
                HttpResponse<String> alertsOnB = get(b, "/v1/alerts?state=all");
                assertThat(alertsOnB.statusCode()).isEqualTo(alertsOnA.statusCode());
                if (alertsOnA.statusCode() == 200) {
                    assertThat(alertsOnB.body()).isEqualTo(alertsOnA.body());
                }

                for (String url : List.of(a, b)) {
                    HttpResponse<String> bad = get(url, "/v1/cohorts/exposed?kb=" + JAN + "&limit=0");
                    assertThat(bad.statusCode()).isEqualTo(400);
                    assertThat(JSON.readTree(bad.body()).get("invalid-params").get(0).get("name").asText())
                            .isEqualTo("limit");
                }

                // When b leaves, a takes its partitions over: while it restores them it refuses (503) or names b
                // as unreachable (502), never answers a wrong count, and then answers everything itself.
                second.close();
                List<Integer> refusals = new ArrayList<>();
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    HttpResponse<String> answer = get(a, "/v1/cohorts/exposed?kb=" + JAN + "&limit=1000");
                    if (answer.statusCode() != 200) {
                        refusals.add(answer.statusCode());
                    }
                    assertThat(answer.statusCode()).as(answer.body()).isIn(200, 502, 503);
                    if (answer.statusCode() == 200) {
                        assertThat(JSON.readTree(answer.body()).get("count").asLong()).isEqualTo(exposed);
                    }
                    assertThat(answer.statusCode()).isEqualTo(200);
                });
                for (Device device : devices) {
                    HttpResponse<String> alone = get(a, "/v1/devices/" + device.id());
                    assertThat(alone.statusCode()).as(device.id() + ": " + alone.body()).isEqualTo(200);
                    assertThat(alone.headers().firstValue(QueryServer.SERVED_BY)).contains(address(a));
                }
                LOG.info("while a took b's partitions over it refused {} fleet-wide queries: {}", refusals.size(),
                        refusals);
                assertThat(refusals).as("answers refused while a took over").allMatch(code -> code == 502
                        || code == 503);
            }
        }
    }

    private void assertExposed(String asked, String other, String kb, List<String> expected) throws Exception {
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            String path = "/v1/cohorts/exposed?kb=" + kb + "&limit=10" + (after == null ? "" : "&after=" + after);
            HttpResponse<String> page = get(asked, path);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            assertThat(get(other, path).body()).isEqualTo(page.body());
            JsonNode body = JSON.readTree(page.body());
            assertThat(body.get("count").asLong()).isEqualTo(expected.size());
            body.get("devices").forEach(device -> seen.add(device.get("deviceId").asText()));
            after = body.get("next").isNull() ? null : body.get("next").asText();
            pages++;
        } while (after != null && pages <= DEVICES);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    private StreamsApp app(EmbeddedKafka kafka, String name) {
        return new StreamsApp(new StreamsSettings(Map.of(
                StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                StreamsSettings.APPLICATION_ID_CONFIG, "interactive-queries-it",
                StreamsSettings.STATE_DIR_CONFIG, dir.resolve("state-" + name).toString(),
                StreamsSettings.COMMIT_INTERVAL_CONFIG, "200",
                StreamsSettings.QUERY_LISTEN_CONFIG, "127.0.0.1:0",
                StreamsSettings.QUERY_TOKENS_CONFIG, Tokens.entry("it", TOKEN, Set.of(Scope.READ)))));
    }

    private static void start(StreamsApp app) {
        try {
            app.start(Duration.ofMinutes(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void publish(KafkaProducer<String, byte[]> producer, Topics topics, Device device) {
        DeviceInventory inventory = inventory(device);
        send(producer, topics.deviceInventory, device.id(), inventory);
        Instant day1 = PATCH_TUESDAY.plus(Duration.ofHours(1));
        switch (device.kind()) {
            case 1 -> {
                send(producer, topics.installEvents, device.id(), result(device, Outcome.FAILED, day1, inventory));
                send(producer, topics.installEvents, device.id(),
                        result(device, Outcome.FAILED, day1.plus(Duration.ofDays(1)), inventory));
            }
            case 2 -> {
                send(producer, topics.installEvents, device.id(), result(device, Outcome.FAILED, day1, inventory));
                send(producer, topics.installEvents, device.id(),
                        result(device, Outcome.SUCCEEDED, day1.plus(Duration.ofDays(2)), inventory));
            }
            case 3 -> send(producer, topics.installEvents, device.id(),
                    result(device, Outcome.SUCCEEDED, day1.plus(Duration.ofDays(1)), inventory));
            default -> {
            }
        }
    }

    private static DeviceInventory inventory(Device device) {
        boolean on = device.bitlockerOn();
        return DeviceInventory.newBuilder()
                .setDeviceId(device.id())
                .setObservedAt(PATCH_TUESDAY)
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(572 * MIB)
                        .setFreeBytes(80 * MIB).build())
                .setBitlocker(BitLockerInfo.newBuilder()
                        .setProtection(on ? BitLockerProtection.ON : BitLockerProtection.OFF)
                        .setVolumeStatus(on ? BitLockerVolumeStatus.FULLY_ENCRYPTED
                                : BitLockerVolumeStatus.FULLY_DECRYPTED)
                        .setProtectorClass(on ? ProtectorClass.TPM_ONLY : ProtectorClass.NONE)
                        .build())
                .setOs(OsInfo.newBuilder().setProduct("Windows 10 Enterprise").setVersion("22H2").setBuild(19045)
                        .setUbr(3803).build())
                .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.ENABLED)
                        .setVersion(device.winreFixed() ? FIXED_WINRE : OLD_WINRE).build())
                .setScriptPatched(false)
                .build();
    }

    private InstallEvent result(Device device, Outcome outcome, Instant at, DeviceInventory inventory) {
        InstallEvent.Builder event = InstallEvent.newBuilder()
                .setEventId("iq-" + (++sequence))
                .setDeviceId(device.id())
                .setOccurredAt(at)
                .setReceivedAt(at.plusSeconds(5))
                .setSource(EventSource.SIMULATOR)
                .setKb(JAN)
                .setUpdateTitle("2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)")
                .setOutcome(outcome)
                .setRebootPending(false)
                .setInventory(inventory);
        if (outcome == Outcome.FAILED) {
            event.setErrorCode("0x80070643").setRawErrorCode("-2147023293");
        }
        return event.build();
    }

    private static Release release(String kb, String fixedWinre, String day) {
        return Release.newBuilder().setKb(kb).setTitle(kb).setOsLine("Windows 10 21H2/22H2")
                .setOsBuilds(List.of(19044, 19045)).setReleasedOn(LocalDate.parse(day))
                .setFixedWinreVersion(fixedWinre).setSources(List.of("InteractiveQueriesIT")).build();
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static <V extends SpecificRecord> void send(KafkaProducer<String, byte[]> producer, Topic<String, V> topic,
            String key, V value) {
        producer.send(new ProducerRecord<>(topic.name(), key, topic.valueSerde().serializer()
                .serialize(topic.name(), value)));
    }

    private HttpResponse<String> get(String baseUrl, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String address(String baseUrl) {
        return URI.create(baseUrl).getAuthority();
    }
}
