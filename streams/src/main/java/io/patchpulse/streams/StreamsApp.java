package io.patchpulse.streams;

import io.patchpulse.security.ServerUrl;
import io.patchpulse.streams.query.KafkaStreamsStores;
import io.patchpulse.streams.query.QueryServer;
import io.patchpulse.streams.topology.TrendTopology;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams service: builds the topology from its settings and owns the {@link KafkaStreams} lifecycle and the
 * interactive-query REST server ({@link QueryServer}), which is bound when the app is created (so its advertised
 * address can be Kafka Streams' {@code application.server}) and stopped when it is closed.
 * A stream thread that dies is replaced a few times ({@link ThreadFailurePolicy}: a broker failover can kill one);
 * an error beyond that shuts the client down and is kept for {@link #failure()}; it is never swallowed.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final KafkaStreams streams;
    private final QueryServer queries;
    private final HostInfo queryAddress;
    private final CountDownLatch running = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final ThreadFailurePolicy threadFailures = new ThreadFailurePolicy(System::nanoTime,
            error -> failure.compareAndSet(null, error));
    private io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics metrics;

    public StreamsApp(StreamsSettings settings) {
        Topology topology = TrendTopology.build(settings.topology());
        Properties properties = settings.streamsProperties();
        this.queries = settings.queryEnabled() ? QueryServer.start(settings.queryListen(),
                settings.queryTokens(), settings.queryTls(), settings.queryPeerTrust()) : null;
        try {
            this.queryAddress = queries == null ? null : settings.queryAdvertised()
                    .orElseGet(() -> new HostInfo(advertisedHost(settings.queryListen().host()), queries.port()));
            if (queryAddress != null) {
                // Kafka Streams tells every instance where the others' stores are by this address.
                properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, queryAddress.host() + ":" + queryAddress.port());
            }
            this.streams = new KafkaStreams(topology, properties);
        } catch (RuntimeException e) {
            if (queries != null) {
                queries.close();
            }
            throw e;
        }
        if (queries != null) {
            queries.attach(new KafkaStreamsStores(streams, queryAddress, topology,
                    properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)));
        }
        streams.setStateListener((now, before) -> {
            LOG.info("streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
            if (now == KafkaStreams.State.ERROR) {
                // However the client got here, its end is a failure someone must see.
                Throwable cause = threadFailures.lastError();
                failure.compareAndSet(null, cause != null ? cause
                        : new IllegalStateException("Kafka Streams stopped in state ERROR"));
            }
        });
        streams.setUncaughtExceptionHandler(threadFailures);
    }

    /** Starts processing and waits until the client is RUNNING, or throws after {@code timeout}. */
    public void start(Duration timeout) throws InterruptedException {
        streams.start();
        if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Kafka Streams did not reach RUNNING within " + timeout + " (state "
                    + streams.state() + "); is the broker reachable and are the input topics created?");
        }
    }

    /** Current client state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Base URL of this instance's query API ({@code http://host:port}, {@code https} under TLS, the advertised
     * address), when enabled.
     */
    public Optional<String> queryUrl() {
        return Optional.ofNullable(queryAddress)
                .map(address -> ServerUrl.of(queries.tls(), address.host(), address.port(), ""));
    }

    /**
     * Binds Kafka Streams' own metrics (its consumers' lag, process and commit rates, its producers' send rates) to
     * {@code registry}, as {@code kafka.*} meters tagged by client, thread and task.
     */
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        metrics = new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
    }

    /** Stream threads replaced after an error since start (see {@link ThreadFailurePolicy}). */
    public long threadReplacements() {
        return threadFailures.replacements();
    }

    /** The error that stopped processing, or null. */
    public Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() {
        if (queries != null) {
            queries.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        // Leave the group on the way out: otherwise the next start waits out the old member's session timeout
        // (45 s by default) before it gets its partitions back.
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }

    /** A wildcard bind address is no address for peers: they get this host's name instead. */
    private static String advertisedHost(String bound) {
        if (!bound.equals("0.0.0.0") && !bound.equals("::") && !bound.equals("[::]")) {
            return bound;
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the query API is bound to " + bound + " and this host's name is unknown:"
                    + " set " + StreamsSettings.QUERY_ADVERTISED_CONFIG, e);
        }
    }
}
