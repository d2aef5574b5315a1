package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.patchpulse.deploy.cli.PatchPulseCli;
import io.patchpulse.deploy.embedded.EmbeddedKafka;
import io.patchpulse.deploy.embedded.FreePorts;
import io.patchpulse.deploy.embedded.SaslSslListener;
import io.patchpulse.deploy.kafka.ConsumerLag;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tokens;
import io.patchpulse.security.testing.TestKeystore;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.streams.topology.Names;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka behind TLS and SASL SCRAM-SHA-512, reached by every PatchPulse client only through the settings a user passes
 * (the services' {@code --config} files and {@code --set} flags): topic setup, the simulator's publisher, the
 * collector's spool drainer, the streams app with all its internal clients, the sink. Counts in the store equal an
 * independent recount; clients with a wrong password, without credentials or without trust in the broker's
 * certificate are refused with a message a person can act on; no password appears in any output.
 */
class KafkaSaslTlsIT {

    // Recognisable secrets: none of them may appear in any log line or output.
    private static final String USER = "patchpulse-it";
    private static final String PASSWORD = "scram-secret-9b7c";
    private static final String QUESTDB_PASSWORD = "questdb-secret-41d0";
    private static final String APP_ID = "patchpulse-streams-sasl";
    private static final String SINK_GROUP = "patchpulse-sink-sasl";
    private static final int COLLECTOR_EVENTS = 25;

    @TempDir
    static Path dir;

    private static LogCapture logs;
    private static SaslSslListener listener;
    private static EmbeddedKafka kafka;
    private static EmbeddedQuestDb questDb;

    private final Map<String, Integer> exitCodes = new ConcurrentHashMap<>();
    private final List<Thread> services = new ArrayList<>();
    private final StringWriter serviceOutput = new StringWriter();
    private volatile boolean stopping;

    @BeforeAll
    static void startSecuredBrokerAndStore() throws Exception {
        logs = LogCapture.start();
        // QuestDB first: it must configure QuestDB's logging before any line-protocol client exists in this JVM.
        questDb = EmbeddedQuestDb.start(dir.resolve("questdb"));
        listener = saslSsl(dir.resolve("tls"), USER, PASSWORD);
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), Duration.ofSeconds(60), listener);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (questDb != null) {
            questDb.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    @AfterEach
    void stopServices() throws InterruptedException {
        stopping = true;
        for (Thread service : services) {
            service.interrupt();
        }
        for (Thread service : services) {
            service.join(Duration.ofSeconds(60).toMillis());
        }
    }

    @Test
    void shouldCountExactlyTheRecountWhenEveryServiceReachesKafkaOnlyThroughPassedThroughSettings() throws Exception {
        // Given one properties file per service, each with the secured listener only and its own passthrough prefix
        Map<String, String> client = listener.clientSettings();
        Path kafkaFile = write("kafka.properties", prefixed("", client));
        String token = Tokens.newToken();
        int ingestPort = FreePorts.pick();
        Map<String, String> collector = prefixed("producer.", client);
        collector.put("collector.data.dir", dir.resolve("collector").toString());
        collector.put("collector.http.port", Integer.toString(ingestPort));
        collector.put("collector.tokens", Tokens.entry("it", token, Set.of(Scope.READ, Scope.WRITE)));
        Map<String, String> streams = prefixed("streams.", client);
        streams.put("application.id", APP_ID);
        streams.put("state.dir", dir.resolve("streams").toString());
        streams.put("query.listen", "127.0.0.1:0");
        Map<String, String> sink = prefixed("consumer.", client);
        // The sink's password comes by --set instead of the file: both ways must reach the consumer.
        String sinkJaas = sink.remove("consumer.sasl.jaas.config");
        sink.put("group.id", SINK_GROUP);
        // A sender password too (the embedded QuestDB checks none): it must not be logged either.
        sink.put("questdb.sender.config", questDb.senderConfig() + "username=admin;password=" + QUESTDB_PASSWORD
                + ";");
        sink.put("questdb.http.url", questDb.httpUrl());
        String bootstrap = kafka.bootstrapServers();

        // When the topics are made, the services run, a fleet is simulated and the collector is sent events
        Result topics = run("topics", "--config", kafkaFile.toString(), "--bootstrap-servers", bootstrap,
                "--partitions", "3", "--replication-factor", "1");
        assertThat(topics.code()).as(topics.err()).isZero();
        serve("streams", "--config", write("streams.properties", streams).toString(), "--bootstrap-servers", bootstrap,
                "--metrics-listen", "127.0.0.1:0");
        serve("sink", "--config", write("sink.properties", sink).toString(), "--set",
                "consumer.sasl.jaas.config=" + sinkJaas, "--bootstrap-servers", bootstrap, "--metrics-listen",
                "127.0.0.1:0", "--dashboard-listen", "off");
        serve("collector", "--config", write("collector.properties", collector).toString(), "--bootstrap-servers",
                bootstrap, "--metrics-listen", "127.0.0.1:0");
        Path eventsOut = dir.resolve("events.ndjson");
        Result simulated = run("simulate", "--config", kafkaFile.toString(), "--bootstrap-servers", bootstrap,
                "--devices", "150", "--days", "3", "--events-out", eventsOut.toString());
        assertThat(simulated.code()).as(simulated.err()).isZero();
        String ingestUrl = "http://127.0.0.1:" + ingestPort;
        awaitCollectorUp(ingestUrl, token);
        HttpResponse<String> posted = post(ingestUrl + "/v1/events", token, startedEvents(COLLECTOR_EVENTS));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

        // Then everything drains through the secured listener
        try (Admin admin = Admin.create(withBrokers(client))) {
            awaitDrained(admin, ingestUrl, token);

            // and install-events holds the simulator's acknowledged events plus the collector's
            IndependentRecount recount = IndependentRecount.of(eventsOut);
            long simulatedEvents = Files.readAllLines(eventsOut).stream()
                    .filter(line -> line.contains("\"topic\":\"patchpulse.install-events\"")).count();
            assertThat(endOffsets(admin, Topics.defaults().installEvents.name()))
                    .isEqualTo(simulatedEvents + COLLECTOR_EVENTS);

            // and the store holds exactly the recount of what the simulator published
            QuestDbHttp store = new QuestDbHttp(questDb.httpUrl());
            for (String table : List.of("failure_trends", "failure_errors")) {
                store.awaitWalApplied(table, Duration.ofSeconds(60));
            }
            assertThat(recount.results()).isGreaterThan(200);
            StoreContents.assertEqualsRecount(store, recount);
        }
        assertThat(exitCodes).as("no service stopped on its own: " + serviceOutput).isEmpty();

        // and no password, token or key reached a log line or the services' output
        String everything = logs.text() + serviceOutput + topics.out() + topics.err() + simulated.out()
                + simulated.err();
        assertThat(logs.text()).contains("Ingest API listening"); // the capture sees the services' logs
        assertNoSecretIn(everything);
        assertThat(everything).doesNotContain(QUESTDB_PASSWORD).doesNotContain(token)
                .doesNotContain(Files.readString(dir.resolve("collector").resolve("device-id.key")).strip());
    }

    @Test
    void shouldRefuseAWrongPasswordSayingAuthenticationFailed() throws Exception {
        Path file = write("wrong-password.properties", prefixed("", listener.clientSettings(USER, "not-the-password")));

        Result result = run("topics", "--config", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--replication-factor", "1");

        assertThat(result.code()).isNotZero();
        assertThat(result.err()).as("one line, no stack trace").hasLineCount(1);
        assertThat(result.err()).contains("Authentication failed").contains("SCRAM-SHA-512")
                .doesNotContain("not-the-password");
    }

    @Test
    void shouldRefuseAnUnknownUserSayingAuthenticationFailed() throws Exception {
        Path file = write("unknown-user.properties", prefixed("", listener.clientSettings("mallory", PASSWORD)));

        Result result = run("topics", "--config", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--replication-factor", "1");

        assertThat(result.code()).isNotZero();
        assertThat(result.err()).as("one line, no stack trace").hasLineCount(1);
        assertThat(result.err()).contains("Authentication failed");
    }

    @Test
    void shouldRefuseAClientThatDoesNotTrustTheBrokersCertificateSayingTheHandshakeFailed() throws Exception {
        Map<String, String> settings = prefixed("", listener.clientSettings());
        settings.keySet().removeIf(key -> key.startsWith("ssl.truststore"));
        Path file = write("no-trust.properties", settings);

        Result result = run("topics", "--config", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--replication-factor", "1");

        assertThat(result.code()).isNotZero();
        assertThat(result.err()).as("one line, no stack trace").hasLineCount(1);
        assertThat(result.err()).contains("SSL handshake failed");
    }

    @Test
    void shouldRefuseAClientWithoutCredentialsNamingTheMissingLogin() throws Exception {
        Map<String, String> settings = prefixed("", listener.clientSettings());
        settings.remove("sasl.jaas.config");
        Path file = write("no-login.properties", settings);

        Result result = run("topics", "--config", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--replication-factor", "1");

        assertThat(result.code()).isNotZero();
        assertThat(result.err()).as("one line, no stack trace").hasLineCount(1);
        assertThat(result.err()).contains("sasl.jaas.config");
    }

    @Test
    void shouldRefuseAPlaintextClientSayingTheListenerDidNotAnswerIt() throws Exception {
        Path file = write("plaintext.properties", Map.of("default.api.timeout.ms", "8000",
                "request.timeout.ms", "4000"));

        Result result = run("topics", "--config", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--replication-factor", "1");

        assertThat(result.code()).isNotZero();
        assertThat(result.err()).as("one line, no stack trace").hasLineCount(1);
        assertThat(result.err()).contains("security.protocol");
    }

    private static void assertNoSecretIn(String text) {
        assertThat(text).isNotEmpty().doesNotContain(PASSWORD).doesNotContain(listener.keyStorePassword());
    }

    private void awaitDrained(Admin admin, String ingestUrl, String token) {
        List<String> streamsTopics = new ArrayList<>(Names.repartitionTopics(APP_ID));
        streamsTopics.add(Topics.defaults().installEvents.name());
        streamsTopics.add(Topics.defaults().deviceInventory.name());
        // Caught up and still so on the next poll: a record in flight between the collector and the topology counts.
        try {
            await("collector spool, streams and sink drained").atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(500)).during(Duration.ofMillis(700))
                    .failFast(this::assertNoServiceStopped)
                    .untilAsserted(() -> {
                        String status = get(ingestUrl + "/v1/status", token).body();
                        long streamsLag = topicsExist(admin, streamsTopics)
                                ? ConsumerLag.of(admin, APP_ID, streamsTopics.toArray(String[]::new)) : -1;
                        long sinkLag = ConsumerLag.of(admin, SINK_GROUP, Topics.defaults().failureTrends.name());
                        assertThat(status).as("collector status").contains("\"spooled\":0");
                        assertThat(List.of(streamsLag, sinkLag)).as("streams lag, sink lag")
                                .containsExactly(0L, 0L);
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\nthe services said:\n" + serviceOutput, e);
        }
    }

    private static boolean topicsExist(Admin admin, List<String> topics) throws Exception {
        return admin.listTopics().names().get().containsAll(topics);
    }

    private static long endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(info -> request.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest()));
        return admin.listOffsets(request).all().get().values().stream().mapToLong(info -> info.offset()).sum();
    }

    /** Install attempts that started (they count in no trend): the collector's path into Kafka, checked by offsets. */
    private static String startedEvents(int count) {
        long now = Instant.now().toEpochMilli();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < count; i++) {
            body.append("{\"eventId\":\"sasl-").append(i).append("\",\"deviceId\":\"d-")
                    .append(String.format("%032x", i)).append("\",\"occurredAt\":").append(now)
                    .append(",\"receivedAt\":").append(now)
                    .append(",\"source\":\"AGENT\",\"kb\":\"KB5034441\",\"outcome\":\"STARTED\"}\n");
        }
        return body.toString();
    }

    private void awaitCollectorUp(String url, String token) {
        try {
            await("the collector's ingest API answering").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IOException.class) // not yet up
                    .failFast(this::assertNoServiceStopped)
                    .until(() -> get(url + "/v1/status", token).statusCode() == 200);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\nthe services said:\n" + serviceOutput, e);
        }
    }

    private void assertNoServiceStopped() {
        assertThat(exitCodes).as("a service stopped: %s", serviceOutput).isEmpty();
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String token, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> prefixed(String prefix, Map<String, String> settings) {
        Map<String, String> result = new LinkedHashMap<>();
        settings.forEach((key, value) -> result.put(prefix + key, value));
        return result;
    }

    private static Map<String, Object> withBrokers(Map<String, String> settings) {
        Map<String, Object> config = new HashMap<>(settings);
        config.put("bootstrap.servers", kafka.bootstrapServers());
        return config;
    }

    private static Path write(String name, Map<String, String> settings) throws IOException {
        Properties properties = new Properties();
        properties.putAll(settings);
        Path file = dir.resolve(name);
        try (Writer out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        return file;
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PatchPulseCli.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs a long-running service command on its own thread until the test ends (interrupting it stops it). */
    private void serve(String name, String... args) {
        List<String> all = new ArrayList<>();
        all.add(name);
        all.addAll(List.of(args));
        PrintWriter writer = new PrintWriter(serviceOutput, true);
        Thread thread = new Thread(() -> {
            int code = PatchPulseCli.commandLine().setOut(writer).setErr(writer).execute(all.toArray(String[]::new));
            if (!stopping && code != 0) {
                exitCodes.put(name, code);
            }
        }, "it-" + name);
        services.add(thread);
        thread.start();
    }

    /**
     * A SASL_SSL listener for {@code user}: the broker's key and trust stores made by the JDK's keytool (the security
     * module's {@link TestKeystore}, a certificate for 127.0.0.1 and localhost).
     */
    static SaslSslListener saslSsl(Path dir, String user, String password) throws Exception {
        TestKeystore keys = TestKeystore.create(dir);
        return new SaslSslListener(keys.keystore(), keys.password(), keys.truststore(), keys.password(), user,
                password);
    }
}
