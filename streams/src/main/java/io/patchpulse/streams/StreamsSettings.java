package io.patchpulse.streams;

import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.security.Secrets;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import io.patchpulse.streams.topology.AlertRules;
import io.patchpulse.streams.topology.DeviceRules;
import io.patchpulse.streams.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Settings of the streams service, parsed once. Keys not listed here but starting with {@value #STREAMS_PREFIX} are
 * passed to Kafka Streams as they are (without the prefix), so TLS and SASL settings reach the clients.
 */
public final class StreamsSettings extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers, host:port[,host:port]. Required.";
    public static final String APPLICATION_ID_CONFIG = "application.id";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id: consumer group and prefix of "
            + "internal topics. Default patchpulse-streams.";
    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    private static final String TOPIC_PREFIX_DOC = "Prefix of every PatchPulse topic. Default patchpulse.";
    public static final String TREND_WINDOW_CONFIG = "trend.window";
    private static final String TREND_WINDOW_DOC = "Size of the event-time trend windows, ISO-8601 duration: "
            + "whole minutes that divide a day (PT1M, PT15M, PT1H...). Default PT1H.";
    public static final String GRACE_CONFIG = "trend.grace";
    private static final String GRACE_DOC = "How long after a window closes late events still count, ISO-8601 "
            + "duration; later ones go to the dead-letter topic. Default P7D.";
    public static final String COMBINE_EVERY_CONFIG = "trend.combine.every";
    private static final String COMBINE_EVERY_DOC = "How long each task sums trend deltas per window and cohort "
            + "before they are shuffled by cohort, ISO-8601 duration (wall clock); PT0S sends every delta on its own. "
            + "Totals are the same either way; fewer records cross the shuffle, and a total shows up to this much "
            + "later. Default PT1S.";
    public static final String STATE_DIR_CONFIG = "state.dir";
    private static final String STATE_DIR_DOC = "Directory of the local state stores. Default "
            + "${java.io.tmpdir}/patchpulse-streams.";
    public static final String COMMIT_INTERVAL_CONFIG = "commit.interval.ms";
    private static final String COMMIT_INTERVAL_DOC = "How often results are committed and emitted. Default 1000.";
    public static final String THREADS_CONFIG = "num.stream.threads";
    private static final String THREADS_DOC = "Stream threads in this instance. Default 1.";
    public static final String GUARANTEE_CONFIG = "processing.guarantee";
    private static final String GUARANTEE_DOC = "exactly_once_v2 (default) or at_least_once.";
    public static final String FALSE_FAILURE_WITHIN_CONFIG = "device.false.failure.within";
    private static final String FALSE_FAILURE_WITHIN_DOC = "A failure reported while a reboot was pending is a false "
            + "failure when success on the same update follows within this time, ISO-8601 duration. Default P3D.";
    public static final String SPACE_EVIDENCE_WITHIN_CONFIG = "device.space.evidence.within";
    private static final String SPACE_EVIDENCE_WITHIN_DOC = "A WinREAgent 4502 with ErrorPhase 2 this close to a "
            + "failure confirms insufficient recovery-partition space, ISO-8601 duration. Default PT1H.";
    public static final String ALERT_BASELINE_WINDOWS_CONFIG = "alert.baseline.windows";
    private static final String ALERT_BASELINE_WINDOWS_DOC = "Earlier trend windows that make a cohort's baseline. "
            + "Default 24.";
    public static final String ALERT_MIN_DEVICES_CONFIG = "alert.min.devices.failed";
    private static final String ALERT_MIN_DEVICES_DOC = "A spike needs at least this many failing devices in the "
            + "window. Default 10.";
    public static final String ALERT_MIN_RATE_CONFIG = "alert.min.failure.rate";
    private static final String ALERT_MIN_RATE_DOC = "A spike needs at least this failure rate (devices failed / "
            + "devices attempted) in the window. Default 0.2.";
    public static final String ALERT_FACTOR_CONFIG = "alert.factor";
    private static final String ALERT_FACTOR_DOC = "A spike is this many times above the baseline, in failing "
            + "devices and in failure rate. Default 3.0.";
    public static final String QUERY_ENABLED_CONFIG = "query.enabled";
    private static final String QUERY_ENABLED_DOC = "Serve the interactive-query REST API (/v1/devices/{id}, "
            + "/v1/releases/{kb}/progress, /v1/cohorts/exposed, /v1/alerts). Default true.";
    public static final String QUERY_LISTEN_CONFIG = "query.listen";
    private static final String QUERY_LISTEN_DOC = "host:port the query API binds; port 0 takes any free port. "
            + "Default 127.0.0.1:8091.";
    public static final String QUERY_ADVERTISED_CONFIG = "query.advertised";
    private static final String QUERY_ADVERTISED_DOC = "host:port the other instances reach this one's query API "
            + "at (Kafka Streams' application.server). Default: the bound address (the host name when bound to "
            + "0.0.0.0 or ::).";
    public static final String QUERY_TOKENS_CONFIG = "query.tokens";
    private static final String QUERY_TOKENS_DOC = "Who may call the query API and this service's /metrics: "
            + "comma-separated name:sha256hex:read entries (`patchpulse token --scopes read`); every GET needs scope "
            + "read. Raw tokens are never configured. No entries: every request is refused (401).";
    public static final String QUERY_TOKENS_FILE_CONFIG = "query.tokens.file";
    private static final String QUERY_TOKENS_FILE_DOC = "A file of more query.tokens entries, one a line (# comments), "
            + "read at start and again about two seconds after a change: a token is added or revoked without a restart "
            + "(a file with a bad line is ignored until fixed). Default none.";
    public static final String QUERY_TLS_KEYSTORE_CONFIG = "query.tls.keystore";
    private static final String QUERY_TLS_KEYSTORE_DOC = "PKCS12 keystore: the query API and /metrics are then "
            + "served over HTTPS only, and other instances are asked over HTTPS. Default none (plain HTTP).";
    public static final String QUERY_TLS_KEYSTORE_PASSWORD_CONFIG = "query.tls.keystore.password";
    private static final String QUERY_TLS_KEYSTORE_PASSWORD_DOC = "Where the keystore's password is: env:NAME or "
            + "file:PATH (its first line); a password written here is refused. Required with query.tls.keystore.";
    public static final String QUERY_TLS_TRUSTSTORE_CONFIG = "query.tls.truststore";
    private static final String QUERY_TLS_TRUSTSTORE_DOC = "PKCS12 trust store with the certificates (or their CA) "
            + "of the other instances. Default none: the JDK's trusted CAs.";
    public static final String QUERY_TLS_TRUSTSTORE_PASSWORD_CONFIG = "query.tls.truststore.password";
    private static final String QUERY_TLS_TRUSTSTORE_PASSWORD_DOC = "Where the trust store's password is: env:NAME "
            + "or file:PATH. Required with query.tls.truststore.";
    public static final String ALERT_STAY_FRACTION_CONFIG = "alert.stay.fraction";
    private static final String ALERT_STAY_FRACTION_DOC = "A firing alert goes on while its cohort's windows reach "
            + "this fraction of both thresholds (hysteresis against resolving and firing again). Default 0.5.";
    public static final String STREAMS_PREFIX = "streams.";

    private static final ConfigDef DEFINITION = new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(APPLICATION_ID_CONFIG, Type.STRING, "patchpulse-streams", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, APPLICATION_ID_DOC)
            .define(TOPIC_PREFIX_CONFIG, Type.STRING, Topics.DEFAULT_PREFIX, Importance.MEDIUM, TOPIC_PREFIX_DOC)
            .define(TREND_WINDOW_CONFIG, Type.STRING, "PT1H", Importance.MEDIUM, TREND_WINDOW_DOC)
            .define(GRACE_CONFIG, Type.STRING, "P7D", Importance.MEDIUM, GRACE_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, System.getProperty("java.io.tmpdir") + "/patchpulse-streams",
                    Importance.MEDIUM, STATE_DIR_DOC)
            .define(COMMIT_INTERVAL_CONFIG, Type.LONG, 1000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    COMMIT_INTERVAL_DOC)
            .define(THREADS_CONFIG, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.LOW, THREADS_DOC)
            .define(COMBINE_EVERY_CONFIG, Type.STRING, "PT1S", Importance.LOW, COMBINE_EVERY_DOC)
            .define(FALSE_FAILURE_WITHIN_CONFIG, Type.STRING, "P3D", Importance.MEDIUM, FALSE_FAILURE_WITHIN_DOC)
            .define(SPACE_EVIDENCE_WITHIN_CONFIG, Type.STRING, "PT1H", Importance.LOW, SPACE_EVIDENCE_WITHIN_DOC)
            .define(ALERT_BASELINE_WINDOWS_CONFIG, Type.INT, 24, ConfigDef.Range.between(1, 672), Importance.MEDIUM,
                    ALERT_BASELINE_WINDOWS_DOC)
            .define(ALERT_MIN_DEVICES_CONFIG, Type.LONG, 10L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    ALERT_MIN_DEVICES_DOC)
            .define(ALERT_MIN_RATE_CONFIG, Type.DOUBLE, 0.2, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    ALERT_MIN_RATE_DOC)
            .define(ALERT_FACTOR_CONFIG, Type.DOUBLE, 3.0, ConfigDef.Range.atLeast(1.0), Importance.MEDIUM,
                    ALERT_FACTOR_DOC)
            .define(QUERY_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, QUERY_ENABLED_DOC)
            .define(QUERY_LISTEN_CONFIG, Type.STRING, "127.0.0.1:8091", Importance.MEDIUM, QUERY_LISTEN_DOC)
            .define(QUERY_ADVERTISED_CONFIG, Type.STRING, "", Importance.MEDIUM, QUERY_ADVERTISED_DOC)
            .define(QUERY_TOKENS_CONFIG, Type.LIST, "", Importance.HIGH, QUERY_TOKENS_DOC)
            .define(QUERY_TOKENS_FILE_CONFIG, Type.STRING, "", Importance.HIGH, QUERY_TOKENS_FILE_DOC)
            .define(QUERY_TLS_KEYSTORE_CONFIG, Type.STRING, "", Importance.HIGH, QUERY_TLS_KEYSTORE_DOC)
            .define(QUERY_TLS_KEYSTORE_PASSWORD_CONFIG, Type.STRING, "", Importance.HIGH,
                    QUERY_TLS_KEYSTORE_PASSWORD_DOC)
            .define(QUERY_TLS_TRUSTSTORE_CONFIG, Type.STRING, "", Importance.MEDIUM, QUERY_TLS_TRUSTSTORE_DOC)
            .define(QUERY_TLS_TRUSTSTORE_PASSWORD_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    QUERY_TLS_TRUSTSTORE_PASSWORD_DOC)
            .define(ALERT_STAY_FRACTION_CONFIG, Type.DOUBLE, 0.5, ConfigDef.Range.between(0.01, 1.0),
                    Importance.LOW, ALERT_STAY_FRACTION_DOC)
            .define(GUARANTEE_CONFIG, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
                    Importance.MEDIUM, GUARANTEE_DOC);

    private final TopologySettings topology;
    private final HostInfo queryListen;
    private final Tokens queryTokens;
    private final Optional<Tls> queryTls;
    private final javax.net.ssl.SSLContext queryPeerTrust;
    private final HostInfo queryAdvertised;

    /** Parses and validates {@code values}; throws {@link ConfigException} naming the key at fault. */
    public StreamsSettings(Map<String, ?> values) {
        super(DEFINITION, values);
        Duration window = duration(TREND_WINDOW_CONFIG);
        Duration grace = duration(GRACE_CONFIG);
        DeviceRules rules;
        try {
            rules = new DeviceRules(duration(FALSE_FAILURE_WITHIN_CONFIG), duration(SPACE_EVIDENCE_WITHIN_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(FALSE_FAILURE_WITHIN_CONFIG + " / " + SPACE_EVIDENCE_WITHIN_CONFIG + ": "
                    + e.getMessage());
        }
        AlertRules alerts = new AlertRules(getInt(ALERT_BASELINE_WINDOWS_CONFIG), getLong(ALERT_MIN_DEVICES_CONFIG),
                getDouble(ALERT_MIN_RATE_CONFIG), getDouble(ALERT_FACTOR_CONFIG),
                getDouble(ALERT_STAY_FRACTION_CONFIG));
        try {
            this.topology = new TopologySettings(new Topics(getString(TOPIC_PREFIX_CONFIG)), window, grace, rules,
                    alerts, duration(COMBINE_EVERY_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TREND_WINDOW_CONFIG + " / " + GRACE_CONFIG + " / " + COMBINE_EVERY_CONFIG + ": "
                    + e.getMessage());
        }
        this.queryListen = hostPort(QUERY_LISTEN_CONFIG, true);
        try {
            String file = getString(QUERY_TOKENS_FILE_CONFIG);
            this.queryTokens = Tokens.load(getList(QUERY_TOKENS_CONFIG), file.isBlank() ? null : Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(QUERY_TOKENS_CONFIG + " / " + QUERY_TOKENS_FILE_CONFIG + ": " + e.getMessage());
        }
        try {
            this.queryTls = Tls.fromSettings(getString(QUERY_TLS_KEYSTORE_CONFIG),
                    getString(QUERY_TLS_KEYSTORE_PASSWORD_CONFIG), QUERY_TLS_KEYSTORE_CONFIG);
            String trust = getString(QUERY_TLS_TRUSTSTORE_CONFIG);
            this.queryPeerTrust = trust.isBlank() ? null : Tls.clientContext(Path.of(trust),
                    Secrets.resolve(getString(QUERY_TLS_TRUSTSTORE_PASSWORD_CONFIG),
                            QUERY_TLS_TRUSTSTORE_PASSWORD_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        this.queryAdvertised = getString(QUERY_ADVERTISED_CONFIG).isBlank() ? null
                : hostPort(QUERY_ADVERTISED_CONFIG, false);
    }

    /** The definition, for documentation. */
    public static ConfigDef definition() {
        return DEFINITION;
    }

    /** What the topology is built from. */
    public TopologySettings topology() {
        return topology;
    }

    /** Whether this instance serves the query API. */
    public boolean queryEnabled() {
        return getBoolean(QUERY_ENABLED_CONFIG);
    }

    /** Where the query API binds (port 0: any free port). */
    public HostInfo queryListen() {
        return queryListen;
    }

    /** Who may call the query API and /metrics. */
    public Tokens queryTokens() {
        return queryTokens;
    }

    /** The keystore to serve the query API (and /metrics) over HTTPS with, or empty for plain HTTP. */
    public Optional<Tls> queryTls() {
        return queryTls;
    }

    /** What the query API trusts when it asks other instances over HTTPS; null: the JDK's default trust store. */
    public javax.net.ssl.SSLContext queryPeerTrust() {
        return queryPeerTrust;
    }

    /** Where the other instances reach the query API, when configured; otherwise the bound address is used. */
    public Optional<HostInfo> queryAdvertised() {
        return Optional.ofNullable(queryAdvertised);
    }

    /**
     * The Kafka Streams properties. {@code application.server} is not among them: {@code StreamsApp} sets it to
     * the query API's advertised address once the API is bound.
     */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS_CONFIG));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID_CONFIG));
        props.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, getString(GUARANTEE_CONFIG));
        // Results become visible (and transactions commit) once a second: fresh enough for minutes-scale alerting.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, getLong(COMMIT_INTERVAL_CONFIG));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(THREADS_CONFIG));
        // install-events is read as bytes and checked by the topology itself; a device-inventory record that cannot
        // be decoded is logged with its coordinates and kept in the dead-letter topic (below) instead of stopping
        // the app at every restart.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        // A record that makes a processor throw (a bug, or input nobody foresaw) is logged and kept in the
        // dead-letter topic with the exception in its headers, instead of stopping the app at every restart.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueProcessingExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topology.topics().installEventsDlq.name());
        // The behaviour Kafka 5.0 makes default; also silences a warning at every start.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.putAll(originalsWithPrefix(STREAMS_PREFIX));
        // Changelog and repartition topics with three or more replicas need two in sync for a write, as the topics
        // `patchpulse topics` creates do: a broker's default of 1 lets acks=all acknowledge a write only one broker
        // holds, which that broker's loss then takes with it. streams.topic.min.insync.replicas, when given, wins.
        String minInSync = StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        if (!props.containsKey(minInSync) && replicationFactor(props) >= 3) {
            props.put(minInSync, "2");
        }
        return props;
    }

    /** streams.replication.factor as a number; -1 (the broker's default) when absent or not a number. */
    private static int replicationFactor(Properties props) {
        Object value = props.get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
        try {
            return value == null ? -1 : Integer.parseInt(value.toString().strip());
        } catch (NumberFormatException e) {
            return -1; // Kafka Streams refuses it by name when the app starts
        }
    }

    private HostInfo hostPort(String key, boolean portZeroAllowed) {
        String text = getString(key).strip();
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (!host.isEmpty() && port >= (portZeroAllowed ? 0 : 1) && port <= 65_535) {
                return new HostInfo(host, port);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key, text, "not host:port with a port from " + (portZeroAllowed ? 0 : 1)
                + " to 65535");
    }

    private Duration duration(String key) {
        String text = getString(key);
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new ConfigException(key, text, "not an ISO-8601 duration such as PT1H or P7D");
        }
    }
}
