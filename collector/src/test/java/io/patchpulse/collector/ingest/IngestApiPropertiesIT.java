package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated bodies of every kind, to every endpoint: the API never fails with a 5xx, always answers JSON, and every
 * problem it lists has a line and a message.
 */
class IngestApiPropertiesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static IngestApiFixture api;

    @BeforeContainer
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "ingest-props");
        api = new IngestApiFixture(dir, 1 << 20, 1_000_000);
    }

    @AfterContainer
    static void stop() {
        api.close();
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.of("/v1/events", "/v1/device-reports", "/v1/ingest/osquery", "/v1/ingest/winlogbeat",
                "/v1/ingest/eventlog-xml", "/v1/ingest/wufb", "/v1/ingest/events", "/v1/ingest/device-report");
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> json = Arbitraries.strings().withChars("{}[]\":,0123456789.-eEtruefalsn \n\\abc").ofMaxLength(300);
        Arbitrary<String> lines = Arbitraries.of("{\"eventId\":\"x\"}", "{\"schema\":\"patchpulse.device-report/1\"}",
                "{\"name\":\"q\",\"columns\":{}}", "<Event><System/></Event>", "DeviceName,TargetKBNumber\nPC,5034441",
                "{\"winlog\":{\"event_id\":\"20\"}}", "null", "[]", "\u0000\u00ff").list().ofMaxSize(20)
                .map(l -> String.join("\n", l));
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(500), json, lines);
    }

    @Property(tries = 400)
    void shouldNeverFailWithA5xxAndNameEveryProblem(@ForAll("paths") String path, @ForAll("bodies") String body)
            throws Exception {
        String type = path.endsWith("eventlog-xml") ? "application/xml" : "text/plain";

        HttpResponse<String> response = api.post(path, type, body.getBytes(StandardCharsets.UTF_8),
                IngestApiFixture.TOKEN);

        assertThat(response.statusCode()).isIn(202, 400);
        JsonNode answer = JSON.readTree(response.body());
        for (JsonNode problem : answer.path("problems")) {
            assertThat(problem.get("line").asLong()).isNotNegative();
            assertThat(problem.get("message").asText()).isNotBlank();
        }
    }
}
