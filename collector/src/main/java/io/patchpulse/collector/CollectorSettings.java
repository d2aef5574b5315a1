package io.patchpulse.collector;

import io.patchpulse.collector.ingest.IngestServer;
import io.patchpulse.collector.ingest.KafkaInput;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the collector service, parsed once. Keys starting with {@value #PRODUCER_PREFIX} are passed to the
 * Kafka producer without the prefix (TLS, SASL); the delivery guarantees stay pinned.
 */
public final class CollectorSettings extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers, host:port[,host:port]. Required.";
    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    private static final String TOPIC_PREFIX_DOC = "Prefix of every PatchPulse topic. Default patchpulse.";
    public static final String DATA_DIR_CONFIG = "collector.data.dir";
    private static final String DATA_DIR_DOC = "Directory of the spool, the device-id key and file positions. "
            + "Default ./patchpulse-collector.";
    public static final String HTTP_HOST_CONFIG = "collector.http.host";
    private static final String HTTP_HOST_DOC = "Address the ingest API listens on. Default 127.0.0.1.";
    public static final String HTTP_PORT_CONFIG = "collector.http.port";
    private static final String HTTP_PORT_DOC = "Port of the ingest API; 0 picks a free one. Default 8088.";
    public static final String MAX_REQUEST_BYTES_CONFIG = "collector.http.max.request.bytes";
    private static final String MAX_REQUEST_BYTES_DOC = "Largest request body accepted (larger: 413). "
            + "Default 16777216 (16 MiB).";
    public static final String IDLE_TIMEOUT_CONFIG = "collector.http.idle.timeout.ms";
    private static final String IDLE_TIMEOUT_DOC = "A connection of the ingest API that sends nothing for this long is "
            + "closed: headers or a body trickled a byte at a time, a body never finished. Default 30000 (30 s).";
    public static final String HEADER_TIMEOUT_CONFIG = "collector.http.header.timeout.ms";
    private static final String HEADER_TIMEOUT_DOC = "A connection of the ingest API that does not complete a "
            + "request's headers within one to two of this (headers trickled a byte at a time, slowloris) is closed. "
            + "Default 20000 (20 s).";
    public static final String MIN_REQUEST_RATE_CONFIG = "collector.http.min.request.bytes.per.second";
    private static final String MIN_REQUEST_RATE_DOC = "A request body that arrives slower than this on average is "
            + "refused (408), so a client cannot hold an ingest slot by trickling; 0 turns the check off. "
            + "Default 4096 (a 16 MiB batch at that rate still has over an hour).";
    public static final String TOKENS_CONFIG = "collector.tokens";
    private static final String TOKENS_DOC = "Who may call the ingest API and the collector's /metrics: "
            + "comma-separated name:sha256hex[:scopes] entries, the SHA-256 of each bearer token in hex, scopes "
            + "write (POST), read (GET /v1/status, /metrics) or read,write; without scopes: write (create one with "
            + "`patchpulse token`). Raw tokens are never configured. No entries: every request is refused (401).";
    public static final String TOKENS_FILE_CONFIG = "collector.tokens.file";
    private static final String TOKENS_FILE_DOC = "A file of more collector.tokens entries, one a line (# comments), "
            + "read at start and again about two seconds after a change: a token is added or revoked without a restart "
            + "(a file with a bad line is ignored until fixed). Default none.";
    public static final String TLS_KEYSTORE_CONFIG = "collector.tls.keystore";
    private static final String TLS_KEYSTORE_DOC = "PKCS12 keystore (key and certificate chain): the ingest API and "
            + "the collector's /metrics are then served over HTTPS only. Default none (plain HTTP).";
    public static final String TLS_KEYSTORE_PASSWORD_CONFIG = "collector.tls.keystore.password";
    private static final String TLS_KEYSTORE_PASSWORD_DOC = "Where the keystore's password is: env:NAME (an "
            + "environment variable) or file:PATH (its first line); a password written here is refused. Required "
            + "with collector.tls.keystore.";
    public static final String MAX_CONCURRENT_CONFIG = "collector.http.max.concurrent";
    private static final String MAX_CONCURRENT_DOC = "Requests parsed at the same time (each holds its body in "
            + "memory); others wait up to 10 s, then get 503. Default 4.";
    public static final String MAX_RECORD_BYTES_CONFIG = "collector.max.record.bytes";
    private static final String MAX_RECORD_BYTES_DOC = "Largest record accepted (key, value, headers); larger items "
            + "are rejected at once. Keep it below the producer's max.request.size. Default 921600 (900 KiB).";
    public static final String RATE_LIMIT_CONFIG = "collector.rate.limit.per.minute";
    private static final String RATE_LIMIT_DOC = "Requests per minute one token may send (over it: 429). "
            + "Default 600.";
    public static final String SPOOL_MAX_RECORDS_CONFIG = "collector.spool.max.records";
    private static final String SPOOL_MAX_RECORDS_DOC = "Records the spool may hold while Kafka is unreachable; "
            + "beyond it requests get 503 with Retry-After. Default 10000000.";
    public static final String DEVICE_IDS_CONFIG = "collector.device.ids";
    private static final String DEVICE_IDS_DOC = "hmac (default): host names and hardware ids become keyed hashes "
            + "(HMAC-SHA256); raw: the normalized names leave the collector as they are.";
    public static final String DEVICE_ID_KEY_FILE_CONFIG = "collector.device.id.key.file";
    private static final String DEVICE_ID_KEY_FILE_DOC = "File of the HMAC key (Base64), created on first start. "
            + "Every collector of one fleet must share it. Default <collector.data.dir>/device-id.key.";
    public static final String DLQ_PAYLOAD_CONFIG = "collector.dlq.payload";
    private static final String DLQ_PAYLOAD_DOC = "raw (default): a rejected item's dead letter carries its text as "
            + "received, which may hold host names; omit: only the headers saying what was wrong and where (input, "
            + "line), for sites where no raw name may reach Kafka.";
    public static final String KAFKA_INPUTS_CONFIG = "collector.kafka.inputs";
    private static final String KAFKA_INPUTS_DOC = "Topics that shippers write documents to themselves, as "
            + "format:topic entries, for example winlogbeat:patchpulse.winlogbeat (Winlogbeat's output.kafka). Default "
            + "none.";
    public static final String KAFKA_INPUT_GROUP_CONFIG = "collector.kafka.input.group.id";
    private static final String KAFKA_INPUT_GROUP_DOC = "Consumer group of the Kafka inputs (positions are kept in "
            + "the spool; the group shows the lag). Default patchpulse-collector-inputs.";
    public static final String PRODUCER_PREFIX = "producer.";
    public static final String CONSUMER_PREFIX = "consumer.";

    private static final ConfigDef DEFINITION = new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(TOPIC_PREFIX_CONFIG, Type.STRING, Topics.DEFAULT_PREFIX, Importance.MEDIUM, TOPIC_PREFIX_DOC)
            .define(DATA_DIR_CONFIG, Type.STRING, "patchpulse-collector", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, DATA_DIR_DOC)
            .define(HTTP_HOST_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    HTTP_HOST_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, 8088, ConfigDef.Range.between(0, 65535), Importance.HIGH,
                    HTTP_PORT_DOC)
            .define(MAX_REQUEST_BYTES_CONFIG, Type.LONG, 16L << 20, ConfigDef.Range.between(1024, 1L << 30),
                    Importance.MEDIUM, MAX_REQUEST_BYTES_DOC)
            .define(IDLE_TIMEOUT_CONFIG, Type.LONG, IngestServer.DEFAULT_IDLE_TIMEOUT.toMillis(),
                    ConfigDef.Range.between(100, 3_600_000), Importance.LOW, IDLE_TIMEOUT_DOC)
            .define(HEADER_TIMEOUT_CONFIG, Type.LONG, IngestServer.DEFAULT_HEADER_TIMEOUT.toMillis(),
                    ConfigDef.Range.between(100, 3_600_000), Importance.LOW, HEADER_TIMEOUT_DOC)
            .define(MIN_REQUEST_RATE_CONFIG, Type.LONG, IngestServer.MIN_REQUEST_BYTES_PER_SECOND,
                    ConfigDef.Range.atLeast(0), Importance.LOW, MIN_REQUEST_RATE_DOC)
            .define(TOKENS_CONFIG, Type.LIST, "", Importance.HIGH, TOKENS_DOC)
            .define(TOKENS_FILE_CONFIG, Type.STRING, "", Importance.HIGH, TOKENS_FILE_DOC)
            .define(TLS_KEYSTORE_CONFIG, Type.STRING, "", Importance.HIGH, TLS_KEYSTORE_DOC)
            .define(TLS_KEYSTORE_PASSWORD_CONFIG, Type.STRING, "", Importance.HIGH, TLS_KEYSTORE_PASSWORD_DOC)
            .define(MAX_CONCURRENT_CONFIG, Type.INT, 4, ConfigDef.Range.between(1, 256), Importance.LOW,
                    MAX_CONCURRENT_DOC)
            .define(MAX_RECORD_BYTES_CONFIG, Type.INT, 900 * 1024, ConfigDef.Range.between(1024, 64 << 20),
                    Importance.LOW, MAX_RECORD_BYTES_DOC)
            .define(RATE_LIMIT_CONFIG, Type.INT, 600, ConfigDef.Range.atLeast(1), Importance.MEDIUM, RATE_LIMIT_DOC)
            .define(SPOOL_MAX_RECORDS_CONFIG, Type.LONG, 10_000_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    SPOOL_MAX_RECORDS_DOC)
            .define(DEVICE_IDS_CONFIG, Type.STRING, "hmac", ConfigDef.ValidString.in("hmac", "raw"), Importance.HIGH,
                    DEVICE_IDS_DOC)
            .define(DLQ_PAYLOAD_CONFIG, Type.STRING, "raw", ConfigDef.ValidString.in("raw", "omit"), Importance.MEDIUM,
                    DLQ_PAYLOAD_DOC)
            .define(KAFKA_INPUTS_CONFIG, Type.LIST, "", Importance.MEDIUM, KAFKA_INPUTS_DOC)
            .define(KAFKA_INPUT_GROUP_CONFIG, Type.STRING, "patchpulse-collector-inputs",
                    new ConfigDef.NonEmptyString(), Importance.LOW, KAFKA_INPUT_GROUP_DOC)
            .define(DEVICE_ID_KEY_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, DEVICE_ID_KEY_FILE_DOC);

    private final Tokens tokens;
    private final Optional<Tls> tls;
    private final List<KafkaInput.Source> kafkaInputs = new ArrayList<>();

    /** Parses and validates {@code values}; throws {@link ConfigException} naming the key at fault. */
    public CollectorSettings(Map<String, ?> values) {
        super(DEFINITION, values);
        try {
            String file = getString(TOKENS_FILE_CONFIG);
            this.tokens = Tokens.load(getList(TOKENS_CONFIG), file.isBlank() ? null : Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TOKENS_CONFIG + " / " + TOKENS_FILE_CONFIG + ": " + e.getMessage());
        }
        try {
            this.tls = Tls.fromSettings(getString(TLS_KEYSTORE_CONFIG), getString(TLS_KEYSTORE_PASSWORD_CONFIG),
                    TLS_KEYSTORE_CONFIG);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        for (String entry : getList(KAFKA_INPUTS_CONFIG)) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                kafkaInputs.add(KafkaInput.Source.parse(entry.strip()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(KAFKA_INPUTS_CONFIG + ": " + e.getMessage());
            }
        }
    }

    /** The Kafka topics to read documents from. */
    public List<KafkaInput.Source> kafkaInputs() {
        return List.copyOf(kafkaInputs);
    }

    /** Consumer properties of the Kafka inputs: brokers, group, then {@value #CONSUMER_PREFIX} keys. */
    public Map<String, Object> consumerProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("bootstrap.servers", bootstrapServers());
        properties.put("group.id", getString(KAFKA_INPUT_GROUP_CONFIG));
        properties.putAll(originalsWithPrefix(CONSUMER_PREFIX));
        return properties;
    }

    /** The definition, for documentation. */
    public static ConfigDef definition() {
        return DEFINITION;
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS_CONFIG);
    }

    public Topics topics() {
        return new Topics(getString(TOPIC_PREFIX_CONFIG));
    }

    public Path dataDir() {
        return Path.of(getString(DATA_DIR_CONFIG));
    }

    public String httpHost() {
        return getString(HTTP_HOST_CONFIG);
    }

    public int httpPort() {
        return getInt(HTTP_PORT_CONFIG);
    }

    public long maxRequestBytes() {
        return getLong(MAX_REQUEST_BYTES_CONFIG);
    }

    /** How slow an ingest client may be: idle timeout, header timeout, slowest body. */
    public IngestServer.TimeLimits httpTimeLimits() {
        return new IngestServer.TimeLimits(java.time.Duration.ofMillis(getLong(IDLE_TIMEOUT_CONFIG)),
                java.time.Duration.ofMillis(getLong(HEADER_TIMEOUT_CONFIG)), getLong(MIN_REQUEST_RATE_CONFIG));
    }

    public int maxConcurrentRequests() {
        return getInt(MAX_CONCURRENT_CONFIG);
    }

    public int maxRecordBytes() {
        return getInt(MAX_RECORD_BYTES_CONFIG);
    }

    /** Who may call the ingest API and /metrics. */
    public Tokens tokens() {
        return tokens;
    }

    /** The keystore to serve HTTPS with, or empty for plain HTTP. */
    public Optional<Tls> tls() {
        return tls;
    }

    public int rateLimitPerMinute() {
        return getInt(RATE_LIMIT_CONFIG);
    }

    public long spoolMaxRecords() {
        return getLong(SPOOL_MAX_RECORDS_CONFIG);
    }

    public boolean pseudonymousDeviceIds() {
        return getString(DEVICE_IDS_CONFIG).equals("hmac");
    }

    /** True when dead letters carry the rejected item's text. */
    public boolean dlqPayload() {
        return getString(DLQ_PAYLOAD_CONFIG).equals("raw");
    }

    public Path deviceIdKeyFile() {
        String file = getString(DEVICE_ID_KEY_FILE_CONFIG);
        return file.isBlank() ? dataDir().resolve(io.patchpulse.collector.identity.DeviceIdKey.FILE_NAME) : Path.of(file);
    }

    /** Producer properties given with the {@value #PRODUCER_PREFIX} prefix. */
    public Map<String, Object> producerProperties() {
        return new LinkedHashMap<>(originalsWithPrefix(PRODUCER_PREFIX));
    }
}
