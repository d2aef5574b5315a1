package io.patchpulse.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectorService;
import io.patchpulse.collector.CollectorSettings;
import io.patchpulse.security.Tokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code patchpulse parse} and {@code patchpulse ingest} on one file with a bad line, the latter in small batches. */
class ParseAndIngestCommandIT {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return PatchPulseCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
    }

    private Path eventsFile(int lines, int badLine) throws Exception {
        long now = Instant.now().toEpochMilli();
        List<String> text = new ArrayList<>();
        for (int i = 1; i <= lines; i++) {
            text.add(i == badLine ? "{\"eventId\": \"broken\"," : "{\"eventId\":\"e" + i + "\",\"deviceId\":\"d-" + (i % 7)
                    + "\",\"occurredAt\":" + now + ",\"receivedAt\":" + now + ",\"source\":\"AGENT\","
                    + "\"kb\":\"KB5034441\",\"outcome\":\"FAILED\",\"errorCode\":\"0x80070643\"}");
        }
        Path file = dir.resolve("events.ndjson");
        Files.write(file, text);
        return file;
    }

    @Test
    void shouldPrintRecordsAndNameTheBadLine() throws Exception {
        Path file = eventsFile(5, 4);

        int status = run("parse", "--format", "events", file.toString());

        assertThat(status).isEqualTo(ParseCommand.SOME_REJECTED);
        assertThat(out.toString().lines()).hasSize(4).allSatisfy(line -> assertThat(line)
                .contains("\"kind\":\"install-event\""));
        assertThat(err.toString()).contains(file + ":4: not valid JSON");
    }

    @Test
    void shouldPostInBatchesAndReportTheBadLineOfTheWholeFile() throws Exception {
        Path file = eventsFile(200, 150);
        String token = Tokens.newToken();
        try (CollectorService collector = CollectorService.start(new CollectorSettings(Map.of(
                "bootstrap.servers", "127.0.0.1:1",
                CollectorSettings.DATA_DIR_CONFIG, dir.resolve("collector").toString(),
                CollectorSettings.HTTP_PORT_CONFIG, "0",
                CollectorSettings.TOKENS_CONFIG, Tokens.entry("cli", token))), List.of())) {

            int status = run("ingest", "--format", "events", "--url", "http://127.0.0.1:" + collector.port(),
                    "--token", token, "--batch-bytes", "4096", file.toString());

            assertThat(status).isEqualTo(ParseCommand.SOME_REJECTED);
            assertThat(err.toString()).contains(file + ":150: not valid JSON")
                    .contains("199 records from 199 items accepted, 1 rejected");
            assertThat(collector.spool().size()).isEqualTo(200); // 199 events + 1 dead letter, Kafka unreachable
        }
    }

    @Test
    void shouldRefuseAWrongTokenWithExitStatus1() throws Exception {
        Path file = eventsFile(3, 0);
        try (CollectorService collector = CollectorService.start(new CollectorSettings(Map.of(
                "bootstrap.servers", "127.0.0.1:1",
                CollectorSettings.DATA_DIR_CONFIG, dir.resolve("collector").toString(),
                CollectorSettings.HTTP_PORT_CONFIG, "0",
                CollectorSettings.TOKENS_CONFIG, Tokens.entry("cli", Tokens.newToken()))), List.of())) {

            int status = run("ingest", "--format", "events", "--url", "http://127.0.0.1:" + collector.port(),
                    "--token", "wrong", file.toString());

            assertThat(status).isEqualTo(1);
            assertThat(err.toString()).contains("refused").contains("401");
        }
    }
}
