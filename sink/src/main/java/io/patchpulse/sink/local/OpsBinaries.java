package io.patchpulse.sink.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the real VictoriaMetrics and Alertmanager binaries of the Debian packages ({@code victoria-metrics},
 * {@code prometheus-alertmanager}; {@code .ci/run} installs them) on free ports of 127.0.0.1, each with its own
 * directory, waits until they answer their readiness endpoint, and stops them on {@link Running#close()} (and, as a
 * last resort, when the JVM exits). The demo starts them when they are installed ({@link #installed()}); the
 * integration tests always do, and a missing binary fails them with the package to install: never a skip.
 */
public final class OpsBinaries {

    /** The package's binary; override with the system property {@code patchpulse.victoriametrics.bin}. */
    public static final String VICTORIA_METRICS_BIN =
            System.getProperty("patchpulse.victoriametrics.bin", "/usr/bin/victoria-metrics");
    /** The package's binary; override with the system property {@code patchpulse.alertmanager.bin}. */
    public static final String ALERTMANAGER_BIN =
            System.getProperty("patchpulse.alertmanager.bin", "/usr/bin/prometheus-alertmanager");

    /** A route to a receiver without integrations: Alertmanager takes alerts and notifies nobody. */
    public static final String SILENT_ALERTMANAGER_CONFIG = """
            route:
              receiver: none
            receivers:
              - name: none
            """;

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int START_ATTEMPTS = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private OpsBinaries() {
    }

    /** Why a binary could not be started: missing (with the package to install), or it did not become ready. */
    public static final class StartException extends RuntimeException {
        StartException(String message) {
            super(message);
        }
    }

    /** Whether both binaries are installed, so {@link #startVictoriaMetrics} and {@link #startAlertmanager} can run. */
    public static boolean installed() {
        return Files.isExecutable(Path.of(VICTORIA_METRICS_BIN)) && Files.isExecutable(Path.of(ALERTMANAGER_BIN));
    }

    /** A started binary: its base URL, and {@link #close()} to stop it. */
    public static final class Running implements AutoCloseable {
        private final String name;
        private final Process process;
        private final String baseUrl;
        private final Path log;
        private final Thread reaper;

        private Running(String name, Process process, String baseUrl, Path log) {
            this.name = name;
            this.process = process;
            this.baseUrl = baseUrl;
            this.log = log;
            // As a last resort at JVM exit (Ctrl-C): SIGTERM first, so VictoriaMetrics writes out the samples it
            // acknowledged but holds in memory, and SIGKILL only if it does not stop.
            this.reaper = new Thread(() -> stop(process), "stop-" + name);
            Runtime.getRuntime().addShutdownHook(reaper);
        }

        /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
        public String baseUrl() {
            return baseUrl;
        }

        /** The process's combined stdout and stderr. */
        public Path log() {
            return log;
        }

        /** Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it. */
        @Override
        public void close() {
            stop(process);
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException ignored) {
                // The JVM is already shutting down; the hook runs anyway and finds the process gone.
            }
        }

        private static void stop(Process process) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String toString() {
            return name + " at " + baseUrl + " (pid " + process.pid() + ", log " + log + ")";
        }
    }

    /**
     * Starts VictoriaMetrics with the flags the sink's writer needs: retention of 100 years (2024 samples are kept),
     * deduplication per minute (of a window's rewrites, stamped at its start + revision ms, the newest stays), no latency
     * offset and no response cache (fresh samples are
     * queryable at once after {@code /internal/force_flush}).
     */
    public static Running startVictoriaMetrics(Path dir) {
        return startVictoriaMetrics(dir, 0);
    }

    /**
     * The same on {@code port} (0: a free one): started again on the directory and port of one stopped before, it
     * serves the same data at the same URL, as a restarted server would.
     */
    public static Running startVictoriaMetrics(Path dir, int port) {
        requireBinary(VICTORIA_METRICS_BIN, "victoria-metrics");
        return start("victoria-metrics", dir, port, listen -> List.of(VICTORIA_METRICS_BIN,
                "-httpListenAddr=127.0.0.1:" + listen,
                "-storageDataPath=" + dir.resolve("data"),
                "-retentionPeriod=100y",
                "-dedup.minScrapeInterval=1m",
                "-search.latencyOffset=0s",
                "-search.disableCache",
                "-loggerLevel=WARN"), "/health");
    }

    /** Starts Alertmanager with the given configuration (YAML), clustering off. */
    public static Running startAlertmanager(Path dir, String configYaml) {
        requireBinary(ALERTMANAGER_BIN, "prometheus-alertmanager");
        Path config = dir.resolve("alertmanager.yml");
        try {
            Files.createDirectories(dir);
            Files.writeString(config, configYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start("alertmanager", dir, 0, port -> List.of(ALERTMANAGER_BIN,
                "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                // Empty: otherwise it gossips on 0.0.0.0:9094, which a second instance (or CI neighbour) holds.
                "--cluster.listen-address=",
                "--log.level=warn"), "/-/ready");
    }

    private interface CommandLine {
        List<String> forPort(int port);
    }

    /** Starts on {@code fixedPort}, or on a free port (0), trying another free one if it was taken meanwhile. */
    private static Running start(String name, Path dir, int fixedPort, CommandLine commandLine, String readyPath) {
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= (fixedPort == 0 ? START_ATTEMPTS : 1); attempt++) {
            int port = fixedPort == 0 ? freePort() : fixedPort;
            Path log = uniqueLog(dir, name);
            Process process;
            try {
                Files.createDirectories(dir);
                process = new ProcessBuilder(commandLine.forPort(port))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name, e);
            }
            Running running = new Running(name, process, "http://127.0.0.1:" + port, log);
            if (!awaitReady(process, running.baseUrl() + readyPath)) {
                running.close();
                throw new StartException(name + " not ready within " + READY_TIMEOUT + "; log:\n" + tail(log));
            }
            if (process.isAlive()) {
                return running;
            }
            // Most likely the port was taken between probing and binding: try another one.
            running.close();
            failures.add("attempt " + attempt + " on port " + port + " exited " + process.exitValue() + ":\n"
                    + tail(log));
        }
        throw new StartException(name + " did not start:\n" + String.join("\n", failures));
    }

    /** Polls the readiness URL until it answers 200 (true) or the process exits or the time is up (false). */
    private static boolean awaitReady(Process process, String readyUrl) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive() || answers200(readyUrl)) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static void requireBinary(String path, String debianPackage) {
        if (!Files.isExecutable(Path.of(path))) {
            throw new StartException(path + " not found: install the Debian package (apt-get install -y "
                    + "--no-install-recommends " + debianPackage + "); .ci/run installs it");
        }
    }

    /** {@code <name>-<n>.log} with the first unused n: a restart on the same directory keeps the earlier logs. */
    private static Path uniqueLog(Path dir, String name) {
        for (int n = 1; ; n++) {
            Path log = dir.resolve(name + "-" + n + ".log");
            if (!Files.exists(log)) {
                return log;
            }
        }
    }

    private static boolean answers200(String url) {
        try {
            HttpResponse<Void> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
