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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka cluster of several KRaft nodes in this JVM, each broker and controller, for fault tests: any node can be
 * killed and restarted on its own log directory and ports while the others serve.
 *
 * <p>Every topic is replicated to three nodes (or to all, when fewer) with two in sync for an acknowledgement
 * ({@code default.replication.factor}, {@code min.insync.replicas}, and the same for the consumer-offsets and
 * transaction-state topics), so a cluster of three keeps accepting {@code acks=all} writes with one node down and
 * loses nothing it acknowledged. Streams' internal topics (replication factor -1) and topics created with the broker
 * default follow the same.
 *
 * <p>{@link #kill(int)} is as close to a crash as a node sharing its JVM gets: the node stops without a controlled
 * shutdown ({@code controlled.shutdown.enable=false}), so it neither hands over its partition leaderships nor tells
 * the controller it is leaving. Its partitions stay without a leader until the controller misses its heartbeats
 * ({@code broker.session.timeout.ms}) and elects new leaders from the in-sync replicas, as after a crash. Its
 * connections are dropped mid-request. The marker a stopped broker leaves for a clean shutdown and its recovery
 * points are deleted, so the restart recovers (re-reads and validates) every log from its start, as after a crash
 * whose last flush lies far back. What an in-process stop cannot imitate: the node still flushes its logs to the file
 * system and its Raft client still resigns an active controllership on the way out; a process crash keeps written
 * data in the page cache as well, so no acknowledged write is spared that a crash would lose.
 *
 * <p>The nodes start and stop in parallel: one after another, a node waits for a quorum that is not there yet (or not
 * any more) for minutes.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final String PORTS_FILE = "ports.properties";
    /** The marker Kafka's log manager writes in each log directory on a clean shutdown. */
    private static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";
    /** Up to where each log is known flushed; without it, recovery checks every log from its start. */
    private static final String RECOVERY_POINTS_FILE = "recovery-point-offset-checkpoint";
    private static final int REPLICAS = 3;
    private static final int MIN_IN_SYNC = 2;

    private final Path dataDir;
    private final SortedMap<Integer, NodePorts> ports;
    private final String bootstrapServers;
    private final Map<Integer, KafkaRaftServer> running = new TreeMap<>();

    /** Broker and controller port of one node. */
    private record NodePorts(int broker, int controller) {
    }

    private EmbeddedKafkaCluster(Path dataDir, SortedMap<Integer, NodePorts> ports) {
        this.dataDir = dataDir;
        this.ports = ports;
        this.bootstrapServers = ports.values().stream().map(p -> "127.0.0.1:" + p.broker())
                .collect(Collectors.joining(","));
    }

    /**
     * Starts {@code nodes} nodes (ids 1..nodes) on {@code dataDir}, formatting each on first use, and waits until
     * every one of them serves as a broker.
     */
    public static EmbeddedKafkaCluster start(Path dataDir, int nodes, Duration timeout) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, not " + nodes);
        }
        EmbeddedKafkaCluster cluster;
        try {
            Files.createDirectories(dataDir);
            cluster = new EmbeddedKafkaCluster(dataDir, ports(dataDir, nodes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka cluster's data directory " + dataDir, e);
        }
        cluster.format();
        try {
            inParallel(cluster.ports.keySet(), id -> cluster.startNode(id, timeout));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info("Kafka cluster (KRaft, {} nodes) ready at {} with data in {}", nodes, cluster.bootstrapServers,
                dataDir);
        return cluster;
    }

    /** host:port of every node's PLAINTEXT listener, comma-separated. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** host:port of one node's PLAINTEXT listener. */
    public String bootstrapServers(int nodeId) {
        return "127.0.0.1:" + nodePorts(nodeId).broker();
    }

    /** The node ids, 1..n. */
    public List<Integer> nodeIds() {
        return List.copyOf(ports.keySet());
    }

    /** Whether the node runs (was started and not killed since). */
    public synchronized boolean isRunning(int nodeId) {
        return running.containsKey(nodeId);
    }

    /**
     * Stops node {@code nodeId} abruptly (see the class comment): no controlled shutdown, and its logs are left to
     * be recovered on restart.
     *
     * @throws IllegalStateException when the node is not running
     */
    public void kill(int nodeId) {
        KafkaRaftServer server;
        synchronized (this) {
            server = running.remove(nodeId);
        }
        if (server == null) {
            throw new IllegalStateException("node " + nodeId + " of the Kafka cluster is not running");
        }
        server.shutdown();
        server.awaitShutdown();
        try {
            Files.deleteIfExists(logDir(nodeId).resolve(CLEAN_SHUTDOWN_FILE));
            Files.deleteIfExists(logDir(nodeId).resolve(RECOVERY_POINTS_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the clean-shutdown marker of node " + nodeId, e);
        }
        LOG.info("Kafka node {} killed (no controlled shutdown)", nodeId);
    }

    /**
     * Starts a killed node again on its log directory and ports and waits until it serves as a broker; it catches
     * up on its partitions afterwards (see {@link #awaitFullyReplicated}).
     */
    public void restart(int nodeId, Duration timeout) {
        nodePorts(nodeId);
        if (isRunning(nodeId)) {
            throw new IllegalStateException("node " + nodeId + " of the Kafka cluster is still running");
        }
        startNode(nodeId, timeout);
        LOG.info("Kafka node {} restarted", nodeId);
    }

    /**
     * Waits until every partition of every topic has all its replicas in sync again (after a restart, the node has
     * caught up); throws IllegalStateException naming the partitions still short when {@code timeout} passes.
     */
    public void awaitFullyReplicated(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin(bootstrapServers)) {
            List<String> shortOfReplicas = List.of("not checked yet");
            while (System.nanoTime() < deadline) {
                try {
                    shortOfReplicas = underReplicated(admin);
                    if (shortOfReplicas.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    shortOfReplicas = List.of("cannot describe the topics: " + e.getCause());
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("partitions still under-replicated after " + timeout + ": "
                    + shortOfReplicas);
        }
    }

    /** Stops every running node, in parallel. */
    @Override
    public void close() {
        List<KafkaRaftServer> servers;
        synchronized (this) {
            servers = new ArrayList<>(running.values());
            running.clear();
        }
        inParallel(servers, server -> {
            server.shutdown();
            server.awaitShutdown();
        });
    }

    private void startNode(int nodeId, Duration timeout) {
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(serverProperties(nodeId), false),
                Time.SYSTEM);
        synchronized (this) {
            running.put(nodeId, server);
        }
        server.startup();
        awaitBroker(nodeId, timeout);
    }

    /** Waits until the node is registered and unfenced: it then appears in the cluster's broker list. */
    private void awaitBroker(int nodeId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin(bootstrapServers(nodeId))) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    if (admin.describeCluster().nodes().get().stream().map(Node::id).anyMatch(id -> id == nodeId)) {
                        return;
                    }
                } catch (ExecutionException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka node " + nodeId, e);
                }
                sleep(100);
            }
            throw new IllegalStateException("Kafka node " + nodeId + " at " + bootstrapServers(nodeId)
                    + " did not become ready within " + timeout, last);
        }
    }

    private static List<String> underReplicated(Admin admin) throws ExecutionException, InterruptedException {
        List<String> names = new ArrayList<>(admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions()
                .listInternal(true)).names().get());
        List<String> shortOfReplicas = new ArrayList<>();
        for (TopicDescription topic : admin.describeTopics(names).allTopicNames().get().values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                if (partition.isr().size() < partition.replicas().size()) {
                    shortOfReplicas.add(topic.name() + "-" + partition.partition() + " isr "
                            + partition.isr().stream().map(Node::id).toList());
                }
            }
        }
        return shortOfReplicas;
    }

    private NodePorts nodePorts(int nodeId) {
        NodePorts node = ports.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("the Kafka cluster has no node " + nodeId + "; its nodes are "
                    + ports.keySet());
        }
        return node;
    }

    private Path logDir(int nodeId) {
        return dataDir.resolve("node-" + nodeId);
    }

    /** Formats the nodes not formatted yet, all with the cluster id of the first run. */
    private void format() {
        String clusterId = ports.keySet().stream().map(id -> logDir(id).resolve("meta.properties"))
                .filter(Files::exists).findFirst().map(EmbeddedKafkaCluster::clusterIdOf)
                .orElseGet(() -> Uuid.randomUuid().toString());
        for (int nodeId : ports.keySet()) {
            if (Files.exists(logDir(nodeId).resolve("meta.properties"))) {
                continue;
            }
            try {
                Path config = dataDir.resolve("node-" + nodeId + ".properties");
                try (Writer out = Files.newBufferedWriter(config)) {
                    serverProperties(nodeId).store(out, "embedded PatchPulse cluster node " + nodeId);
                }
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                // The voters are fixed in controller.quorum.voters: no --standalone or --initial-controllers.
                int code = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString()},
                        new PrintStream(output, true, StandardCharsets.UTF_8));
                if (code != 0) {
                    throw new IllegalStateException("formatting the storage of Kafka node " + nodeId + " in "
                            + logDir(nodeId) + " failed: " + output.toString(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot format Kafka node " + nodeId + " in " + logDir(nodeId), e);
            }
        }
    }

    private static String clusterIdOf(Path metaProperties) {
        Properties meta = new Properties();
        try (Reader in = Files.newBufferedReader(metaProperties)) {
            meta.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metaProperties, e);
        }
        return meta.getProperty("cluster.id");
    }

    private Properties serverProperties(int nodeId) {
        NodePorts own = nodePorts(nodeId);
        String voters = ports.entrySet().stream()
                .map(node -> node.getKey() + "@127.0.0.1:" + node.getValue().controller())
                .collect(Collectors.joining(","));
        String replicas = Integer.toString(Math.min(REPLICAS, ports.size()));
        String minInSync = Integer.toString(Math.min(MIN_IN_SYNC, ports.size()));
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(nodeId));
        // A fixed voter set: every node knows the quorum from the start, none has to join it later.
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + own.broker() + ",CONTROLLER://127.0.0.1:"
                + own.controller());
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + own.broker());
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir(nodeId).toString());
        // Every topic on three nodes, two in sync for acks=all: one node may fail without losing or refusing writes.
        props.put("default.replication.factor", replicas);
        props.put("min.insync.replicas", minInSync);
        props.put("offsets.topic.replication.factor", replicas);
        props.put("transaction.state.log.replication.factor", replicas);
        props.put("transaction.state.log.min.isr", minInSync);
        props.put("share.coordinator.state.topic.replication.factor", replicas);
        props.put("share.coordinator.state.topic.min.isr", minInSync);
        // Only an in-sync replica may lead (Kafka's default, pinned): an out-of-date leader would drop acked writes.
        props.put("unclean.leader.election.enable", "false");
        // kill() is a crash: the node leaves without handing over its leaderships (see the class comment).
        props.put("controlled.shutdown.enable", "false");
        // Fewer internal partitions: faster start on a small machine, plenty for tests.
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.num.partitions", "5");
        // Three nodes share two cores: fewer request and network threads than a dedicated broker's defaults.
        props.put("num.io.threads", "2");
        props.put("num.network.threads", "2");
        // No waiting for more group members that will never come.
        props.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's 128 MiB default dedupe buffer is most of an idle broker's heap; 2 MiB serves our compaction.
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        // Topics are created on purpose (TopicSetup), never by a typo.
        props.put("auto.create.topics.enable", "false");
        return props;
    }

    /** The ports of the first run (a restart must find the voters where they were), chosen on the first start. */
    private static SortedMap<Integer, NodePorts> ports(Path dataDir, int nodes) throws IOException {
        Path file = dataDir.resolve(PORTS_FILE);
        Properties stored = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                stored.load(in);
            }
        }
        SortedMap<Integer, NodePorts> ports = new TreeMap<>();
        boolean chosen = false;
        for (int id = 1; id <= nodes; id++) {
            String broker = stored.getProperty(id + ".broker");
            String controller = stored.getProperty(id + ".controller");
            if (broker == null || controller == null) {
                broker = Integer.toString(FreePorts.pick());
                controller = Integer.toString(FreePorts.pick());
                stored.setProperty(id + ".broker", broker);
                stored.setProperty(id + ".controller", controller);
                chosen = true;
            }
            ports.put(id, new NodePorts(Integer.parseInt(broker), Integer.parseInt(controller)));
        }
        if (chosen) {
            try (Writer out = Files.newBufferedWriter(file)) {
                stored.store(out, "ports of the embedded Kafka cluster's nodes");
            }
        }
        return ports;
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000));
    }

    /** Runs {@code action} on every item at once and waits for all; rethrows the first failure. */
    private static <T> void inParallel(java.util.Collection<T> items, java.util.function.Consumer<T> action) {
        List<CompletableFuture<Void>> all = items.stream()
                .map(item -> CompletableFuture.runAsync(() -> action.accept(item), runnable -> {
                    Thread thread = new Thread(runnable, "embedded-kafka-cluster");
                    thread.setDaemon(true);
                    thread.start();
                }))
                .toList();
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
