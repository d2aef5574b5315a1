package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.publish.Spool;
import io.patchpulse.schemas.topics.DlqHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NDJSON = "application/x-ndjson";

    @TempDir
    Path dir;

    private IngestApiFixture api;

    @BeforeEach
    void start() throws Exception {
        api = new IngestApiFixture(dir, 64 * 1024, 1000);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static String event(String id, Instant at) {
        return "{\"eventId\":\"" + id + "\",\"deviceId\":\"d-1\",\"occurredAt\":" + at.toEpochMilli()
                + ",\"receivedAt\":" + at.toEpochMilli() + ",\"source\":\"AGENT\",\"kb\":\"KB5034441\","
                + "\"outcome\":\"FAILED\",\"errorCode\":\"-2147023293\"}";
    }

    @Test
    void shouldAcceptABodyOfSeveralMegabytesThatArrivesAtOnce(@TempDir Path bigDir) throws Exception {
        // 3 MB: the body-rate check once overflowed an int past 2,147,483 bytes and refused such bodies with 408
        StringBuilder body = new StringBuilder();
        Instant now = Instant.now();
        int lines = 0;
        while (body.length() < 3_000_000) {
            body.append(event("big-" + lines++, now)).append('\n');
        }
        try (IngestApiFixture big = new IngestApiFixture(bigDir, 16 << 20, 1000)) {
            HttpResponse<String> response = big.post("/v1/events", NDJSON,
                    body.toString().getBytes(StandardCharsets.UTF_8), IngestApiFixture.TOKEN);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(JSON.readTree(response.body()).get("accepted").asLong()).isEqualTo(lines);
        }
    }

    @Test
    void shouldAcceptGoodLinesAndNameTheLineAndFieldOfEachBadOne() throws Exception {
        Instant now = Instant.now();
        String body = event("e1", now) + "\n{\"eventId\": tru}\n" + event("e2", now).replace("\"d-1\"", "\"\"")
                + "\n" + event("e3", now) + "\n";

        HttpResponse<String> response = api.post("/v1/events", NDJSON, body.getBytes(StandardCharsets.UTF_8),
                IngestApiFixture.TOKEN);

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("accepted").asLong()).isEqualTo(2);
        assertThat(answer.get("rejected").asLong()).isEqualTo(2);
        assertThat(answer.get("problems").get(0).get("line").asLong()).isEqualTo(2);
        assertThat(answer.get("problems").get(0).get("message").asText()).startsWith("not valid JSON");
        assertThat(answer.get("problems").get(1).get("line").asLong()).isEqualTo(3);
        assertThat(answer.get("problems").get(1).get("field").asText()).isEqualTo("deviceId");

        // What was acknowledged is in the spool: two events, then two dead letters that say why and where
        List<Spool.Entry> spooled = api.spool.oldest(100, Long.MAX_VALUE);
        assertThat(spooled).extracting(e -> e.record().topic()).containsExactly("test.install-events",
                "test.install-events", "test.install-events-dlq", "test.install-events-dlq");
        assertThat(spooled.get(2).record().headers()).containsEntry(DlqHeaders.SOURCE_LINE, "2")
                .containsEntry(DlqHeaders.SOURCE_INPUT, "http:test")
                .containsEntry(DlqHeaders.REASON, DlqHeaders.REASON_INVALID);
        assertThat(new String(spooled.get(2).record().value(), StandardCharsets.UTF_8)).isEqualTo("{\"eventId\": tru}\n");
        assertThat(spooled.get(3).record().headers()).containsEntry(DlqHeaders.FIELD, "deviceId");
    }

    @Test
    void shouldPutOnlyTheRejectedItemIntoItsDeadLetterNotTheSkippedOneAfterIt() throws Exception {
        String broken = "{\"winlog\": {\"event_id\": tru}}";
        String otherProvider = "{\"@timestamp\":\"2024-01-10T07:00:04.000Z\",\"winlog\":{\"channel\":\"Security\","
                + "\"provider_name\":\"Microsoft-Windows-Security-Auditing\",\"event_id\":4624,"
                + "\"computer_name\":\"PC1\"}}";

        HttpResponse<String> response = api.post("/v1/ingest/winlogbeat", NDJSON,
                (broken + "\n" + otherProvider + "\n").getBytes(StandardCharsets.UTF_8), IngestApiFixture.TOKEN);

        assertThat(response.statusCode()).isEqualTo(202);
        List<Spool.Entry> spooled = api.spool.oldest(100, Long.MAX_VALUE);
        assertThat(spooled).singleElement().satisfies(letter -> assertThat(
                new String(letter.record().value(), StandardCharsets.UTF_8)).isEqualTo(broken + "\n"));
    }

    @Test
    void shouldRefuseWithoutAValidToken() throws Exception {
        byte[] body = event("e1", Instant.now()).getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> missing = api.post("/v1/events", NDJSON, body, null);
        HttpResponse<String> wrong = api.post("/v1/events", NDJSON, body, "not-the-token");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(missing.body()).get("status").asInt()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("invalid_token"));
        assertThat(api.spool.size()).isZero();
    }

    @Test
    void shouldAnswerWholeRequestErrorsWithProblemDetails() throws Exception {
        String token = IngestApiFixture.TOKEN;

        assertThat(api.post("/v1/events", "image/png", "{}".getBytes(StandardCharsets.UTF_8), token).statusCode())
                .isEqualTo(415);
        assertThat(api.post("/v1/ingest/eventlog-xml", NDJSON, "<Event/>".getBytes(StandardCharsets.UTF_8), token)
                .statusCode()).isEqualTo(415);
        assertThat(api.post("/v1/events", NDJSON, new byte[128 * 1024], token).statusCode()).isEqualTo(413);
        HttpResponse<String> garbage = api.post("/v1/events", NDJSON, "garbage".getBytes(StandardCharsets.UTF_8),
                token);
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(garbage.body()).get("problems").get(0).get("line").asLong()).isEqualTo(1);
        assertThat(api.post("/v1/events", NDJSON, "\n \n".getBytes(StandardCharsets.UTF_8), token).statusCode())
                .isEqualTo(400);
        assertThat(api.spool.size()).as("a refused request stores nothing").isZero();
        HttpResponse<String> unknown = api.post("/v1/ingest/syslog", NDJSON, "{}".getBytes(StandardCharsets.UTF_8),
                token);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("detail").asText()).contains("osquery", "wufb");
    }

    @Test
    void shouldRefuseABodyWithMoreBadItemsThanAreListedAndStoreNothing() throws Exception {
        byte[] body = (event("e1", Instant.now()) + "\n" + "{}\n".repeat(ParseResult.MAX_PROBLEMS + 1))
                .getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = api.post("/v1/events", NDJSON, body, IngestApiFixture.TOKEN);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("rejected").asLong()).isEqualTo(ParseResult.MAX_PROBLEMS + 1);
        assertThat(answer.get("problems")).hasSize(ParseResult.MAX_PROBLEMS);
        assertThat(api.spool.size()).isZero();
    }

    @Test
    void shouldRejectARecordKafkaCouldNeverTake() throws Exception {
        String huge = event("e2", Instant.now()).replace("\"kb\"", "\"updateTitle\":\"" + "x".repeat(20_000)
                + "\",\"kb\"");
        byte[] body = (event("e1", Instant.now()) + "\n" + huge + "\n").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = api.post("/v1/events", "application/x-ndjson", body, IngestApiFixture.TOKEN);

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("accepted").asLong()).isEqualTo(1);
        assertThat(answer.get("rejected").asLong()).isEqualTo(1);
        assertThat(answer.get("problems").get(0).get("line").asLong()).isEqualTo(2);
        assertThat(answer.get("problems").get(0).get("message").asText()).contains("at most 8192");
    }

    @Test
    void shouldCutOffAClientThatTricklesItsBody() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + IngestApiFixture.TOKEN + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: 60000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer;
            try {
                // The client's pace is one byte per poll, every 200 ms (far below the floor), until the server
                // answers; polled by Awaitility, which also bounds the wait.
                await().atMost(java.time.Duration.ofSeconds(25)).pollInterval(java.time.Duration.ofMillis(200))
                        .until(() -> {
                            out.write('{');
                            out.flush();
                            return socket.getInputStream().available() > 0;
                        });
                answer = new String(socket.getInputStream().readNBytes(
                        Math.max(1, socket.getInputStream().available())), StandardCharsets.US_ASCII);
            } catch (java.io.IOException | org.awaitility.core.ConditionTimeoutException closed) {
                answer = closed instanceof java.io.IOException ? "closed" : "";
            }

            assertThat(answer).as("the server answered or hung up before the deadline").isNotEmpty()
                    .satisfiesAnyOf(a -> assertThat(a).startsWith("HTTP/1.1 408"),
                            a -> assertThat(a).isEqualTo("closed"));
        }
        assertThat(api.spool.size()).isZero();
    }

    @Test
    void shouldLimitRequestsPerToken() throws Exception {
        api.close();
        api = new IngestApiFixture(dir.resolve("limited"), 64 * 1024, 5);
        byte[] body = event("e1", Instant.now()).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5; i++) {
            assertThat(api.post("/v1/events", NDJSON, body, IngestApiFixture.TOKEN).statusCode()).isEqualTo(202);
        }

        HttpResponse<String> over = api.post("/v1/events", NDJSON, body, IngestApiFixture.TOKEN);

        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.headers().firstValue("Retry-After")).isPresent();
        assertThat(api.spool.size()).isEqualTo(5);
    }
}
