package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.patchpulse.collector.ingest.HostileIngestApiIT.RawHttp;
import io.patchpulse.collector.parse.HostileReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and never-ending requests against the real ingest API, with its time limits set short
 * ({@code collector.http.idle.timeout.ms} 1 s, {@code collector.http.header.timeout.ms} 2 s here,
 * {@code collector.http.min.request.bytes.per.second} at its default) and 2 requests parsed at once: each kind of slow client is cut off, nothing of it is stored, and the
 * server goes on answering others meanwhile. The tests wait on outcomes (a closed connection, an answer) with
 * deadlines; they assert no timings.
 */
class HostileSlowClientIT {

    private static final Duration IDLE = Duration.ofSeconds(1);
    private static final Duration HEADERS = Duration.ofSeconds(2);
    private static final HostileReport REPORT = new HostileReport("slow-clients");

    @TempDir
    Path dir;

    private IngestApiFixture api;
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeEach
    void start() throws Exception {
        api = new IngestApiFixture(Files.createDirectories(dir.resolve("api")), 1 << 20, 1_000_000, 2,
                new IngestServer.TimeLimits(IDLE, HEADERS, IngestServer.MIN_REQUEST_BYTES_PER_SECOND));
    }

    @AfterEach
    void stop() {
        clients.shutdownNow();
        api.close();
    }

    @Test
    void shouldCloseAConnectionWhoseHeadersNeverEnd() throws Exception {
        try (Socket socket = RawHttp.open(api.server.port())) {
            socket.getOutputStream().write("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = RawHttp.readAnswer(socket);

            assertThat(answer).doesNotStartWith("HTTP/1.1 2");
            assertClosed(socket);
            report("headers-never-end", "request line and one header, then silence", answer);
        }
    }

    @Test
    void shouldCloseAConnectionThatTricklesItsHeaders() throws Exception {
        // A header byte every 300 ms: never idle for the timeout, never a whole request
        try (Socket socket = RawHttp.open(api.server.port())) {
            Future<?> trickle = clients.submit(() -> trickle(socket, ("POST /v1/events HTTP/1.1\r\nHost: x\r\nX-Pad: "
                    + "a".repeat(100_000)).getBytes(StandardCharsets.US_ASCII), 300));

            String answer = RawHttp.readAnswer(socket);

            assertThat(answer).doesNotStartWith("HTTP/1.1 2");
            await().atMost(Duration.ofSeconds(60)).until(trickle::isDone);
            report("headers-trickled", "a header byte every 300 ms, headers never finished", answer);
        }
    }

    @Test
    void shouldCloseAConnectionWhoseBodyStops() throws Exception {
        try (Socket socket = RawHttp.open(api.server.port())) {
            RawHttp.headers(socket, "/v1/events", "application/x-ndjson", "Content-Length: 1000");
            socket.getOutputStream().write(HostileIngestApiIT.event("stopped", Instant.now())
                    .substring(0, 40).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = RawHttp.readAnswer(socket);

            assertThat(answer).doesNotStartWith("HTTP/1.1 2").doesNotStartWith("HTTP/1.1 5");
            assertThat(api.spool.size()).isZero();
            report("body-stops", "Content-Length 1000, 40 bytes sent, then silence", answer);
        }
    }

    @Test
    void shouldRefuseABodyTrickledBelowTheMinimumRate() throws Exception {
        // A body byte every 300 ms: never idle for the timeout, far below 4 KiB/s
        try (Socket socket = RawHttp.open(api.server.port())) {
            RawHttp.headers(socket, "/v1/events", "application/x-ndjson", "Content-Length: 100000");
            Future<?> trickle = clients.submit(() -> trickle(socket, new byte[100_000], 300));

            String answer = RawHttp.readAnswer(socket);

            assertThat(answer).doesNotStartWith("HTTP/1.1 2").doesNotStartWith("HTTP/1.1 5");
            await().atMost(Duration.ofSeconds(60)).until(trickle::isDone);
            assertThat(api.spool.size()).isZero();
            report("body-trickled", "Content-Length 100000, a body byte every 300 ms", answer);
        }
    }

    @Test
    void shouldAcceptASmallBodyWhoseSecondHalfComesAfterAPause() throws Exception {
        // A 2-line body, the second line 600 ms later (a network hiccup, or the server stalled by GC or a busy CPU):
        // far below 4 KiB/s on average, yet whole; Jetty's own rate check refused this with 408
        byte[] first = (HostileIngestApiIT.event("pause1", Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] second = (HostileIngestApiIT.event("pause2", Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = RawHttp.open(api.server.port())) {
            RawHttp.headers(socket, "/v1/events", "application/x-ndjson",
                    "Content-Length: " + (first.length + second.length));
            socket.getOutputStream().write(first);
            socket.getOutputStream().flush();
            Thread.sleep(600); // the pause is the input here, not a wait for the server
            socket.getOutputStream().write(second);
            socket.getOutputStream().flush();

            String answer = RawHttp.readAnswer(socket);

            assertThat(answer).startsWith("HTTP/1.1 202");
            assertThat(api.spool.size()).isEqualTo(2);
            report("small-body-paused", "2 lines (" + (first.length + second.length) + " bytes), the second after "
                    + "600 ms", answer);
        }
    }

    @Test
    void shouldKeepServingOthersWhileSlowClientsHoldEveryIngestSlot() throws Exception {
        // Given more trickling uploads than the server parses at once (2)
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Socket socket = RawHttp.open(api.server.port());
                slow.add(socket);
                RawHttp.headers(socket, "/v1/events", "application/x-ndjson", "Content-Length: 100000");
                clients.submit(() -> trickle(socket, new byte[100_000], 300));
            }

            // Then a well-behaved client is still answered
            byte[] body = (HostileIngestApiIT.event("meanwhile", Instant.now()) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                HttpResponse<String> response = api.post("/v1/events", "application/x-ndjson", body,
                        IngestApiFixture.TOKEN);
                return response.statusCode() == 202;
            });
            assertThat(api.spool.size()).isEqualTo(1);
            REPORT.put("others-served", HostileReport.outcome("HTTP POST /v1/events",
                    "4 uploads trickling a byte every 300 ms against 2 ingest slots, then a normal request",
                    "the normal request is answered 202 (after the slow ones are cut off at the rate floor)",
                    "stored", api.spool.size()));
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    /** Sends {@code bytes} one every {@code pauseMs} until done or the server closes the connection. */
    private static Void trickle(Socket socket, byte[] bytes, long pauseMs) throws InterruptedException {
        try {
            OutputStream out = socket.getOutputStream();
            for (byte b : bytes) {
                out.write(b);
                out.flush();
                Thread.sleep(pauseMs);
            }
        } catch (IOException closed) {
            // the server cut the connection: what the test waits for
        }
        return null;
    }

    private static void assertClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            int read;
            do {
                read = in.read();
            } while (read >= 0);
        } catch (java.net.SocketException reset) {
            // reset by the server: closed too
        }
    }

    private static void report(String name, String input, String answer) {
        int end = answer.indexOf('\r');
        String status = answer.isEmpty() ? "connection closed without an answer"
                : (end < 0 ? answer : answer.substring(0, end)) + ", connection closed";
        REPORT.put(name, HostileReport.outcome("HTTP POST /v1/events (idle 1 s, headers 2 s, body floor 4 KiB/s)", input,
                status));
    }
}
