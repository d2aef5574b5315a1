package io.patchpulse.sink.questdb;

import io.questdb.ServerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real QuestDB server running inside this JVM, on a root directory of its own (ARCHITECTURE.md, "Runtime modes" and
 * "Real components in tests").
 *
 * <p>Each start (re)writes {@code conf/server.conf} and {@code conf/log.conf} under the root; the data under
 * {@code db/} is kept, so starting again on the same root finds the tables of the previous run. HTTP (SQL and
 * line protocol) and PostgreSQL wire listen on 127.0.0.1 only; the minimal HTTP server, line protocol over TCP and
 * UDP, and telemetry are off. QuestDB's own log goes to {@code log/questdb.log} under the root, never to stdout
 * (QuestDB writes stdout natively, which corrupts a Surefire fork's channel).
 *
 * <p>QuestDB reads its log configuration once per JVM, when its first class that logs is used: start the server
 * before any {@code io.questdb.client.Sender} is created in the same JVM (otherwise the built-in configuration,
 * INFO to stdout, wins), and expect later servers on other roots to log into the first root's file.
 *
 * <p>Not thread-safe; {@link #close()} is idempotent.
 */
public final class EmbeddedQuestDb implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedQuestDb.class);
    private static final String HOST = "127.0.0.1";

    /**
     * How to run the server.
     *
     * @param httpPort HTTP port (SQL at {@code /exec}, line protocol at {@code /write}); 0 lets the OS pick a free one
     * @param pgPort PostgreSQL wire port; 0 lets the OS pick a free one
     * @param ramUsageLimitBytes QuestDB's {@code ram.usage.limit.bytes}: native memory cap (its default is 90 % of RAM)
     */
    public record Options(int httpPort, int pgPort, long ramUsageLimitBytes) {

        /** Default native memory cap: 512 MiB. */
        public static final long DEFAULT_RAM_USAGE_LIMIT_BYTES = 512L * 1024 * 1024;

        public Options {
            checkPort("httpPort", httpPort);
            checkPort("pgPort", pgPort);
            if (ramUsageLimitBytes <= 0) {
                throw new IllegalArgumentException("ramUsageLimitBytes must be > 0, was " + ramUsageLimitBytes);
            }
        }

        /** Free ports chosen by the OS, 512 MiB memory cap. */
        public static Options defaults() {
            return new Options(0, 0, DEFAULT_RAM_USAGE_LIMIT_BYTES);
        }

        private static void checkPort(String name, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be 0 (any free port) or 1..65535, was " + port);
            }
        }
    }

    private final Path root;
    private final ServerMain server;
    private final int httpPort;
    private final int pgPort;
    private boolean closed;

    private EmbeddedQuestDb(Path root, ServerMain server) {
        this.root = root;
        this.server = server;
        this.httpPort = server.getHttpServerPort();
        this.pgPort = server.getPgWireServerPort();
    }

    /** Starts QuestDB on {@code root} (created if missing) with {@link Options#defaults()}. */
    public static EmbeddedQuestDb start(Path root) {
        return start(root, Options.defaults());
    }

    /**
     * Starts QuestDB on {@code root} (created if missing) and returns once both listeners accept connections.
     *
     * @throws IllegalStateException when the server does not start; the message names the root and the log file
     */
    public static EmbeddedQuestDb start(Path root, Options options) {
        Path absoluteRoot = root.toAbsolutePath().normalize();
        writeConfiguration(absoluteRoot, options);
        long startNanos = System.nanoTime();
        ServerMain server = null;
        boolean started = false;
        try {
            server = new ServerMain("-d", absoluteRoot.toString());
            server.start();
            EmbeddedQuestDb db = new EmbeddedQuestDb(absoluteRoot, server);
            started = true;
            LOG.info("QuestDB started in {} ms on {} (http {}, pg {})",
                    Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), absoluteRoot, db.httpPort, db.pgPort);
            return db;
        } catch (RuntimeException e) {
            throw new IllegalStateException("QuestDB did not start on " + absoluteRoot + " (its log is under "
                    + absoluteRoot.resolve("log") + "): " + e.getMessage(), e);
        } finally {
            if (!started && server != null) {
                server.close();
            }
        }
    }

    /** The root directory (configuration, data, log). */
    public Path root() {
        return root;
    }

    /** The HTTP port actually bound. */
    public int httpPort() {
        return httpPort;
    }

    /** The PostgreSQL wire port actually bound (user {@code admin}, password {@code quest}, database {@code qdb}). */
    public int pgPort() {
        return pgPort;
    }

    /** Base URL of the HTTP server, without a trailing slash, e.g. {@code http://127.0.0.1:9000}. */
    public String httpUrl() {
        return "http://" + HOST + ":" + httpPort;
    }

    /** Configuration string for {@code io.questdb.client.Sender.fromConfig}: line protocol over HTTP. */
    public String senderConfig() {
        return "http::addr=" + HOST + ":" + httpPort + ";";
    }

    /** Stops the server; the data stays under {@link #root()}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        LOG.info("QuestDB on {} stopped", root);
    }

    private static void writeConfiguration(Path root, Options options) {
        Path conf = root.resolve("conf");
        Path logDir = root.resolve("log");
        List<String> server = List.of(
                "# Written by PatchPulse EmbeddedQuestDb on every start; edits are overwritten.",
                "http.net.bind.to=" + HOST + ":" + options.httpPort(),
                "pg.net.bind.to=" + HOST + ":" + options.pgPort(),
                // Health/metrics endpoint, TCP and UDP line protocol: unused here, and each would bind another port.
                "http.min.enabled=false",
                "line.tcp.enabled=false",
                "line.udp.enabled=false",
                "telemetry.enabled=false",
                // One thread per pool: the embedded server shares a small machine with Kafka and the services.
                "shared.network.worker.count=1",
                "shared.query.worker.count=1",
                "shared.write.worker.count=1",
                "wal.apply.worker.count=1",
                "mat.view.refresh.worker.count=1",
                // QuestDB's default cap is 90 % of system RAM.
                "ram.usage.limit.bytes=" + options.ramUsageLimitBytes(),
                "");
        List<String> log = List.of(
                "# Written by PatchPulse EmbeddedQuestDb: a file, never stdout (QuestDB writes it natively).",
                "writers=file",
                "w.file.class=io.questdb.log.LogFileWriter",
                "w.file.location=" + logDir.resolve("questdb.log"),
                "w.file.level=ERROR",
                "");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(logDir);
            Files.write(conf.resolve("server.conf"), server, StandardCharsets.UTF_8);
            Files.write(conf.resolve("log.conf"), log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write QuestDB configuration under " + conf, e);
        }
    }
}
