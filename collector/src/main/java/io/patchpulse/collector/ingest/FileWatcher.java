package io.patchpulse.collector.ingest;

import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.ParseResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the files of one directory in one format (osquery result logs, Winlogbeat file output, exports dropped by
 * a scheduled job) and feeds them to the {@link Ingestor}, resuming after a restart where it left off.
 *
 * <ul>
 *   <li>NDJSON files ({@code osquery}, {@code winlogbeat}, and {@code events} / {@code device-report} whose first
 *       line is a whole JSON object) are read up to the last complete line. The byte position after it is stored
 *       in the spool in the same synced write as the records, so a crash neither loses nor repeats an accepted
 *       line. A last line without a line end is read once the file has not grown for two polls.</li>
 *   <li>Other files (event XML, WUfB exports, pretty-printed or UTF-16 JSON) are read whole once they have not
 *       grown for one poll, and again when they change (event ids are stable, so a re-read is deduplicated
 *       downstream). A whole file over the request size limit is not read; the log says so.</li>
 *   <li>Positions are kept per file identity (the inode where the file system has one), not per name: a file
 *       renamed by log rotation keeps its position, a new file under the old name starts at 0. A file that shrinks
 *       was truncated and is read again from its start.</li>
 *   <li>A file that fails is logged and retried at the next poll; the other files go on.</li>
 * </ul>
 * Files are polled, which works on every file system (network shares included), unlike change notifications.
 * Point it at a directory holding only that format's files (rotated {@code .gz} files are not read).
 */
public final class FileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    private final Path directory;
    private final InputFormat format;
    private final Ingestor ingestor;
    private final int maxChunkBytes;
    private final Duration interval;
    private final Map<String, Long> lastSeenSize = new HashMap<>();
    private final Map<String, Integer> stablePolls = new HashMap<>();
    private final Set<String> warned = new HashSet<>();
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
                LOG.warn("Listing {} failed; retrying at the next poll: {}", directory, e.toString());
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
                    .filter(p -> !p.getFileName().toString().endsWith(".gz"))
                    .sorted()
                    .toList();
        }
        for (Path file : files) {
            if (!running) {
                return;
            }
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                String key = key(file, attributes);
                if (isLineFile(file)) {
                    tail(file, key, attributes.size());
                } else {
                    readWhole(file, key, attributes);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Reading {} failed; retrying at the next poll: {}", file, e.toString());
            } catch (Ingestor.Refused e) {
                throw new IllegalStateException("the watcher ingests in FILE mode, which refuses nothing", e);
            }
        }
    }

    private boolean isLineFile(Path file) throws IOException {
        if (format == InputFormat.OSQUERY || format == InputFormat.WINLOGBEAT) {
            return true;
        }
        if (format == InputFormat.EVENTS || format == InputFormat.DEVICE_REPORT) {
            byte[] head = new byte[(int) Math.min(64 * 1024, Files.size(file))];
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                in.readFully(head);
            }
            return JsonItems.isNdjson(head);
        }
        return false;
    }

    /** The file's identity: its inode (survives renames) where there is one, else its path. */
    private String key(Path file, BasicFileAttributes attributes) {
        Object id = attributes.fileKey();
        String identity = id != null ? directory.toAbsolutePath().normalize() + "#" + id
                : file.toAbsolutePath().normalize().toString();
        return "watch:" + format.id() + ":" + identity;
    }

    private void tail(Path file, String key, long size) throws IOException, Ingestor.Refused {
        long position = Math.max(0, ingestor.spool().position(key));
        if (size < position) {
            LOG.info("{} shrank from {} to {} bytes (truncated): reading it from the start", file, position, size);
            position = 0;
        }
        Long previous = lastSeenSize.put(key, size);
        int stable = previous != null && previous == size ? stablePolls.merge(key, 1, Integer::sum) : 0;
        if (previous == null || previous != size) {
            stablePolls.put(key, 0);
        }
        while (running && position < size) {
            int length = (int) Math.min(maxChunkBytes, size - position);
            byte[] chunk = read(file, position, length);
            int end = lastNewline(chunk);
            if (end < 0 && length == maxChunkBytes) {
                long lineEnd = nextNewline(file, position + length, size);
                LOG.warn("{}: the line at byte {} is longer than {} bytes; it is kept in the dead-letter topic"
                        + " (its first part) and skipped", file, position, maxChunkBytes);
                ingest(file, chunk, key, lineEnd < 0 ? size : lineEnd + 1, position);
                position = lineEnd < 0 ? size : lineEnd + 1;
                continue;
            }
            if (end < 0) {
                if (stable < 2) {
                    return; // an incomplete last line: wait for the writer to finish it
                }
                end = length - 1; // the writer is done and left no line end
            }
            byte[] lines = java.util.Arrays.copyOf(chunk, end + 1);
            long next = position + end + 1;
            ingest(file, lines, key, next, position);
            position = next;
        }
    }

    private void ingest(Path file, byte[] bytes, String key, long next, long position)
            throws IOException, Ingestor.Refused {
        ParseResult result = ingestor.ingest(format, bytes, file + " (from byte " + position + ")",
                Map.of(key, next), Ingestor.Mode.FILE);
        if (result.rejected() > 0) {
            LOG.warn("{}: {} items rejected (kept in the dead-letter topic), first: {}", file, result.rejected(),
                    result.problems().get(0));
        }
    }

    private void readWhole(Path file, String key, BasicFileAttributes attributes)
            throws IOException, Ingestor.Refused {
        long size = attributes.size();
        // The stored "position" of a whole file is its modification time: a rewrite of equal size is read again.
        long version = attributes.lastModifiedTime().toMillis() ^ (size << 20);
        long done = ingestor.spool().position(key);
        Long previous = lastSeenSize.put(key, size);
        if (version == done || previous == null || previous != size) {
            return; // already read, or still growing: wait one poll
        }
        if (size > maxChunkBytes) {
            if (warned.add(key + "@" + version)) {
                LOG.error("{} has {} bytes, more than the {} a whole {} file may have "
                        + "(collector.http.max.request.bytes); split it or raise the limit", file, size,
                        maxChunkBytes, format.id());
            }
            return;
        }
        byte[] body = Files.readAllBytes(file);
        ParseResult result = ingestor.ingest(format, body, file.toString(), Map.of(key, version),
                Ingestor.Mode.FILE);
        LOG.info("{}: {} records from {} items, {} rejected, {} skipped", file, result.records().size(),
                result.accepted(), result.rejected(), result.skipped());
    }

    private static byte[] read(Path file, long position, int length) throws IOException {
        byte[] chunk = new byte[length];
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(position);
            in.readFully(chunk);
        }
        return chunk;
    }

    /** Offset of the next {@code \n} at or after {@code from}, or -1. */
    private static long nextNewline(Path file, long from, long size) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(from);
            byte[] buffer = new byte[64 * 1024];
            long offset = from;
            while (offset < size) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - offset));
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        return offset + i;
                    }
                }
                offset += n;
            }
        }
        return -1;
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
