package io.patchpulse.deploy.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * One line a person can act on for the ways a Kafka client fails on a secured cluster: refused login, untrusted
 * certificate, incomplete client settings, a listener that never answers (a PLAINTEXT client on a TLS listener only
 * times out). Messages come from Kafka's exceptions, which never carry the configured passwords.
 */
public final class KafkaClientProblem {

    private KafkaClientProblem() {
    }

    /** The line for {@code error}, or empty when it is not a Kafka client problem. */
    public static Optional<String> describe(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof SslAuthenticationException) {
                boolean untrusted = chain.stream().anyMatch(c -> c instanceof SSLHandshakeException
                        || String.valueOf(c.getMessage()).contains("PKIX path"));
                return Optional.of("Kafka TLS handshake failed: " + t.getMessage()
                        + (untrusted ? " (the client does not trust the broker's certificate: set "
                        + "ssl.truststore.location / ssl.truststore.password to a trust store holding its CA, or "
                        + "check that the broker's certificate names the host in bootstrap.servers)" : ""));
            }
            if (t instanceof AuthenticationException) {
                return Optional.of("Kafka refused the login: " + t.getMessage() + " (check the user and password in "
                        + "sasl.jaas.config and sasl.mechanism)");
            }
        }
        for (Throwable t : chain) {
            if (t instanceof TimeoutException) {
                return Optional.of("no Kafka broker answered in time (" + t.getMessage() + "): check "
                        + "bootstrap.servers, and that security.protocol matches the broker's listener (a PLAINTEXT "
                        + "client on a TLS listener gets no answer at all)");
            }
        }
        if (error instanceof KafkaException && error.getMessage() != null
                && error.getMessage().startsWith("Failed to create new Kafka")) {
            // Client settings Kafka rejected while building the client: the cause says which.
            StringBuilder line = new StringBuilder(error.getMessage());
            for (Throwable t : chain.subList(1, chain.size())) {
                line.append(": ").append(t.getMessage());
            }
            if (line.indexOf("JAAS configuration") >= 0) {
                line.append(" (a SASL client needs its login in sasl.jaas.config, e.g. org.apache.kafka.common.security"
                        + ".scram.ScramLoginModule required username=\"...\" password=\"...\";)");
            }
            return Optional.of(line.toString());
        }
        return Optional.empty();
    }
}
