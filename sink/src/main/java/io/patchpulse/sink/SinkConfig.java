package io.patchpulse.sink;

import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the sink service, parsed and checked once. Keys not defined here but starting with
 * {@value #CONSUMER_PREFIX} go to the Kafka consumer without the prefix (TLS, SASL, fetch sizes ...); the settings the
 * delivery guarantee depends on cannot be overridden that way.
 */
public final class SinkConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    public static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers to start from, host:port[,host:port...]. Required.";

    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    public static final String TOPIC_PREFIX_DEFAULT = Topics.DEFAULT_PREFIX;
    public static final String TOPIC_PREFIX_DOC = "Prefix of every PatchPulse topic name; the sink reads <prefix>"
            + "failure-trends. Default \"" + TOPIC_PREFIX_DEFAULT + "\".";

    public static final String GROUP_ID_CONFIG = "group.id";
    public static final String GROUP_ID_DEFAULT = "patchpulse-sink";
    public static final String GROUP_ID_DOC = "Consumer group of the sink; its committed offsets mark what the store"
            + " holds. Default \"" + GROUP_ID_DEFAULT + "\".";

    public static final String QUESTDB_SENDER_CONFIG_CONFIG = "questdb.sender.config";
    public static final String QUESTDB_SENDER_CONFIG_DOC = "QuestDB line-protocol client configuration over HTTP(S),"
            + " e.g. http::addr=127.0.0.1:9000; (may hold credentials: never logged). Required.";

    public static final String QUESTDB_HTTP_URL_CONFIG = "questdb.http.url";
    public static final String QUESTDB_HTTP_URL_DOC = "QuestDB HTTP base URL for SQL (table creation), e.g."
            + " http://127.0.0.1:9000. Required.";

    public static final String POLL_TIMEOUT_MS_CONFIG = "poll.timeout.ms";
    public static final long POLL_TIMEOUT_MS_DEFAULT = 500;
    public static final String POLL_TIMEOUT_MS_DOC = "Longest wait of one consumer poll, in ms. Default "
            + POLL_TIMEOUT_MS_DEFAULT + ".";

    public static final String WRITE_RETRIES_CONFIG = "write.retries";
    public static final int WRITE_RETRIES_DEFAULT = -1;
    public static final String WRITE_RETRIES_DOC = "Attempts after the first to write a batch that failed for a"
            + " reason that may pass (I/O error, time-out, HTTP 5xx from a store); then the sink stops. -1 retries"
            + " until the store answers, committing nothing meanwhile (back-pressure). Default "
            + WRITE_RETRIES_DEFAULT + ".";

    public static final String WRITE_RETRY_BACKOFF_MS_CONFIG = "write.retry.backoff.ms";
    public static final long WRITE_RETRY_BACKOFF_MS_DEFAULT = 500;
    public static final String WRITE_RETRY_BACKOFF_MS_DOC = "Wait before the first retry of a failed write, in ms;"
            + " doubles on each further retry, up to 30 s. Default " + WRITE_RETRY_BACKOFF_MS_DEFAULT + ".";

    public static final String VICTORIAMETRICS_URL_CONFIG = "victoriametrics.url";
    public static final String VICTORIAMETRICS_URL_DOC = "VictoriaMetrics base URL, e.g. http://127.0.0.1:8428: trend"
            + " and release-progress series go there too, each rewrite stamped at its window or day start + its"
            + " revision in ms (run it with -retentionPeriod=100y -dedup.minScrapeInterval=1m, which keeps the"
            + " newest sample per minute). Empty (the default): not written.";
    public static final String ALERTMANAGER_URL_CONFIG = "alertmanager.url";
    public static final String ALERTMANAGER_URL_DOC = "Alertmanager base URL, e.g. http://127.0.0.1:9093: spike"
            + " alerts are posted to its API v2, resolved ones with endsAt. Empty (the default): not posted.";

    public static final String HTTP_TOKENS_CONFIG = "http.tokens";
    public static final String HTTP_TOKENS_DOC = "Who may see the dashboard (page and API) and the sink's /metrics:"
            + " comma-separated name:sha256hex:read entries (`patchpulse token --scopes read`). Raw tokens are never"
            + " configured. No entries: every request is refused (401).";
    public static final String HTTP_TOKENS_FILE_CONFIG = "http.tokens.file";
    public static final String HTTP_TOKENS_FILE_DOC = "A file of more http.tokens entries, one a line (# comments),"
            + " read at start and again about two seconds after a change: a token is added or revoked, and its dashboard"
            + " sessions ended, without a restart (a file with a bad line is ignored until fixed). Default none.";
    public static final String HTTP_TLS_KEYSTORE_CONFIG = "http.tls.keystore";
    public static final String HTTP_TLS_KEYSTORE_DOC = "PKCS12 keystore: the dashboard and the sink's /metrics are"
            + " then served over HTTPS only. Default none (plain HTTP).";
    public static final String HTTP_TLS_KEYSTORE_PASSWORD_CONFIG = "http.tls.keystore.password";
    public static final String HTTP_TLS_KEYSTORE_PASSWORD_DOC = "Where the keystore's password is: env:NAME or"
            + " file:PATH (its first line); a password written here is refused. Required with http.tls.keystore.";

    /** Prefix of settings passed to the Kafka consumer as they are. */
    public static final String CONSUMER_PREFIX = "consumer.";

    /** Longest wait between two write attempts. */
    public static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(30);

    /**
     * Consumer settings the sink sets itself: at-least-once delivery and committed-only reads depend on them, so a
     * {@value #CONSUMER_PREFIX} passthrough of any of these is refused.
     */
    public static final Set<String> FIXED_CONSUMER_SETTINGS = Set.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                    ConfigDef.ValidList.anyNonDuplicateValues(false, false), Importance.HIGH,
                    BOOTSTRAP_SERVERS_DOC)
            .define(TOPIC_PREFIX_CONFIG, Type.STRING, TOPIC_PREFIX_DEFAULT, new ConfigDef.NonNullValidator(),
                    Importance.MEDIUM, TOPIC_PREFIX_DOC)
            .define(GROUP_ID_CONFIG, Type.STRING, GROUP_ID_DEFAULT, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, GROUP_ID_DOC)
            .define(QUESTDB_SENDER_CONFIG_CONFIG, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE,
                    new SenderConfigValidator(), Importance.HIGH, QUESTDB_SENDER_CONFIG_DOC)
            .define(QUESTDB_HTTP_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new HttpUrlValidator(),
                    Importance.HIGH, QUESTDB_HTTP_URL_DOC)
            .define(VICTORIAMETRICS_URL_CONFIG, Type.STRING, "", new HttpUrlValidator(), Importance.MEDIUM,
                    VICTORIAMETRICS_URL_DOC)
            .define(ALERTMANAGER_URL_CONFIG, Type.STRING, "", new HttpUrlValidator(), Importance.MEDIUM,
                    ALERTMANAGER_URL_DOC)
            .define(POLL_TIMEOUT_MS_CONFIG, Type.LONG, POLL_TIMEOUT_MS_DEFAULT, ConfigDef.Range.atLeast(1),
                    Importance.LOW, POLL_TIMEOUT_MS_DOC)
            .define(WRITE_RETRIES_CONFIG, Type.INT, WRITE_RETRIES_DEFAULT, ConfigDef.Range.atLeast(-1),
                    Importance.MEDIUM, WRITE_RETRIES_DOC)
            .define(WRITE_RETRY_BACKOFF_MS_CONFIG, Type.LONG, WRITE_RETRY_BACKOFF_MS_DEFAULT,
                    ConfigDef.Range.between(0, MAX_RETRY_BACKOFF.toMillis()), Importance.LOW,
                    WRITE_RETRY_BACKOFF_MS_DOC)
            .define(HTTP_TOKENS_CONFIG, Type.LIST, "", Importance.HIGH, HTTP_TOKENS_DOC)
            .define(HTTP_TOKENS_FILE_CONFIG, Type.STRING, "", Importance.HIGH, HTTP_TOKENS_FILE_DOC)
            .define(HTTP_TLS_KEYSTORE_CONFIG, Type.STRING, "", Importance.HIGH, HTTP_TLS_KEYSTORE_DOC)
            .define(HTTP_TLS_KEYSTORE_PASSWORD_CONFIG, Type.STRING, "", Importance.HIGH,
                    HTTP_TLS_KEYSTORE_PASSWORD_DOC);

    private final List<String> bootstrapServers;
    private final Topics topics;
    private final String groupId;
    private final String questDbSenderConfig;
    private final String questDbHttpUrl;
    private final Optional<String> victoriaMetricsUrl;
    private final Optional<String> alertmanagerUrl;
    private final Duration pollTimeout;
    private final int writeRetries;
    private final Duration writeRetryBackoff;
    private final Map<String, Object> consumerOverrides;
    private final Tokens httpTokens;
    private final Optional<Tls> httpTls;

    /**
     * Parses {@code props}.
     *
     * @throws ConfigException naming the key when a required key is missing or a value is invalid
     */
    public SinkConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
        this.bootstrapServers = List.copyOf(getList(BOOTSTRAP_SERVERS_CONFIG));
        this.topics = new Topics(getString(TOPIC_PREFIX_CONFIG));
        this.groupId = getString(GROUP_ID_CONFIG);
        this.questDbSenderConfig = getPassword(QUESTDB_SENDER_CONFIG_CONFIG).value();
        this.questDbHttpUrl = getString(QUESTDB_HTTP_URL_CONFIG);
        this.victoriaMetricsUrl = optional(getString(VICTORIAMETRICS_URL_CONFIG));
        this.alertmanagerUrl = optional(getString(ALERTMANAGER_URL_CONFIG));
        this.pollTimeout = Duration.ofMillis(getLong(POLL_TIMEOUT_MS_CONFIG));
        this.writeRetries = getInt(WRITE_RETRIES_CONFIG);
        this.writeRetryBackoff = Duration.ofMillis(getLong(WRITE_RETRY_BACKOFF_MS_CONFIG));
        try {
            String file = getString(HTTP_TOKENS_FILE_CONFIG);
            this.httpTokens = Tokens.load(getList(HTTP_TOKENS_CONFIG), file.isBlank() ? null : Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(HTTP_TOKENS_CONFIG + " / " + HTTP_TOKENS_FILE_CONFIG + ": " + e.getMessage());
        }
        try {
            this.httpTls = Tls.fromSettings(getString(HTTP_TLS_KEYSTORE_CONFIG),
                    getString(HTTP_TLS_KEYSTORE_PASSWORD_CONFIG), HTTP_TLS_KEYSTORE_CONFIG);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        Map<String, Object> passthrough = originalsWithPrefix(CONSUMER_PREFIX);
        for (String key : passthrough.keySet()) {
            if (FIXED_CONSUMER_SETTINGS.contains(key)) {
                throw new ConfigException(CONSUMER_PREFIX + key, passthrough.get(key), "the sink sets " + key
                        + " itself (at-least-once delivery of committed records depends on it)"
                        + (key.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                                || key.equals(ConsumerConfig.GROUP_ID_CONFIG) ? "; use " + key + " instead" : ""));
            }
        }
        this.consumerOverrides = Map.copyOf(passthrough);
    }

    /** The definition of every key, for documentation and CLI help. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public List<String> bootstrapServers() {
        return bootstrapServers;
    }

    /** The topic registry for the configured prefix. */
    public Topics topics() {
        return topics;
    }

    public String topicPrefix() {
        return topics.prefix();
    }

    public String groupId() {
        return groupId;
    }

    /** The QuestDB {@code Sender} configuration string (may hold credentials: do not log it). */
    public String questDbSenderConfig() {
        return questDbSenderConfig;
    }

    public String questDbHttpUrl() {
        return questDbHttpUrl;
    }

    /** VictoriaMetrics' base URL, when trends and progress go there too. */
    public Optional<String> victoriaMetricsUrl() {
        return victoriaMetricsUrl;
    }

    /** Alertmanager's base URL, when spike alerts are posted there. */
    public Optional<String> alertmanagerUrl() {
        return alertmanagerUrl;
    }

    private static Optional<String> optional(String url) {
        return url == null || url.isBlank() ? Optional.empty() : Optional.of(url.trim());
    }

    public Duration pollTimeout() {
        return pollTimeout;
    }

    /** Retries after the first failed attempt of a batch write. */
    public int writeRetries() {
        return writeRetries;
    }

    /** Wait before the first retry; it doubles per retry up to {@link #MAX_RETRY_BACKOFF}. */
    public Duration writeRetryBackoff() {
        return writeRetryBackoff;
    }

    /** Who may see the dashboard and the sink's /metrics. */
    public Tokens httpTokens() {
        return httpTokens;
    }

    /** The keystore to serve the dashboard and /metrics over HTTPS with, or empty for plain HTTP. */
    public Optional<Tls> httpTls() {
        return httpTls;
    }

    /** The {@value #CONSUMER_PREFIX} settings with the prefix removed. */
    public Map<String, Object> consumerOverrides() {
        return consumerOverrides;
    }

    /** A QuestDB {@code Sender} configuration over HTTP(S) with an address: the sink relies on flush acknowledgements. */
    private static final class SenderConfigValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return; // "missing required configuration" is reported by ConfigDef itself
            }
            String config = ((Password) value).value().trim();
            String lower = config.toLowerCase(Locale.ROOT);
            if (!(lower.startsWith("http::") || lower.startsWith("https::")) || !lower.contains("addr=")) {
                // Do not echo the value: it may carry a password or token.
                throw new ConfigException(name + " must be a QuestDB client configuration over HTTP, like"
                        + " http::addr=host:9000; (TCP gives no acknowledgement the sink could commit on)");
            }
        }

        @Override
        public String toString() {
            return "http::addr=host:port;... or https::addr=host:port;...";
        }
    }

    /** An absolute http(s) URL with a host. */
    private static final class HttpUrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || (!name.equals(QUESTDB_HTTP_URL_CONFIG) && ((String) value).isBlank())) {
                return; // the optional stores: empty means not used
            }
            String url = ((String) value).trim();
            if (url.contains("@")) {
                // user:password@host is not used for any store (no request sends it) and the URL is logged: refuse
                // it without echoing it.
                throw new ConfigException(name + " must not carry credentials (user:password@ or a token before"
                        + " '@'): the sink sends none to this store, and its URL appears in logs");
            }
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, "not a URL: " + e.getMessage());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new ConfigException(name, value, "expected http://host:port or https://host:port");
            }
        }

        @Override
        public String toString() {
            return "http(s)://host:port";
        }
    }
}
