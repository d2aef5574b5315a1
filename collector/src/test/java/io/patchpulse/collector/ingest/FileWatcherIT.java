package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.publish.Spool;
import io.patchpulse.schemas.topics.DlqHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The file watcher on a real directory and a real spool, polled by hand. */
class FileWatcherIT extends WatchedDirectoryTestBase {

    private FileWatcher watcher(InputFormat format) {
        return new FileWatcher(watched, format, api.ingestor, 1 << 20, Duration.ofHours(1));
    }

    private static String event(String id) {
        long now = Instant.now().toEpochMilli();
        return "{\"eventId\":\"" + id + "\",\"deviceId\":\"d-1\",\"occurredAt\":" + now + ",\"receivedAt\":" + now
                + ",\"source\":\"AGENT\",\"outcome\":\"FAILED\"}";
    }

    @Test
    void shouldReadEachCompleteLineOnceAcrossRenamesAndRestarts() throws Exception {
        Path log = watched.resolve("results.log");
        Files.writeString(log, event("e1") + "\n" + event("e2") + "\n" + event("e3").substring(0, 20));
        FileWatcher first = watcher(InputFormat.EVENTS);
        first.pollOnce();
        assertThat(eventIds()).containsExactly("e1", "e2");

        // the writer finishes the line; then rotation renames the file and a new one starts under the old name
        Files.writeString(log, event("e3").substring(20) + "\n", StandardOpenOption.APPEND);
        FileWatcher restarted = watcher(InputFormat.EVENTS); // positions come from the spool, not the object
        restarted.pollOnce();
        Files.move(log, watched.resolve("results.log.1"));
        Files.writeString(log, event("e4") + "\n");
        restarted.pollOnce();

        assertThat(eventIds()).containsExactly("e1", "e2", "e3", "e4");
    }

    @Test
    void shouldReadAPrettyPrintedFileWholeOnceItStopsGrowing() throws Exception {
        Path report = watched.resolve("report.json");
        Files.writeString(report, event("e7").replace(",", ",\n  ").replace("{", "{\n  "));
        FileWatcher watcher = watcher(InputFormat.EVENTS);

        watcher.pollOnce(); // first sight: maybe still being written
        assertThat(eventIds()).isEmpty();
        watcher.pollOnce();
        watcher.pollOnce();

        assertThat(eventIds()).containsExactly("e7");
    }

    @Test
    void shouldKeepAFileOfGarbageInTheDeadLetterTopicAndMoveOn() throws Exception {
        Files.writeString(watched.resolve("a.log"), "{}\n".repeat(1500)); // 1500 items, none an osquery line
        Files.writeString(watched.resolve("b.log"), "not json\n");
        FileWatcher watcher = watcher(InputFormat.OSQUERY);

        watcher.pollOnce();

        List<Spool.Entry> spooled = api.spool.oldest(10_000, Long.MAX_VALUE);
        assertThat(spooled).filteredOn(e -> e.record().topic().endsWith("dlq")).isNotEmpty()
                .anySatisfy(e -> assertThat(e.record().headers().get(DlqHeaders.DETAIL)).contains("piece 1 of 1"))
                .anySatisfy(e -> assertThat(e.record().headers().get(DlqHeaders.SOURCE_INPUT)).contains("b.log"));
        long before = api.spool.size();
        watcher.pollOnce();
        assertThat(api.spool.size()).as("nothing is read twice").isEqualTo(before);
    }
}
