package io.patchpulse.security;

import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Serving over TLS from a PKCS12 keystore (Jetty's own {@link SslContextFactory.Server}): the server gets one HTTPS
 * connector instead of its plain HTTP one, so nothing is served in clear text on that port. Also the client side, a
 * trust store for calling such servers.
 *
 * @param keystore the PKCS12 file with the server's key and certificate chain
 * @param password its password (and the key's)
 */
public record Tls(Path keystore, char[] password) {

    public Tls {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(password, "password");
    }

    /**
     * TLS from settings: none when {@code keystore} is blank, else the keystore with the password its reference
     * names ({@link Secrets}); the keystore is opened once here so a wrong path or password is reported at start.
     *
     * @param what the settings' key prefix, for error messages
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static java.util.Optional<Tls> fromSettings(String keystore, String passwordReference, String what) {
        if (keystore == null || keystore.isBlank()) {
            return java.util.Optional.empty();
        }
        Tls tls = new Tls(Path.of(keystore), Secrets.resolve(passwordReference, what + ".password"));
        tls.load();
        return java.util.Optional.of(tls);
    }

    /** Makes the server listen with TLS only on {@code config.jetty.host:port}. */
    public void apply(JavalinConfig config) {
        config.jetty.addConnector((server, http) -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(keystore.toAbsolutePath().toString());
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePassword(new String(password));
            // Jetty's defaults already exclude SSLv3, TLS 1.0/1.1 and weak suites; TLS 1.2+ only, said once more.
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            // Clients reach the servers by IP address (127.0.0.1, pod IPs) as often as by name: no SNI host check.
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            ServerConnector connector = new ServerConnector(server,
                    new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(http));
            connector.setHost(config.jetty.host);
            connector.setPort(config.jetty.port);
            return connector;
        });
    }

    /** The keystore, opened: fails with the file named when it cannot be read or the password is wrong. */
    KeyStore load() {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot open the TLS keystore " + keystore + " (PKCS12): "
                    + e.getMessage());
        }
    }

    /**
     * A client context trusting the certificates in {@code truststore} (PKCS12) only.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    public static SSLContext clientContext(Path truststore, char[] password) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(new Tls(truststore, password).load());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the trust store " + truststore + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Tls[keystore=" + keystore + "]";
    }
}
