package io.patchpulse.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.parse.HostileReport;
import io.patchpulse.collector.parse.InputFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code patchpulse parse} on hostile files: garbage in every format, a directory, a missing file. Each ends with a
 * message that names the file (and line), a non-zero exit status, and no stack trace. Figures go to
 * {@code target/hostile-report/cli-parse.json}.
 */
class HostileParseCommandTest {

    private static final HostileReport REPORT = new HostileReport("cli-parse");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return PatchPulseCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    /** Adds an entry to {@code target/hostile-report/cli-parse.json} (the collector's hostile tests write beside it). */
    private void assertNoStackTrace() {
        assertThat(err.toString()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @ParameterizedTest
    @EnumSource(InputFormat.class)
    void shouldNameTheLinesOfAGarbageFileAndExitNonZero(InputFormat format) throws Exception {
        // Given 4 KiB of random bytes, NULs and invalid UTF-8 included, in 8 lines
        byte[] garbage = new byte[4096];
        new Random(format.ordinal()).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = garbage[i] == '\n' ? 0 : garbage[i];
        }
        for (int i = 511; i < garbage.length; i += 512) {
            garbage[i] = '\n';
        }
        Path file = Files.write(dir.resolve("garbage." + format.id()), garbage);

        int status = run("parse", "--format", format.id(), file.toString());

        assertThat(status).isEqualTo(ParseCommand.SOME_REJECTED);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).containsPattern(java.util.regex.Pattern.quote(file.toString()) + ":[1-8]: ");
        assertNoStackTrace();
        REPORT.put("garbage." + format.id(), HostileReport.outcome("CLI parse --format " + format.id(),
                "4 KiB of random bytes in 8 lines", "exit " + status + ", problems as FILE:LINE: what, no stack trace",
                "exit", status, "records", out.toString().lines().count(),
                "problemLines", err.toString().lines().filter(l -> l.startsWith(file.toString())).count()));
    }

    @Test
    void shouldReadALineFormatABatchAtATimeAndNameTheLinesOfItsProblemsAcrossBatches() throws Exception {
        // Given 25,000 events (about 3 batches of 4 MiB), every 997th with an outcome nobody knows
        long now = java.time.Instant.now().toEpochMilli();
        java.util.Set<Long> bad = new java.util.TreeSet<>();
        java.util.Set<Long> good = new java.util.TreeSet<>();
        StringBuilder text = new StringBuilder();
        for (long line = 1; line <= 25_000; line++) {
            boolean broken = line % 997 == 0;
            (broken ? bad : good).add(line);
            text.append("{\"eventId\":\"e").append(line).append("\",\"deviceId\":\"d-").append(line % 300)
                    .append("\",\"occurredAt\":").append(now).append(",\"receivedAt\":").append(now)
                    .append(",\"source\":\"AGENT\",\"outcome\":\"").append(broken ? "EXPLODED" : "FAILED")
                    .append("\",\"updateTitle\":\"").append("p".repeat(300)).append("\"}\n");
        }
        Path file = Files.writeString(dir.resolve("big.ndjson"), text);
        assertThat(Files.size(file)).isGreaterThan(2L * InputBatches.DEFAULT_BATCH_BYTES);

        int status = run("parse", "--format", "events", file.toString());

        // Then every good line is a record with its own line number, every bad one a problem at its line
        assertThat(status).isEqualTo(ParseCommand.SOME_REJECTED);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.Set<Long> recordLines = new java.util.TreeSet<>();
        for (String line : out.toString().lines().toList()) {
            com.fasterxml.jackson.databind.JsonNode record = json.readTree(line);
            assertThat(record.path("value").path("eventId").asText()).isEqualTo("e" + record.path("line").asLong());
            recordLines.add(record.path("line").asLong());
        }
        assertThat(recordLines).isEqualTo(good);
        java.util.Set<Long> problemLines = new java.util.TreeSet<>();
        err.toString().lines().filter(line -> line.startsWith(file + ":"))
                .forEach(line -> problemLines.add(Long.parseLong(line.split(":")[1])));
        assertThat(problemLines).isEqualTo(bad);
        assertNoStackTrace();
    }

    @Test
    void shouldSkipALineOverSixteenMibAtItsLineAndReadTheOthers() throws Exception {
        long now = java.time.Instant.now().toEpochMilli();
        String good = "{\"eventId\":\"g%d\",\"deviceId\":\"d-1\",\"occurredAt\":" + now + ",\"receivedAt\":" + now
                + ",\"source\":\"AGENT\",\"outcome\":\"FAILED\"}\n";
        Path file = dir.resolve("long-line.ndjson");
        try (var out = Files.newBufferedWriter(file)) {
            out.write(String.format(good, 1));
            out.write("{\"eventId\":\"");
            for (int i = 0; i < 17; i++) {
                out.write("x".repeat(1 << 20));
            }
            out.write("\"}\n");
            out.write(String.format(good, 3));
        }

        int status = run("parse", "--format", "events", file.toString());

        assertThat(status).isEqualTo(ParseCommand.SOME_REJECTED);
        assertThat(err.toString()).contains(file + ":2: the line is longer than " + InputBatches.MAX_LINE_BYTES
                + " bytes; skipped");
        assertThat(out.toString().lines().map(line -> line.replaceAll(".*\"line\":(\\d+).*", "$1")))
                .containsExactly("1", "3");
        assertNoStackTrace();
        REPORT.put("line-over-16-mib", HostileReport.outcome("CLI parse --format events",
                "a 17 MiB line between two good ones", "FILE:2: the line is longer than 16 MiB; skipped, exit 4",
                "exit", status, "records", out.toString().lines().count()));
    }

    @Test
    void shouldRefuseADocumentOverTheLimitInOneLineBeforeReadingItWhole() throws Exception {
        Path file = Files.writeString(dir.resolve("large.xml"), "<Events>" + "<Event/>".repeat(500) + "</Events>");

        int status = run("parse", "--format", "eventlog-xml", "--max-document-bytes", "1000", file.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains(file + " is larger than 1000 bytes").hasLineCount(1);
        assertNoStackTrace();
        REPORT.put("document-over-limit", HostileReport.outcome("CLI parse --format eventlog-xml",
                "a 4 KiB document with --max-document-bytes 1000", "exit 2 in one line, the file not read whole",
                "exit", status));
    }

    @Test
    void shouldSayInOneLineThatADirectoryIsNoFile() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("reports"));

        int status = run("parse", "--format", "osquery", folder.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read " + folder + ": it is a directory");
        assertNoStackTrace();
        REPORT.put("directory", HostileReport.outcome("CLI parse", "a directory as FILE",
                "exit 2: cannot read DIR: it is a directory", "exit", status));
    }

    @Test
    void shouldSayInOneLineThatAFileIsMissing() {
        int status = run("parse", "--format", "wufb", dir.resolve("nope.csv").toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("no such file: " + dir.resolve("nope.csv"));
        assertNoStackTrace();
        REPORT.put("missing", HostileReport.outcome("CLI parse", "a file that does not exist",
                "exit 2: no such file: FILE", "exit", status));
    }
}
