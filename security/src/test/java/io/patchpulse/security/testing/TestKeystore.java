package io.patchpulse.security.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed PKCS12 keystore for 127.0.0.1 / localhost made by the JDK's {@code keytool}, its trust store (the
 * certificate alone) and the password in a file, for TLS tests. Nothing is checked in: each test makes its own under
 * its target directory.
 */
public record TestKeystore(Path keystore, Path truststore, Path passwordFile, String password) {

    /** Makes the keystore, trust store and password file in {@code dir}. */
    public static TestKeystore create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String password = "test-" + Long.toHexString(System.nanoTime());
        Path keystore = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.crt");
        Path truststore = dir.resolve("trust.p12");
        Files.deleteIfExists(keystore);
        Files.deleteIfExists(certificate);
        Files.deleteIfExists(truststore);
        keytool(List.of("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password));
        keytool(List.of("-exportcert", "-alias", "server", "-keystore", keystore.toString(), "-storepass", password,
                "-rfc", "-file", certificate.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", password));
        Path passwordFile = dir.resolve("keystore.password");
        Files.writeString(passwordFile, password + "\n");
        return new TestKeystore(keystore, truststore, passwordFile, password);
    }

    private static void keytool(List<String> arguments) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>();
        command.add(keytool.toString());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + arguments.get(0) + " failed: " + output);
        }
    }

    /** A client context that trusts this keystore's certificate. */
    public javax.net.ssl.SSLContext clientContext() {
        return io.patchpulse.security.Tls.clientContext(truststore, password.toCharArray());
    }
}
