package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.patchpulse.collector.parse.HostileInputs;
import io.patchpulse.collector.parse.HostileReport;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.TextInput;
import io.patchpulse.collector.publish.Spool;
import io.patchpulse.schemas.topics.DlqHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile input through the real ingest API (Jetty, token, parser, spool): a few hundred mutated inputs per format,
 * and one test per class of hostile body (oversized, truncated, invalid UTF-8, deeply nested, XML bombs and external
 * entities, absurd values, a bad line among good ones). For every request the spool (what the drainer hands to
 * Kafka, records and dead letters) must hold exactly what the answer says: 202 with its records and one dead letter
 * per problem, or 400 and nothing. Figures go to {@code target/hostile-report/ingest-api.json}.
 */
class HostileIngestApiIT {

    static final int PER_FORMAT = Integer.getInteger("hostile.http.inputs", 200);
    private static final long MAX_BODY = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HostileReport REPORT = new HostileReport("ingest-api");
    private static IngestApiFixture api;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "hostile-api");
        api = new IngestApiFixture(dir, MAX_BODY, 1_000_000);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @BeforeEach
    void emptySpool() throws IOException {
        drain();
    }

    // ---- volume -------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(InputFormat.class)
    void shouldStoreExactlyWhatTheAnswerSaysForMutatedInputs(InputFormat format) throws Exception {
        long accepted = 0;
        long refused = 0;
        long records = 0;
        long deadLetters = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < PER_FORMAT; i++) {
            HostileInputs.Input input = HostileInputs.input(format, 11, i, 15);
            if (input.bytes().length == 0 || input.bytes().length > MAX_BODY) {
                continue; // an empty body is its own test; a large one is the 413 test's
            }
            HttpResponse<String> response = api.post(path(format), contentType(format), input.bytes(),
                    IngestApiFixture.TOKEN);
            Stored stored = drain();
            String where = format + " input " + i + " (" + input.kind() + "): ";
            JsonNode answer = JSON.readTree(response.body());
            if (response.statusCode() == 202) {
                accepted++;
                records += stored.records;
                deadLetters += stored.deadLetters.size();
                failures.addAll(check(where, input.bytes(), answer, stored));
            } else if (response.statusCode() == 400) {
                refused++;
                if (stored.records + stored.deadLetters.size() > 0) {
                    failures.add(where + "refused with 400 but " + stored + " stored");
                }
            } else {
                failures.add(where + "answered " + response.statusCode() + ": " + response.body());
            }
        }
        REPORT.put("volume." + format.id(), Map.of("inputsTried", accepted + refused + failures.size(),
                "answered202", accepted, "answered400", refused, "recordsStored", records,
                "deadLettersStored", deadLetters, "crashesOr5xx", failures.size()));

        assertThat(failures).as(format + ": requests whose answer and spool disagree").isEmpty();
        assertThat(accepted).isPositive();
    }

    /** The spool against a 202 answer: its records, one dead letter per listed problem with its line's text. */
    private static List<String> check(String where, byte[] body, JsonNode answer, Stored stored) {
        List<String> failures = new ArrayList<>();
        if (answer.path("records").asLong() != stored.records) {
            failures.add(where + "answer says " + answer.path("records") + " records, spool holds " + stored.records);
        }
        JsonNode problems = answer.path("problems");
        long wholeInputPieces = answer.has("problemsListed") ? (body.length + 512 * 1024 - 1) / (512 * 1024) : 0;
        if (problems.size() + wholeInputPieces != stored.deadLetters.size()) {
            failures.add(where + "answer lists " + problems.size() + " problems, spool holds "
                    + stored.deadLetters.size() + " dead letters");
            return failures;
        }
        String[] lines = TextInput.decode(body).split("\n", -1);
        for (int p = 0; p < problems.size(); p++) {
            long line = problems.get(p).path("line").asLong();
            Spool.Entry letter = stored.deadLetters.get(p);
            String header = letter.record().headers().get(DlqHeaders.SOURCE_LINE);
            if (!String.valueOf(line).equals(header)) {
                failures.add(where + "problem at line " + line + " but its dead letter says line " + header);
            }
            String text = new String(letter.record().value(), StandardCharsets.UTF_8);
            if (line > 0 && line <= lines.length) {
                String first = lines[(int) line - 1];
                String expected = first.substring(0, Math.min(first.length(), 200));
                if (!text.startsWith(expected)) {
                    failures.add(where + "dead letter of line " + line + " does not start with that line");
                }
            }
        }
        return failures;
    }

    private record Stored(long records, List<Spool.Entry> deadLetters) {
    }

    /** Takes everything out of the spool, as the drainer would, split into records and dead letters. */
    private static Stored drain() throws IOException {
        List<Spool.Entry> entries = api.spool.oldest(1_000_000, Long.MAX_VALUE);
        if (!entries.isEmpty()) {
            api.spool.removeThrough(entries.get(entries.size() - 1).sequence());
        }
        String dlq = api.topics.installEventsDlq.name();
        List<Spool.Entry> letters = entries.stream().filter(e -> e.record().topic().equals(dlq)).toList();
        return new Stored(entries.size() - letters.size(), letters);
    }

    static String path(InputFormat format) {
        return "/v1/ingest/" + format.id();
    }

    static String contentType(InputFormat format) {
        return switch (format) {
            case EVENTLOG_XML -> "application/xml";
            case WUFB -> "text/plain";
            default -> "application/x-ndjson";
        };
    }

    // ---- size: oversized and truncated bodies -------------------------------------------------------------------

    @Test
    void shouldRefuseAnAnnouncedOversizedBodyBeforeReadingIt() throws Exception {
        // Given a client that announces 1 GiB and sends only the first 64 KiB, then waits
        try (Socket socket = RawHttp.open(api.server.port())) {
            RawHttp.headers(socket, "/v1/ingest/osquery", "application/x-ndjson", "Content-Length: " + (1L << 30));
            socket.getOutputStream().write(new byte[64 * 1024]);
            socket.getOutputStream().flush();

            // Then the answer comes without the rest of the body
            String answer = RawHttp.readAnswer(socket);

            assertRefusedWithNothingStored(answer, 413, "class.oversized-announced", "HTTP POST /v1/ingest/osquery",
                    "Content-Length 1 GiB, 64 KiB sent, then silence", "413 before the body was read");
        }
    }

    @Test
    void shouldRefuseAnOversizedChunkedBodyAtTheLimit() throws Exception {
        // Given a chunked body (no length announced) that keeps coming, 4 times the limit
        try (Socket socket = RawHttp.open(api.server.port())) {
            RawHttp.headers(socket, "/v1/events", "application/x-ndjson", "Transfer-Encoding: chunked");
            byte[] line = (event("big", Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream chunk = new ByteArrayOutputStream();
            while (chunk.size() < 64 * 1024) {
                chunk.writeBytes(line);
            }
            long sent = 0;
            OutputStream out = socket.getOutputStream();
            try {
                while (sent < 4 * MAX_BODY) {
                    out.write((Integer.toHexString(chunk.size()) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk.toByteArray());
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    sent += chunk.size();
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closed) {
                // the server may close the connection once it has answered
            }

            String answer = RawHttp.readAnswer(socket);

            assertRefusedWithNothingStored(answer, 413, "class.oversized-chunked", "HTTP POST /v1/events",
                    "chunked body, no length, 4 MiB against a 1 MiB limit", "413 at the limit");
        }
    }

    @Test
    void shouldRefuseOversizedHeadersWithoutHoldingThem() throws Exception {
        // Given 1 MiB of headers (Jetty keeps at most 8 KiB of them)
        try (Socket socket = RawHttp.open(api.server.port())) {
            String answer;
            try {
                RawHttp.headers(socket, "/v1/events", "application/x-ndjson", "X-Pad: " + "a".repeat(1 << 20));
            } catch (IOException closed) {
                // the server may answer and close before it has all of them
            }
            answer = RawHttp.readAnswer(socket);

            assertRefusedWithNothingStored(answer, 431, "class.oversized-headers", "HTTP POST /v1/events",
                    "1 MiB of request headers", "431 once 8 KiB are read");
        }
    }

    @Test
    void shouldStoreNothingOfABodyCutShort() throws Exception {
        // Given a body that announces 3 complete lines' worth and ends after the first line and a half
        String body = event("t1", Instant.now()) + "\n" + event("t2", Instant.now()) + "\n"
                + event("t3", Instant.now()) + "\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String answer;
        try (Socket socket = RawHttp.open(api.server.port())) {
            RawHttp.headers(socket, "/v1/events", "application/x-ndjson", "Content-Length: " + bytes.length);
            socket.getOutputStream().write(bytes, 0, bytes.length / 2);
            socket.getOutputStream().flush();
            socket.shutdownOutput();

            answer = RawHttp.readAnswer(socket);
        }

        assertThat(answer).doesNotStartWith("HTTP/1.1 202").doesNotStartWith("HTTP/1.1 5");
        assertThat(drain().records).isZero();
        REPORT.put("class.truncated-body", HostileReport.outcome("HTTP POST /v1/events",
                "Content-Length of 3 lines, 1.5 lines sent, then end of stream", firstLine(answer) + ", nothing stored",
                "stored", 0));
    }

    // ---- encoding and structure ---------------------------------------------------------------------------------

    @Test
    void shouldRejectOnlyTheLineWithInvalidUtf8() throws Exception {
        // Given a batch of 3 events whose second line is broken UTF-8 where JSON syntax should be
        Instant now = Instant.now();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes((event("u1", now) + "\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xC3, 0x28, '{', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'});
        body.writeBytes((event("u3", now) + "\n").getBytes(StandardCharsets.UTF_8));
        // and a fourth whose title holds an overlong encoding inside a string
        body.writeBytes(event("u4", now).replace("\"FAILED\"", "\"FAILED\",\"updateTitle\":\"x\u0001\"")
                .replace("\u0001", "").getBytes(StandardCharsets.UTF_8));
        byte[] bytes = body.toByteArray();
        int title = indexOf(bytes, "\"x\"".getBytes(StandardCharsets.US_ASCII));
        byte[] withBadTitle = new byte[bytes.length + 2];
        System.arraycopy(bytes, 0, withBadTitle, 0, title + 2);
        withBadTitle[title + 2] = (byte) 0xC0;
        withBadTitle[title + 3] = (byte) 0xAF;
        System.arraycopy(bytes, title + 2, withBadTitle, title + 4, bytes.length - title - 2);

        HttpResponse<String> response = api.post("/v1/events", "application/x-ndjson", withBadTitle,
                IngestApiFixture.TOKEN);
        JsonNode answer = JSON.readTree(response.body());
        Stored stored = drain();

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(answer.path("accepted").asLong()).isEqualTo(3);
        assertThat(answer.path("problems").get(0).path("line").asLong()).isEqualTo(2);
        assertThat(stored.records).isEqualTo(3);
        assertThat(stored.deadLetters).hasSize(1);
        REPORT.put("class.invalid-utf8", HostileReport.outcome("HTTP POST /v1/events",
                "4 NDJSON lines: line 2 invalid UTF-8 bytes, line 4 an overlong sequence inside a string",
                "202: line 2 rejected (line 2, not valid JSON), line 4 kept with U+FFFD in the title",
                "accepted", 3, "rejected", 1, "deadLetters", stored.deadLetters.size()));
    }

    @ParameterizedTest
    @EnumSource(value = InputFormat.class, names = {"EVENTS", "DEVICE_REPORT", "OSQUERY", "WINLOGBEAT", "WUFB"})
    void shouldRejectDeeplyNestedJsonWithItsLine(InputFormat format) throws Exception {
        String body = "[".repeat(100_000) + "\n" + "{\"a\":".repeat(50_000);

        HttpResponse<String> response = api.post(path(format), "text/plain",
                body.getBytes(StandardCharsets.UTF_8), IngestApiFixture.TOKEN);
        JsonNode answer = JSON.readTree(response.body());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(answer.path("problems")).isNotEmpty().allSatisfy(problem -> {
            assertThat(problem.path("line").asLong()).isBetween(1L, 2L);
            assertThat(problem.path("message").asText()).isNotBlank();
        });
        assertThat(drain().records).isZero();
        REPORT.put("class.deep-json." + format.id(), HostileReport.outcome("HTTP POST " + path(format),
                "100,000 '[' then 50,000 '{\"a\":'", "400, problems at lines 1 and 2: "
                        + answer.path("problems").get(0).path("message").asText(), "status", 400, "stored", 0));
    }

    // ---- XML: bombs and external entities -----------------------------------------------------------------------

    @Test
    void shouldRefuseXmlBombsAndExternalEntitiesWithoutFetchingAnything() throws Exception {
        // Given a web server that counts what the collector would fetch
        AtomicInteger fetched = new AtomicInteger();
        HttpServer bait = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        bait.createContext("/", exchange -> {
            fetched.incrementAndGet();
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("42".getBytes(StandardCharsets.US_ASCII));
            exchange.close();
        });
        bait.start();
        String url = "http://127.0.0.1:" + bait.getAddress().getPort() + "/evil.dtd";
        String event = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                + "<Provider Name='Microsoft-Windows-WindowsUpdateClient'/><EventID>20</EventID>"
                + "<TimeCreated SystemTime='2024-01-09T18:06:15.9086312Z'/><EventRecordID>1</EventRecordID>"
                + "<Computer>PC1</Computer></System><EventData><Data Name='errorCode'>%s</Data>"
                + "<Data Name='updateTitle'>2024-01 Security Update (KB5034441)</Data></EventData></Event>";
        Map<String, String> bodies = new LinkedHashMap<>();
        StringBuilder laughs = new StringBuilder("<?xml version='1.0'?>\n<!DOCTYPE lolz [\n<!ENTITY lol 'lol'>\n");
        for (int i = 1; i <= 9; i++) {
            laughs.append("<!ENTITY lol").append(i).append(" '").append(("&lol" + (i == 1 ? "" : i - 1) + ";")
                    .repeat(10)).append("'>\n");
        }
        bodies.put("billion-laughs", laughs + "]>\n" + event.formatted("&lol9;"));
        bodies.put("xxe-file", "<!DOCTYPE e [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n" + event.formatted("&x;"));
        bodies.put("xxe-http", "<!DOCTYPE e [<!ENTITY x SYSTEM '" + url + "'>]>\n" + event.formatted("&x;"));
        bodies.put("xxe-parameter-entity", "<!DOCTYPE e [<!ENTITY % p SYSTEM '" + url + "'> %p;]>\n"
                + event.formatted("0x80070643"));
        bodies.put("external-dtd", "<!DOCTYPE Event SYSTEM '" + url + "'>\n" + event.formatted("0x80070643"));
        bodies.put("dtd-after-an-event", event.formatted("0x80070643") + "\n<!DOCTYPE e [<!ENTITY x SYSTEM '"
                + url + "'>]>\n" + event.formatted("&x;"));
        bodies.put("xinclude", event.formatted("<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='"
                + url + "' parse='text'/><xi:include xmlns:xi='http://www.w3.org/2001/XInclude' "
                + "href='file:///etc/passwd' parse='text'/>"));
        bodies.put("deep-elements", event.formatted("<a>".repeat(100_000)));
        try {
            for (Map.Entry<String, String> body : bodies.entrySet()) {
                HttpResponse<String> response = api.post("/v1/ingest/eventlog-xml", "application/xml",
                        body.getValue().getBytes(StandardCharsets.UTF_8), IngestApiFixture.TOKEN);
                JsonNode answer = JSON.readTree(response.body());
                Stored stored = drain();
                String spooled = stored.deadLetters.stream().map(e -> new String(e.record().value(),
                        StandardCharsets.UTF_8) + e.record().headers()).reduce("", String::concat);

                assertThat(response.statusCode()).as(body.getKey()).isIn(202, 400);
                assertThat(response.body() + spooled).as(body.getKey()).doesNotContain("root:x:0:0")
                        .doesNotContain("lollollol");
                if (!body.getKey().equals("xinclude") && !body.getKey().equals("deep-elements")) {
                    assertThat(response.statusCode()).as(body.getKey()).isEqualTo(400);
                    assertThat(stored.records).as(body.getKey()).isZero();
                    assertThat(answer.path("problems").get(0).path("message").asText()).as(body.getKey())
                            .contains("DTD");
                }
                REPORT.put("class.xml." + body.getKey(), HostileReport.outcome("HTTP POST /v1/ingest/eventlog-xml",
                        body.getKey(), response.statusCode() + ": " + answer.path("problems").path(0)
                                .path("message").asText(answer.path("detail").asText()),
                        "status", response.statusCode(), "recordsStored", stored.records, "urlFetches", fetched.get()));
            }
        } finally {
            bait.stop(0);
        }

        assertThat(fetched.get()).as("requests the collector made to the external entity's URL").isZero();
    }

    // ---- absurd values and one bad line among good ones ---------------------------------------------------------

    @Test
    void shouldKeepTheGoodLinesAndDeadLetterTheBadOneAsTheAnswerSays() throws Exception {
        // Given 10 events of which line 6 has an absurd time (year 2200) and line 8 a negative recovery size
        Instant now = Instant.now();
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            lines.add(event("g" + i, now));
        }
        lines.set(5, event("bad-time", Instant.parse("2200-01-01T00:00:00Z")));
        lines.set(7, event("bad-size", now).replace("}", ",\"inventory\":{\"deviceId\":\"d-1\",\"observedAt\":"
                + now.toEpochMilli() + ",\"recovery\":{\"partitionSizeBytes\":-1,\"freeBytes\":null,"
                + "\"layout\":\"AFTER_OS\",\"partitionStyle\":\"GPT\"}}}"));

        HttpResponse<String> response = api.post("/v1/events", "application/x-ndjson",
                String.join("\n", lines).getBytes(StandardCharsets.UTF_8), IngestApiFixture.TOKEN);
        JsonNode answer = JSON.readTree(response.body());
        Stored stored = drain();

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(answer.path("accepted").asLong()).isEqualTo(8);
        assertThat(answer.path("rejected").asLong()).isEqualTo(2);
        assertThat(stored.records).isEqualTo(8);
        assertThat(stored.deadLetters).extracting(e -> e.record().headers().get(DlqHeaders.SOURCE_LINE))
                .containsExactly("6", "8");
        assertThat(stored.deadLetters).extracting(e -> new String(e.record().value(), StandardCharsets.UTF_8))
                .satisfiesExactly(t -> assertThat(t).contains("bad-time"), t -> assertThat(t).contains("bad-size"));
        REPORT.put("class.bad-line-among-good", HostileReport.outcome("HTTP POST /v1/events",
                "10 NDJSON events, line 6 in year 2200, line 8 with a negative partition size",
                "202 per line: 8 records and 2 dead letters (lines 6 and 8) in the spool, as the answer says",
                "accepted", 8, "rejected", 2, "recordsStored", stored.records, "deadLetters",
                stored.deadLetters.size()));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static String event(String id, Instant at) {
        long millis = at.toEpochMilli();
        return "{\"eventId\":\"" + id + "\",\"deviceId\":\"d-1\",\"occurredAt\":" + millis + ",\"receivedAt\":"
                + Instant.now().toEpochMilli() + ",\"source\":\"AGENT\",\"kb\":\"KB5034441\",\"outcome\":\"FAILED\"}";
    }

    private static String firstLine(String answer) {
        int end = answer.indexOf('\r');
        return end < 0 ? answer : answer.substring(0, end);
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** HTTP/1.1 by hand, for what a well-behaved client cannot send. */
    static final class RawHttp {

        private RawHttp() {
        }

        /** A socket to the server with a read deadline, so a test never hangs on a server that keeps silent. */
        static Socket open(int port) throws IOException {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            return socket;
        }

        /** Sends the request line and headers (with the token) of a POST. */
        static void headers(Socket socket, String path, String contentType, String... extra) throws IOException {
            StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + IngestApiFixture.TOKEN + "\r\nContent-Type: " + contentType + "\r\n");
            for (String header : extra) {
                head.append(header).append("\r\n");
            }
            head.append("\r\n");
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }

        /** What the server sent until it closed the connection or went quiet after a whole answer. */
        static String readAnswer(Socket socket) throws IOException {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    answer.write(buffer, 0, n);
                    String text = answer.toString(StandardCharsets.ISO_8859_1);
                    if (complete(text)) {
                        break;
                    }
                }
            } catch (java.net.SocketException reset) {
                // closed by the server: what arrived before is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }

        private static boolean complete(String text) {
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return false;
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                    .matcher(text.substring(0, end));
            return length.find() && text.length() - end - 4 >= Integer.parseInt(length.group(1));
        }
    }

    /** The raw answer has {@code status}, nothing reached the spool, and the class's outcome goes to the report. */
    private void assertRefusedWithNothingStored(String answer, int status, String reportKey, String entryPoint,
            String input, String outcome) throws Exception {
        assertThat(answer).startsWith("HTTP/1.1 " + status);
        assertThat(drain().records).isZero();
        REPORT.put(reportKey, HostileReport.outcome(entryPoint, input, outcome, "status", status, "stored", 0));
    }
}
