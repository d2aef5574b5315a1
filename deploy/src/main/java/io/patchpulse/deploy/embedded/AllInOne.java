package io.patchpulse.deploy.embedded;

import io.micrometer.core.instrument.MeterRegistry;
import io.patchpulse.collector.CollectorService;
import io.patchpulse.collector.CollectorSettings;
import io.patchpulse.collector.identity.SecretFiles;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.deploy.catalog.BundledCatalog;
import io.patchpulse.deploy.kafka.TopicSetup;
import io.patchpulse.schemas.avro.Release;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tokens;
import io.patchpulse.sink.SinkConfig;
import io.patchpulse.sink.SinkService;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.streams.StreamsApp;
import io.patchpulse.streams.StreamsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one JVM: a Kafka broker (KRaft), QuestDB, the streams app and the sink, with their data
 * under one directory. Closing stops them in reverse order.
 *
 * <p>The broker and QuestDB run embedded unless {@link Endpoints} name external ones (a Kafka cluster, a QuestDB
 * server, containers in tests); the PatchPulse topics are created either way, and the streams app and the sink always
 * run in this JVM. What runs external is neither started nor stopped here.
 */
public final class AllInOne implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);
    /** Partitions of each PatchPulse topic in the embedded broker. */
    public static final int PARTITIONS = 3;
    /** Consumer group of the streams app (its application id). */
    public static final String STREAMS_APP_ID = "patchpulse-streams";
    /** Consumer group of the sink. */
    public static final String SINK_GROUP = "patchpulse-sink";

    /** Replication factor of topics created on an external cluster: -1 asks for the broker's default. */
    private static final short BROKER_DEFAULT_REPLICATION = -1;

    /**
     * Where the Kafka cluster and the QuestDB server are; a {@code null} part runs embedded under the data directory.
     *
     * @param kafkaBootstrapServers {@code host:port[,host:port...]} of an external cluster, or {@code null}
     * @param questDbHttpUrl base URL of an external QuestDB's HTTP server for SQL, e.g. {@code http://host:9000}, or
     *     {@code null}
     * @param questDbSenderConfig line-protocol client configuration for the same server, e.g.
     *     {@code http::addr=host:9000;}; set exactly when {@code questDbHttpUrl} is
     * @param victoriaMetricsUrl a VictoriaMetrics the sink also writes trends and progress to, or {@code null}
     * @param alertmanagerUrl an Alertmanager the sink posts spike alerts to, or {@code null}
     * @param kafkaClientSettings settings every Kafka client of the pipeline gets besides the brokers (TLS, SASL:
     *     {@code security.protocol}, {@code sasl.jaas.config}, {@code ssl.truststore.location} ...), unprefixed;
     *     empty for a PLAINTEXT cluster and always for the embedded broker
     */
    public record Endpoints(String kafkaBootstrapServers, String questDbHttpUrl, String questDbSenderConfig,
            String victoriaMetricsUrl, String alertmanagerUrl, Map<String, String> kafkaClientSettings) {

        public Endpoints {
            if ((questDbHttpUrl == null) != (questDbSenderConfig == null)) {
                // Not the sender configuration itself: it may hold a password.
                throw new IllegalArgumentException("an external QuestDB needs both its HTTP URL and its sender "
                        + "configuration, got " + (questDbHttpUrl == null ? "no URL" : "a URL") + " and "
                        + (questDbSenderConfig == null ? "no sender configuration" : "a sender configuration"));
            }
            kafkaClientSettings = kafkaClientSettings == null ? Map.of() : Map.copyOf(kafkaClientSettings);
            if (kafkaBootstrapServers == null && !kafkaClientSettings.isEmpty()) {
                throw new IllegalArgumentException("Kafka client settings are for an external cluster; the embedded"
                        + " broker is PLAINTEXT");
            }
            if (kafkaClientSettings.containsKey("bootstrap.servers")) {
                throw new IllegalArgumentException("give the brokers as kafkaBootstrapServers, not among the Kafka"
                        + " client settings");
            }
        }

        /** Without Kafka client settings (a PLAINTEXT cluster). */
        public Endpoints(String kafkaBootstrapServers, String questDbHttpUrl, String questDbSenderConfig,
                String victoriaMetricsUrl, String alertmanagerUrl) {
            this(kafkaBootstrapServers, questDbHttpUrl, questDbSenderConfig, victoriaMetricsUrl, alertmanagerUrl,
                    Map.of());
        }

        /** The same, with every Kafka client of the pipeline given {@code settings} (TLS, SASL), unprefixed. */
        public Endpoints withKafkaClientSettings(Map<String, String> settings) {
            return new Endpoints(kafkaBootstrapServers, questDbHttpUrl, questDbSenderConfig, victoriaMetricsUrl,
                    alertmanagerUrl, settings);
        }

        /** Broker and QuestDB both embedded. */
        public static Endpoints embedded() {
            return new Endpoints(null, null, null, null, null);
        }

        /** Both external. */
        public static Endpoints external(String kafkaBootstrapServers, String questDbHttpUrl,
                String questDbSenderConfig) {
            return new Endpoints(Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers"),
                    Objects.requireNonNull(questDbHttpUrl, "questDbHttpUrl"),
                    Objects.requireNonNull(questDbSenderConfig, "questDbSenderConfig"), null, null);
        }

        /** The same, with the sink also writing to VictoriaMetrics and Alertmanager where given (null: not). */
        public Endpoints withMetricsStores(String victoriaMetrics, String alertmanager) {
            return new Endpoints(kafkaBootstrapServers, questDbHttpUrl, questDbSenderConfig, victoriaMetrics,
                    alertmanager, kafkaClientSettings);
        }

        boolean embeddedKafka() {
            return kafkaBootstrapServers == null;
        }

        boolean embeddedQuestDb() {
            return questDbHttpUrl == null;
        }
    }

    /**
     * The file, in the data directory, of the token the demo mints on every start (scopes read and write): the ingest
     * API, the query API, the dashboard and /metrics all admit it, and nothing else.
     */
    public static final String TOKEN_FILE = "demo-token";
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Topics topics = Topics.defaults();
    private String bootstrapServers;
    private Map<String, String> kafkaClientSettings = Map.of();
    private EmbeddedQuestDb questDb;
    private String questDbSenderConfig;
    private QuestDbHttp questDbHttp;
    private StreamsApp streams;
    private SinkService sink;
    private io.patchpulse.sink.dashboard.DashboardServer dashboard;
    private CollectorService collector;
    private Path tokenFile;
    private String token;
    private Tokens tokens;
    private Admin admin;

    private AllInOne() {
    }

    /** Starts everything, broker and QuestDB embedded, on {@code dataDir}; on failure stops what had started. */
    public static AllInOne start(Path dataDir, MeterRegistry meters) throws InterruptedException {
        return start(dataDir, meters, Endpoints.embedded());
    }

    /**
     * Starts the pipeline against {@code endpoints}, embedding what they leave out, with its local data (embedded
     * stores, streams state) on {@code dataDir}; on failure stops what had started and rethrows.
     */
    public static AllInOne start(Path dataDir, MeterRegistry meters, Endpoints endpoints) throws InterruptedException {
        return start(dataDir, meters, endpoints, Map.of());
    }

    /**
     * The same, with {@code streamsSettings} (e.g. {@code processing.guarantee}, {@code commit.interval.ms},
     * {@code trend.combine.every}) put over the streams app's settings built here; the benchmark harness compares
     * settings this way.
     */
    public static AllInOne start(Path dataDir, MeterRegistry meters, Endpoints endpoints,
            Map<String, String> streamsSettings) throws InterruptedException {
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(streamsSettings, "streamsSettings");
        AllInOne all = new AllInOne();
        try {
            all.startAll(dataDir, meters, endpoints, streamsSettings);
            return all;
        } catch (RuntimeException | InterruptedException e) {
            all.close();
            throw e;
        }
    }

    private void startAll(Path dataDir, MeterRegistry meters, Endpoints endpoints,
            Map<String, String> streamsSettings) throws InterruptedException {
        startBrokerAndStore(dataDir, endpoints);
        kafkaClientSettings = endpoints.kafkaClientSettings();
        mintToken(dataDir);

        admin = Admin.create(kafkaClientConfig());
        started.push(admin);
        // The embedded broker is a single node; an external cluster replicates as it is configured to.
        TopicSetup.ensure(admin, topics, PARTITIONS, endpoints.embeddedKafka() ? 1 : BROKER_DEFAULT_REPLICATION);
        try {
            TopicSetup.timeRetentionProblems(admin, topics).forEach(LOG::warn);
        } catch (IllegalStateException e) {
            // A check only (topic configs may be closed to this client on a shared cluster): never a reason to stop.
            LOG.warn("Could not check the topics' retention: {}", e.getMessage());
        }
        loadCatalogOnFirstStart();

        Map<String, String> streamsValues = new HashMap<>(Map.of(
                StreamsSettings.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                StreamsSettings.APPLICATION_ID_CONFIG, STREAMS_APP_ID,
                StreamsSettings.STATE_DIR_CONFIG, dataDir.resolve("streams").toString(),
                // A free port: the demo must start next to anything already on 8091 (a second demo, a streams app).
                StreamsSettings.QUERY_LISTEN_CONFIG, "127.0.0.1:0",
                StreamsSettings.QUERY_TOKENS_CONFIG, tokenEntry()));
        kafkaClientSettings.forEach((key, value) -> streamsValues.put(StreamsSettings.STREAMS_PREFIX + key, value));
        streamsValues.putAll(streamsSettings);
        streams = new StreamsApp(new StreamsSettings(streamsValues));
        started.push(streams);
        streams.bindTo(meters);
        streams.start(Duration.ofSeconds(60));

        Map<String, String> sinkSettings = new java.util.HashMap<>(Map.of(
                SinkConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                SinkConfig.GROUP_ID_CONFIG, SINK_GROUP,
                SinkConfig.QUESTDB_SENDER_CONFIG_CONFIG, questDbSenderConfig,
                SinkConfig.QUESTDB_HTTP_URL_CONFIG, questDbHttp.baseUrl()));
        kafkaClientSettings.forEach((key, value) -> sinkSettings.put(SinkConfig.CONSUMER_PREFIX + key, value));
        if (endpoints.victoriaMetricsUrl() != null) {
            sinkSettings.put(SinkConfig.VICTORIAMETRICS_URL_CONFIG, endpoints.victoriaMetricsUrl());
        }
        if (endpoints.alertmanagerUrl() != null) {
            sinkSettings.put(SinkConfig.ALERTMANAGER_URL_CONFIG, endpoints.alertmanagerUrl());
        }
        sink = new SinkService(new SinkConfig(sinkSettings), meters);
        started.push(sink);
        sink.start();
        // After the sink made the tables; on a free port, so a second demo or a sink on 9404 is no obstacle.
        dashboard = io.patchpulse.sink.dashboard.DashboardServer.start("127.0.0.1", 0, questDbHttp,
                io.patchpulse.sink.questdb.TrendTables.defaults(), io.patchpulse.sink.questdb.QuestDbTables.defaults(),
                io.patchpulse.deploy.catalog.BundledCatalog.releases().stream()
                        .map(io.patchpulse.sink.dashboard.ReleaseMark::of).toList(), tokens, java.util.Optional.empty());
        started.push(dashboard);

        collector = startCollector(dataDir.resolve("collector"), meters);
        started.push(collector);
        LOG.info("all-in-one pipeline running: Kafka {}{}, QuestDB {}{}, interactive queries {}/v1/", bootstrapServers,
                endpoints.embeddedKafka() ? " (embedded)" : "", questDbHttp.baseUrl(),
                endpoints.embeddedQuestDb() ? " (embedded)" : "", queryUrl());
    }

    /**
     * Publishes the packaged release catalog when the releases topic is still empty, before the streams app starts,
     * so every device is matched to its releases from its first report. A catalog loaded later with
     * {@code patchpulse releases load} is kept across restarts.
     */
    private void loadCatalogOnFirstStart() throws InterruptedException {
        String topic = topics.releases.name();
        if (!releasesTopicEmpty(topic)) {
            return;
        }
        List<Release> releases = BundledCatalog.releases();
        try (KafkaPublisher publisher = new KafkaPublisher(bootstrapServers, topics, kafkaClientSettings)) {
            BundledCatalog.publish(publisher, topics, releases);
        }
        LOG.info("release catalog loaded: {} releases", releases.size());
    }

    /**
     * Whether {@code topic} holds no record yet. A topic just created may not be known to every broker for a moment
     * (UnknownTopicOrPartition): that is retried for up to 30 s.
     */
    private boolean releasesTopicEmpty(String topic) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(info -> ends.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest()));
                return admin.listOffsets(ends).all().get().values().stream().allMatch(end -> end.offset() == 0);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read the end offsets of " + topic, e.getCause());
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * A new token (scopes read and write) for this run, written owner-only to {@value #TOKEN_FILE} in the data
     * directory: a token of an earlier run stops working.
     */
    private void mintToken(Path dataDir) {
        try {
            tokenFile = dataDir.resolve(TOKEN_FILE);
            Files.deleteIfExists(tokenFile);
            SecretFiles.createOnce(tokenFile, Tokens.newToken() + "\n");
            token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
            tokens = Tokens.parse(List.of(tokenEntry()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo's token to " + tokenFile, e);
        }
    }

    private String tokenEntry() {
        return Tokens.entry("demo", token, java.util.EnumSet.allOf(Scope.class));
    }

    /**
     * The collector's ingest API on a free local port, admitting this run's token, with the spool and the device-id
     * key in its data directory.
     */
    private CollectorService startCollector(Path collectorDir, MeterRegistry meters) {
        try {
            Files.createDirectories(collectorDir);
            Map<String, String> settings = new HashMap<>(Map.of(
                    CollectorSettings.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    CollectorSettings.DATA_DIR_CONFIG, collectorDir.toString(),
                    CollectorSettings.HTTP_PORT_CONFIG, "0",
                    CollectorSettings.TOKENS_CONFIG, tokenEntry()));
            kafkaClientSettings.forEach((key, value) -> {
                settings.put(CollectorSettings.PRODUCER_PREFIX + key, value);
                settings.put(CollectorSettings.CONSUMER_PREFIX + key, value);
            });
            return CollectorService.start(new CollectorSettings(settings), List.of(), meters);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the collector in " + collectorDir, e);
        }
    }


    /** Starts the embedded broker and QuestDB that {@code endpoints} leave out, side by side: each takes seconds. */
    private void startBrokerAndStore(Path dataDir, Endpoints endpoints) {
        CompletableFuture<EmbeddedKafka> broker = endpoints.embeddedKafka()
                ? CompletableFuture.supplyAsync(
                        () -> EmbeddedKafka.start(dataDir.resolve("kafka"), Duration.ofSeconds(60)))
                : CompletableFuture.completedFuture(null);
        CompletableFuture<EmbeddedQuestDb> store = endpoints.embeddedQuestDb()
                ? CompletableFuture.supplyAsync(() -> EmbeddedQuestDb.start(dataDir.resolve("questdb")))
                : CompletableFuture.completedFuture(null);
        try {
            CompletableFuture.allOf(broker, store).join();
        } catch (RuntimeException e) {
            broker.thenAccept(this::stopOnClose);
            store.thenAccept(this::stopOnClose);
            throw unwrap(e);
        }
        EmbeddedKafka kafka = broker.join();
        stopOnClose(kafka);
        bootstrapServers = kafka != null ? kafka.bootstrapServers() : endpoints.kafkaBootstrapServers();
        questDb = store.join();
        stopOnClose(questDb);
        questDbHttp = new QuestDbHttp(questDb != null ? questDb.httpUrl() : endpoints.questDbHttpUrl());
        questDbSenderConfig = questDb != null ? questDb.senderConfig() : endpoints.questDbSenderConfig();
    }

    private void stopOnClose(AutoCloseable component) {
        if (component != null) {
            started.push(component);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Topics topics() {
        return topics;
    }

    /**
     * Settings a Kafka client needs for this pipeline's cluster besides the brokers (TLS, SASL), unprefixed; empty
     * for a PLAINTEXT cluster.
     */
    public Map<String, String> kafkaClientSettings() {
        return kafkaClientSettings;
    }

    /** {@link #kafkaClientSettings()} with {@code bootstrap.servers}: a whole client configuration. */
    public Map<String, Object> kafkaClientConfig() {
        Map<String, Object> config = new HashMap<>(kafkaClientSettings);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    /**
     * The embedded QuestDB (its ports, its root), or {@code null} when the pipeline writes to an external one; the
     * SQL client {@link #questDbHttp()} works either way.
     */
    public EmbeddedQuestDb questDb() {
        return questDb;
    }

    public QuestDbHttp questDbHttp() {
        return questDbHttp;
    }

    public Admin admin() {
        return admin;
    }

    public StreamsApp streams() {
        return streams;
    }

    /** The built-in dashboard's page, {@code http://127.0.0.1:port/index.html}. */
    public String dashboardUrl() {
        return dashboard.url();
    }

    public SinkService sink() {
        return sink;
    }

    /** The collector (ingest API, spool). */
    public CollectorService collector() {
        return collector;
    }

    /** The ingest API's base URL, {@code http://127.0.0.1:<port>}. */
    public String ingestUrl() {
        return "http://127.0.0.1:" + collector.port();
    }

    /**
     * The streams app's interactive-query API base URL, {@code http://127.0.0.1:<port>} (GET /v1/devices/{id},
     * /v1/releases/{kb}/progress, /v1/cohorts/exposed?kb=, /v1/alerts?state=).
     */
    public String queryUrl() {
        return streams.queryUrl().orElseThrow();
    }

    /** The file holding this run's bearer token (read and write), which every HTTP endpoint of the demo admits. */
    public Path tokenFile() {
        return tokenFile;
    }

    /** The same file: the ingest API admits the token it holds. */
    public Path ingestTokenFile() {
        return tokenFile;
    }

    /** This run's bearer token (read and write), for what calls the demo's endpoints from inside. */
    public String token() {
        return token;
    }

    /** The tokens the demo's endpoints admit (this run's only), for its /metrics. */
    public Tokens tokens() {
        return tokens;
    }

    @Override
    /** Stops in reverse start order; synchronized because Ctrl-C's shutdown hook and try-with-resources may race. */
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", next.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static RuntimeException unwrap(RuntimeException e) {
        return e.getCause() instanceof RuntimeException cause ? cause : e;
    }
}
