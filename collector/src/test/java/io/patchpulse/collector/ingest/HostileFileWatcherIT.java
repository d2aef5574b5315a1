package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.parse.HostileReport;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.schemas.topics.DlqHeaders;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile files in a watched directory (the file tailing entry point), on a real spool, polled by hand: garbage,
 * invalid UTF-8 and a line that never ends are rejected with where they are (input with its byte offset, line), the
 * memory a line can take is the chunk limit, and the watcher goes on with the good lines after them. Figures go to
 * {@code target/hostile-report/file-watcher.json}.
 */
class HostileFileWatcherIT extends WatchedDirectoryTestBase {

    private static final int CHUNK = 64 * 1024;
    private static final HostileReport REPORT = new HostileReport("file-watcher");

    private FileWatcher watcher() {
        return new FileWatcher(watched, InputFormat.EVENTS, api.ingestor, CHUNK, Duration.ofHours(1));
    }

    private static String event(String id) {
        return HostileIngestApiIT.event(id, Instant.now());
    }

    @Test
    void shouldDeadLetterGarbageAndInvalidUtf8WithTheirLineAndReadTheGoodLines() throws Exception {
        // Given an NDJSON file: good, random bytes, good, invalid UTF-8 in JSON syntax, good
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes((event("good1") + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] garbage = new byte[300];
        new Random(3).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = garbage[i] == '\n' ? (byte) 0xFF : garbage[i];
        }
        file.writeBytes(garbage);
        file.writeBytes(("\n" + event("good2") + "\n").getBytes(StandardCharsets.UTF_8));
        file.writeBytes(new byte[] {'{', (byte) 0xC0, (byte) 0xAF, ':', (byte) 0xFF, '}', '\n'});
        file.writeBytes((event("good3") + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(watched.resolve("events.ndjson"), file.toByteArray());

        watcher().pollOnce();

        assertThat(eventIds()).containsExactly("good1", "good2", "good3");
        assertThat(deadLetters()).extracting(e -> e.record().headers().get(DlqHeaders.SOURCE_LINE))
                .containsExactly("2", "4");
        assertThat(deadLetters()).allSatisfy(e -> assertThat(e.record().headers().get(DlqHeaders.SOURCE_INPUT))
                .contains("events.ndjson (from byte 0)"));
        REPORT.put("garbage-and-invalid-utf8", HostileReport.outcome("file tailing (NDJSON events)",
                "5 lines: good, 300 random bytes, good, invalid UTF-8 in JSON syntax, good",
                "3 records; 2 dead letters with input, byte offset and lines 2 and 4", "records", eventIds().size(),
                "deadLetters", deadLetters().size()));
    }

    @Test
    void shouldCutALineThatNeverEndsAtTheChunkSizeAndGoOnAfterIt() throws Exception {
        // Given a writer that starts a line and keeps writing it, 10 times the chunk limit, without a line end
        Path log = watched.resolve("endless.ndjson");
        Files.writeString(log, event("good1") + "\n");
        try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
            out.write("{\"eventId\":\"".getBytes(StandardCharsets.US_ASCII));
            byte[] block = "x".repeat(8 * 1024).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 10 * CHUNK / block.length; i++) {
                out.write(block);
            }
        }
        FileWatcher watcher = watcher();

        watcher.pollOnce();
        // When the writer finally ends that line and adds a good one
        Files.writeString(log, "\"}\n" + event("good2") + "\n", StandardOpenOption.APPEND);
        watcher.pollOnce();
        watcher.pollOnce();

        assertThat(eventIds()).containsExactly("good1", "good2");
        assertThat(deadLetters()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.record().value().length).isLessThanOrEqualTo(CHUNK + 1); // the chunk and a line end
            assertThat(e.record().headers().get(DlqHeaders.SOURCE_INPUT)).contains("endless.ndjson (from byte");
        });
        REPORT.put("never-ending-line", HostileReport.outcome("file tailing (NDJSON events)",
                "a line of 640 KiB written without a line end (chunk limit 64 KiB), then ended, then a good line",
                "its first 64 KiB dead-lettered with the byte offset, the middle skipped (logged), its end rejected "
                        + "as line 1 from its byte offset; memory bounded by the chunk; the good lines read",
                "records", eventIds().size(), "deadLetters", deadLetters().size(), "largestDeadLetterBytes",
                deadLetters().stream().mapToInt(e -> e.record().value().length).max().orElse(0)));
    }

    @Test
    void shouldNotReadAWholeFileOverTheLimitAndGoOnWithTheOthers() throws Exception {
        // Given an event XML export bigger than the limit and a small good one beside it
        Files.writeString(watched.resolve("a-huge.xml"), "<Events>" + "<!-- padding -->".repeat(CHUNK) + "</Events>");
        Files.writeString(watched.resolve("b-small.xml"), "<Event xmlns='http://schemas.microsoft.com/win/2004/08/"
                + "events/event'><System><Provider Name='Microsoft-Windows-WindowsUpdateClient'/><EventID>20</EventID>"
                + "<TimeCreated SystemTime='2024-01-09T18:06:15.9086312Z'/><EventRecordID>1</EventRecordID>"
                + "<Computer>PC1</Computer></System><EventData><Data Name='errorCode'>0x80070643</Data>"
                + "<Data Name='updateTitle'>2024-01 Security Update (KB5034441)</Data></EventData></Event>");
        FileWatcher watcher = new FileWatcher(watched, InputFormat.EVENTLOG_XML, api.ingestor, CHUNK,
                Duration.ofHours(1));

        watcher.pollOnce();
        watcher.pollOnce();

        assertThat(spooled()).filteredOn(e -> e.record().topic().endsWith("install-events")).hasSize(1);
        REPORT.put("whole-file-over-limit", HostileReport.outcome("file tailing (eventlog-xml, read whole)",
                "a 1 MiB XML file against a 64 KiB limit beside a good one",
                "the big file is not read (logged with its size and the setting to raise); the good one is",
                "records", 1));
    }
}
