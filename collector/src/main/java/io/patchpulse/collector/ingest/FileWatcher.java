package io.patchpulse.collector.ingest;

import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the files of one directory in one format (osquery result logs, Winlogbeat file output, exports dropped by
 * a scheduled job) and feeds them to the {@link Ingestor}, resuming after a restart where it left off.
 *
 * <p>Line formats (everything but {@code eventlog-xml} and {@code wufb}) are read up to the last complete line; the
 * byte position after it is stored in the spool in the same synced write as the records, so a crash neither loses
 * nor repeats an accepted line. A file that shrinks was rotated or truncated and is read again from its start.
 * Whole-document formats are read once a file has stopped growing for one poll, and again if it changes (event ids
 * are stable, so a re-read is deduplicated downstream). Files are polled, which works on every file system
 * (network shares included), unlike change notifications.
 */
public final class FileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    private final Path directory;
    private final InputFormat format;
    private final Ingestor ingestor;
    private final int maxChunkBytes;
    private final Duration interval;
    private final Map<Path, Long> lastSeenSize = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public FileWatcher(Path directory, InputFormat format, Ingestor ingestor, int maxChunkBytes, Duration interval) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.format = Objects.requireNonNull(format, "format");
        this.ingestor = Objects.requireNonNull(ingestor, "ingestor");
        this.maxChunkBytes = maxChunkBytes;
        this.interval = interval;
        this.thread = new Thread(this::run, "patchpulse-watch-" + directory.getFileName());
        this.thread.setDaemon(true);
    }

    /** Starts polling. */
    public FileWatcher start() {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("--watch " + directory + " is not a directory");
        }
        LOG.info("Watching {} for {} files", directory, format.id());
        thread.start();
        return this;
    }

    private void run() {
        while (running) {
            try {
                pollOnce();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Reading {} failed; retrying at the next poll: {}", directory, e.toString());
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads what is new in every file once. */
    public void pollOnce() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        }
        for (Path file : files) {
            if (!running) {
                return;
            }
            if (isLineFormat()) {
                tail(file);
            } else {
                readWhole(file);
            }
        }
    }

    private boolean isLineFormat() {
        return format != InputFormat.EVENTLOG_XML && format != InputFormat.WUFB;
    }

    private String key(Path file) {
        return "watch:" + format.id() + ":" + file.toAbsolutePath().normalize();
    }

    private void tail(Path file) throws IOException {
        String key = key(file);
        long position = Math.max(0, ingestor.spool().position(key));
        long size = Files.size(file);
        if (size < position) {
            LOG.info("{} shrank from {} to {} bytes (rotated or truncated): reading it from the start", file,
                    position, size);
            position = 0;
        }
        while (running && position < size) {
            int length = (int) Math.min(maxChunkBytes, size - position);
            byte[] chunk = new byte[length];
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                in.seek(position);
                in.readFully(chunk);
            }
            int end = lastNewline(chunk);
            if (end < 0) {
                if (length == maxChunkBytes) {
                    LOG.warn("{} has a line longer than {} bytes at byte {}; skipping past it", file, maxChunkBytes,
                            position);
                    end = length - 1;
                } else {
                    return; // an incomplete last line: wait for the writer to finish it
                }
            }
            byte[] lines = java.util.Arrays.copyOf(chunk, end + 1);
            long next = position + end + 1;
            ParseResult result = ingestor.ingest(format, lines, file + " (from byte " + position + ")",
                    Map.of(key, next));
            if (result.rejected() > 0) {
                LOG.warn("{}: {} items rejected (kept in the dead-letter topic), first: {}", file, result.rejected(),
                        result.problems().get(0));
            }
            position = next;
        }
    }

    private void readWhole(Path file) throws IOException {
        String key = key(file);
        long size = Files.size(file);
        long done = ingestor.spool().position(key);
        Long previous = lastSeenSize.put(file, size);
        if (size == done || previous == null || previous != size) {
            return; // already read, or still growing: wait one poll
        }
        byte[] body = Files.readAllBytes(file);
        ParseResult result = ingestor.ingest(format, body, file.toString(), Map.of(key, (long) body.length));
        LOG.info("{}: {} records from {} items, {} rejected", file, result.records().size(), result.accepted(),
                result.rejected());
    }

    private static int lastNewline(byte[] chunk) {
        for (int i = chunk.length - 1; i >= 0; i--) {
            if (chunk[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
