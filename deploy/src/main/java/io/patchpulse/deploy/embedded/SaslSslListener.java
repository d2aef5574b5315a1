package io.patchpulse.deploy.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A client listener of {@link EmbeddedKafka} that requires TLS and SASL SCRAM-SHA-512, as a secured production
 * cluster does: clients must trust the broker's certificate and log in with a user and password.
 *
 * <p>SCRAM rather than PLAIN: in KRaft mode SCRAM credentials live in the cluster metadata, so the one user is added
 * when the storage is formatted ({@code kafka-storage format --add-scram}) and the broker configuration holds no
 * password list; PLAIN would need every password in the broker's JAAS settings. SCRAM-SHA-512 is also what Strimzi
 * (our Kubernetes manifests) issues. The user exists only if the storage was formatted with this listener: a data
 * directory first started without it has no SCRAM user, and every login is refused.
 *
 * <p>Only the client listener is secured. The controller listener and the broker's own inter-broker listener stay
 * PLAINTEXT on 127.0.0.1 and are not advertised to clients on this listener's metadata (Kafka answers each client
 * with the endpoints of the listener it connected to); a test gives clients this listener's address only.
 *
 * @param keyStore           PKCS12 key store with the broker's key and certificate (SAN for 127.0.0.1)
 * @param keyStorePassword   its password (also the key's)
 * @param trustStore         PKCS12 trust store holding the broker's certificate, for clients
 * @param trustStorePassword its password
 * @param user               the SCRAM user clients log in as
 * @param password           that user's password
 */
public record SaslSslListener(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword,
        String user, String password) {

    /** The listener's name in the broker's configuration. */
    static final String NAME = "SASL_SSL";
    private static final String MECHANISM = "SCRAM-SHA-512";

    public SaslSslListener {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(trustStorePassword, "trustStorePassword");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!user.matches("[A-Za-z0-9._-]+") || password.contains("\"") || password.contains(",")
                || password.contains("]")) {
            // The format tool's SCRAM argument and the JAAS text are not escaped: keep them unambiguous.
            throw new IllegalArgumentException("the SCRAM user must be letters, digits, . _ - and the password free "
                    + "of \" , ]");
        }
    }

    /** Broker settings of this listener (besides {@code listeners} and {@code advertised.listeners}). */
    Map<String, String> brokerProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        String prefix = "listener.name." + NAME.toLowerCase(java.util.Locale.ROOT) + ".";
        props.put(prefix + "sasl.enabled.mechanisms", MECHANISM);
        // The broker's side of SCRAM needs a login module but no options: the credentials are in the metadata.
        props.put(prefix + MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put(prefix + "ssl.keystore.type", "PKCS12");
        props.put(prefix + "ssl.keystore.location", keyStore.toString());
        props.put(prefix + "ssl.keystore.password", keyStorePassword);
        props.put(prefix + "ssl.key.password", keyStorePassword);
        return props;
    }

    /** Arguments of {@code kafka-storage format} that create the SCRAM user. */
    List<String> formatArguments() {
        return List.of("--add-scram", MECHANISM + "=[name=" + user + ",password=" + password + "]");
    }

    /**
     * What a Kafka client needs to reach this listener, as unprefixed client settings: security.protocol,
     * sasl.mechanism, sasl.jaas.config, and the trust store.
     */
    public Map<String, String> clientSettings() {
        return clientSettings(user, password);
    }

    /** The same with another user and password (for tests of refused logins). */
    public Map<String, String> clientSettings(String clientUser, String clientPassword) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("security.protocol", NAME);
        settings.put("sasl.mechanism", MECHANISM);
        settings.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"" + clientUser + "\" password=\"" + clientPassword + "\";");
        settings.put("ssl.truststore.type", "PKCS12");
        settings.put("ssl.truststore.location", trustStore.toString());
        settings.put("ssl.truststore.password", trustStorePassword);
        return settings;
    }

    /** Never the passwords. */
    @Override
    public String toString() {
        return "SaslSslListener[" + MECHANISM + ", user " + user + ", key store " + keyStore + "]";
    }
}
