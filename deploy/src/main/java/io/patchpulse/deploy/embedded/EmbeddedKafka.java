package io.patchpulse.deploy.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in this JVM, in KRaft mode (one node that is broker and controller), built from Kafka's own
 * server classes. Its log directory and its ports are kept under the data directory, so a restart finds its topics,
 * offsets and transactions again.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String PORTS_FILE = "ports.properties";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    /** What clients need besides the brokers' address: empty for PLAINTEXT, TLS and SASL for {@link SaslSslListener}. */
    private final Map<String, String> clientSettings;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Map<String, String> clientSettings) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.clientSettings = Map.copyOf(clientSettings);
    }

    /** Starts a broker on {@code dataDir} (created and formatted on first use) and waits until it answers. */
    public static EmbeddedKafka start(Path dataDir, Duration timeout) {
        return start(dataDir, timeout, null);
    }

    /**
     * The same, with clients served on a TLS + SASL SCRAM listener ({@code secured}; null: PLAINTEXT as above):
     * {@link #bootstrapServers()} is then that listener, and {@link #clientSettings()} what a client needs for it. The
     * SCRAM user is created when the storage is formatted, so {@code dataDir} must be new or formatted with it.
     */
    public static EmbeddedKafka start(Path dataDir, Duration timeout, SaslSslListener secured) {
        try {
            Files.createDirectories(dataDir);
            Path logDir = dataDir.resolve("log");
            Properties ports = ports(dataDir);
            int brokerPort = Integer.parseInt(ports.getProperty("broker"));
            int controllerPort = Integer.parseInt(ports.getProperty("controller"));
            Properties props = serverProperties(logDir, brokerPort, controllerPort);
            String bootstrap = "127.0.0.1:" + brokerPort;
            if (secured != null) {
                // A client listener beside the PLAINTEXT one the broker keeps for itself (see SaslSslListener).
                bootstrap = "127.0.0.1:" + FreePorts.pick();
                props.put("listeners", props.get("listeners") + "," + SaslSslListener.NAME + "://" + bootstrap);
                props.put("advertised.listeners", props.get("advertised.listeners") + "," + SaslSslListener.NAME
                        + "://" + bootstrap);
                props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ","
                        + SaslSslListener.NAME + ":" + SaslSslListener.NAME);
                props.putAll(secured.brokerProperties());
            }
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(dataDir, props, secured == null ? java.util.List.of() : secured.formatArguments());
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap,
                    secured == null ? Map.of() : secured.clientSettings());
            kafka.awaitReady(timeout);
            LOG.info("Kafka broker (KRaft) ready at {} with data in {}", bootstrap, dataDir);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka data directory " + dataDir, e);
        }
    }

    /** host:port of the PLAINTEXT listener, or of the {@link SaslSslListener} when started with one. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Client settings besides {@code bootstrap.servers} (security protocol, SASL, trust store); empty for PLAINTEXT. */
    public Map<String, String> clientSettings() {
        return clientSettings;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> config = new java.util.HashMap<>(clientSettings);
        config.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
        try (Admin admin = Admin.create(config)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get().isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new IllegalStateException("Kafka broker at " + bootstrapServers + " did not become ready within "
                                + timeout, e);
                    }
                }
            }
        }
    }

    /** The ports this data directory used before, when they are still free; new free ones otherwise. */
    private static Properties ports(Path dataDir) throws IOException {
        Path file = dataDir.resolve(PORTS_FILE);
        Properties ports = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                ports.load(in);
            }
            if (FreePorts.isFree(Integer.parseInt(ports.getProperty("broker", "0")))
                    && FreePorts.isFree(Integer.parseInt(ports.getProperty("controller", "0")))) {
                return ports;
            }
            LOG.warn("ports {} of the earlier run are taken; choosing new ones", ports);
        }
        ports.setProperty("broker", Integer.toString(FreePorts.pick()));
        ports.setProperty("controller", Integer.toString(FreePorts.pick()));
        try (Writer out = Files.newBufferedWriter(file)) {
            ports.store(out, "ports of the embedded Kafka broker");
        }
        return ports;
    }

    private static Properties serverProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        // One broker: internal topics cannot have more replicas than that.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        // Fewer internal partitions: faster start on a small machine, plenty for one node.
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.num.partitions", "5");
        // No waiting for more group members that will never come.
        props.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's 128 MiB default dedupe buffer is most of an idle broker's heap; 2 MiB serves our compaction.
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        // Topics are created on purpose (TopicSetup), never by a typo.
        props.put("auto.create.topics.enable", "false");
        return props;
    }

    private static void format(Path dataDir, Properties props, java.util.List<String> extraArguments)
            throws IOException {
        Path config = dataDir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(config)) {
            props.store(out, "embedded PatchPulse broker");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of("format", "-t",
                Uuid.randomUuid().toString(), "-c", config.toString(), "--standalone"));
        arguments.addAll(extraArguments);
        int code = StorageTool.execute(arguments.toArray(String[]::new),
                new PrintStream(output, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("formatting the Kafka storage in " + dataDir + " failed: "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }
}
