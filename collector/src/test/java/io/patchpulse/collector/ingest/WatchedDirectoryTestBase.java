package io.patchpulse.collector.ingest;

import io.patchpulse.collector.publish.Spool;
import io.patchpulse.schemas.avro.InstallEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the file watcher's tests share: a watched directory, the real ingestor and spool behind it (polled by hand),
 * and what the spool holds, read back by decoding the records.
 */
abstract class WatchedDirectoryTestBase {

    @TempDir
    Path dir;

    IngestApiFixture api;
    Path watched;

    @BeforeEach
    void startIngestor() throws Exception {
        api = new IngestApiFixture(dir, 1 << 20, 1000);
        watched = Files.createDirectories(dir.resolve("in"));
    }

    @AfterEach
    void stopIngestor() {
        api.close();
    }

    /** Everything spooled, oldest first. */
    List<Spool.Entry> spooled() throws IOException {
        return api.spool.oldest(100_000, Long.MAX_VALUE);
    }

    /** The event ids of the install events spooled, in order. */
    List<String> eventIds() throws IOException {
        return spooled().stream().filter(e -> e.record().topic().endsWith("install-events"))
                .map(e -> decode(e.record().value()).getEventId()).toList();
    }

    /** The dead letters spooled, in order. */
    List<Spool.Entry> deadLetters() throws IOException {
        return spooled().stream().filter(e -> e.record().topic().endsWith("dlq")).toList();
    }

    private static InstallEvent decode(byte[] value) {
        try {
            return InstallEvent.fromByteBuffer(ByteBuffer.wrap(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
