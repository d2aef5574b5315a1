package io.patchpulse.sink.questdb;

import static io.patchpulse.sink.TrendFixtures.WINDOW;
import static io.patchpulse.sink.TrendFixtures.smallPartitionTrend;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process QuestDB: where it listens, what it writes under its root, and that data outlives a restart. */
class EmbeddedQuestDbIT {

    private static final Duration WAL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    @Test
    void shouldFindTheDataAfterARestartOnTheSameRoot() {
        // Given trends written to a first server
        try (EmbeddedQuestDb first = EmbeddedQuestDb.start(root)) {
            QuestDbHttp http = new QuestDbHttp(first.httpUrl());
            TrendTables.defaults().createIfMissing(http);
            try (QuestDbTrendWriter writer = new QuestDbTrendWriter(first.senderConfig(), TrendTables.defaults())) {
                writer.write(List.of(smallPartitionTrend(WINDOW, 9, 5, 7, 4, 3, Map.of("0x80070643", 4L))));
            }
            http.awaitWalApplied("failure_trends", WAL_TIMEOUT);
            http.awaitWalApplied("failure_errors", WAL_TIMEOUT);
        }

        // When a new server starts on the same root
        try (EmbeddedQuestDb second = EmbeddedQuestDb.start(root)) {
            QuestDbHttp http = new QuestDbHttp(second.httpUrl());

            // Then it holds the rows, and still upserts by key
            assertThat(http.query("SELECT ts, attempts, devices_failed FROM failure_trends"))
                    .containsExactly(Map.of("ts", WINDOW, "attempts", 9L, "devices_failed", 4L));
            assertThat(http.query("SELECT error_code, devices_failed FROM failure_errors"))
                    .containsExactly(Map.of("error_code", "0x80070643", "devices_failed", 4L));

            TrendTables.defaults().createIfMissing(http);
            try (QuestDbTrendWriter writer = new QuestDbTrendWriter(second.senderConfig(), TrendTables.defaults())) {
                writer.write(List.of(smallPartitionTrend(WINDOW, 12, 6, 9, 5, 4, Map.of("0x80070643", 5L))));
            }
            http.awaitWalApplied("failure_trends", WAL_TIMEOUT);
            assertThat(http.query("SELECT attempts, devices_failed FROM failure_trends"))
                    .containsExactly(Map.of("attempts", 12L, "devices_failed", 5L));
        }
    }

    @Test
    void shouldListenOnLoopbackOnlyAndWriteItsConfigurationUnderTheRoot() throws IOException {
        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(root)) {
            assertThat(db.httpPort()).isPositive();
            assertThat(db.pgPort()).isPositive().isNotEqualTo(db.httpPort());
            assertThat(db.httpUrl()).isEqualTo("http://127.0.0.1:" + db.httpPort());
            assertThat(db.senderConfig()).isEqualTo("http::addr=127.0.0.1:" + db.httpPort() + ";");
            assertThat(db.root()).isEqualTo(root.toAbsolutePath().normalize());
            assertThat(canConnect(db.pgPort())).as("PostgreSQL wire on 127.0.0.1").isTrue();
            assertThat(new QuestDbHttp(db.httpUrl()).query("SELECT 1 AS one"))
                    .containsExactly(Map.of("one", 1L));

            String serverConf = Files.readString(root.resolve("conf/server.conf"));
            assertThat(serverConf)
                    .contains("http.net.bind.to=127.0.0.1:0", "pg.net.bind.to=127.0.0.1:0")
                    .contains("http.min.enabled=false", "line.tcp.enabled=false", "line.udp.enabled=false")
                    .contains("telemetry.enabled=false", "ram.usage.limit.bytes=536870912");
            assertThat(Files.readString(root.resolve("conf/log.conf")))
                    .contains("writers=file")
                    .doesNotContain("LogConsoleWriter");
        }
    }

    @Test
    void shouldBindTheRequestedPorts() throws IOException {
        int httpPort;
        int pgPort;
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            httpPort = a.getLocalPort();
            pgPort = b.getLocalPort();
        }

        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(root,
                new EmbeddedQuestDb.Options(httpPort, pgPort, 256L * 1024 * 1024))) {
            assertThat(db.httpPort()).isEqualTo(httpPort);
            assertThat(db.pgPort()).isEqualTo(pgPort);
            assertThat(new QuestDbHttp(db.httpUrl()).query("SELECT 1 AS one")).hasSize(1);
        }
    }

    private static boolean canConnect(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
