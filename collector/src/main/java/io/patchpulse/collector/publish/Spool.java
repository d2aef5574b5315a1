package io.patchpulse.collector.publish;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The collector's durable spool: accepted records wait here, in acceptance order, until Kafka has acknowledged
 * them. Backed by RocksDB (the store Kafka Streams already ships) with a synced write-ahead log, so a record
 * {@link #append appended} survives a kill -9 of the collector and a power cut.
 *
 * <p>Records are keyed by a 64-bit sequence number (big-endian, so RocksDB's byte order is acceptance order);
 * {@link #oldest} reads from the front and {@link #removeThrough} drops an acknowledged prefix. A second column
 * family keeps input positions (file offsets of the watcher) so that a batch and the position it came from are
 * written in one atomic batch: after a crash the watcher neither skips nor repeats a line it had accepted.
 *
 * <p>Thread-safe: appends are serialized; one drainer reads and removes.
 */
public final class Spool implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    /** One spooled record with its sequence number. */
    public record Entry(long sequence, Outgoing record) {
    }

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle records;
    private final ColumnFamilyHandle positions;
    private final WriteOptions synced = new WriteOptions().setSync(true);
    private final WriteOptions unsynced = new WriteOptions();
    private final Object appendLock = new Object();
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong first = new AtomicLong();
    private final Path directory;
    /** Every use of the database holds the read lock; close takes the write lock, so nothing runs on a freed handle. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock lifecycle =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean closed;

    private Spool(Path directory) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
        dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                // Small footprint: the spool is a queue, not a database with a working set.
                .setMaxOpenFiles(64).setKeepLogFileNum(3);
        cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor("positions".getBytes(StandardCharsets.UTF_8), cfOptions));
        try {
            db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            closeOptions();
            throw new IOException("cannot open the spool in " + directory + ": " + e.getMessage()
                    + " (is another collector using this data directory?)", e);
        }
        records = handles.get(0);
        positions = handles.get(1);
        try (RocksIterator it = db.newIterator(records)) {
            it.seekToLast();
            next.set(it.isValid() ? sequenceOf(it.key()) + 1 : 0);
            it.seekToFirst();
            first.set(it.isValid() ? sequenceOf(it.key()) : next.get());
        }
    }

    /**
     * Opens (or creates) the spool in {@code directory}.
     *
     * @throws IOException when RocksDB cannot open it, for example because another process holds it
     */
    public static Spool open(Path directory) throws IOException {
        return new Spool(Objects.requireNonNull(directory, "directory"));
    }

    /** Where the spool lives. */
    public Path directory() {
        return directory;
    }

    /**
     * Appends {@code batch} durably (synced to disk before returning), together with input positions to remember
     * ({@code name -> position}; may be empty).
     *
     * @throws IOException when the write fails: nothing of the batch was stored
     */
    public void append(List<Outgoing> batch, Map<String, Long> inputPositions) throws IOException {
        lockOpen();
        try {
            appendOpen(batch, inputPositions);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void appendOpen(List<Outgoing> batch, Map<String, Long> inputPositions) throws IOException {
        synchronized (appendLock) {
            long start = next.get();
            try (WriteBatch write = new WriteBatch()) {
                long sequence = start;
                for (Outgoing record : batch) {
                    write.put(records, keyOf(sequence++), record.encode());
                }
                for (Map.Entry<String, Long> position : inputPositions.entrySet()) {
                    write.put(positions, position.getKey().getBytes(StandardCharsets.UTF_8),
                            ByteBuffer.allocate(Long.BYTES).putLong(position.getValue()).array());
                }
                db.write(synced, write);
                next.set(sequence);
            } catch (RocksDBException e) {
                throw new IOException("cannot write to the spool in " + directory + ": " + e.getMessage(), e);
            }
            appendLock.notifyAll();
        }
    }

    /**
     * Waits up to {@code timeoutMs} for records when the spool is empty.
     *
     * @return true when there are records
     */
    public boolean awaitRecords(long timeoutMs) throws InterruptedException {
        synchronized (appendLock) {
            if (size() == 0 && timeoutMs > 0) {
                appendLock.wait(timeoutMs);
            }
            return size() > 0;
        }
    }

    /**
     * Up to {@code max} records from the front, oldest first, stopping early after {@code maxBytes} of values.
     *
     * @throws IOException when a stored record cannot be read back (the spool is damaged)
     */
    public List<Entry> oldest(int max, long maxBytes) throws IOException {
        lockOpen();
        try {
            return oldestOpen(max, maxBytes);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private List<Entry> oldestOpen(int max, long maxBytes) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long bytes = 0;
        try (RocksIterator it = db.newIterator(records)) {
            for (it.seekToFirst(); it.isValid() && entries.size() < max && bytes < maxBytes; it.next()) {
                byte[] value = it.value();
                try {
                    entries.add(new Entry(sequenceOf(it.key()), Outgoing.decode(value)));
                } catch (IllegalArgumentException e) {
                    throw new IOException("spool record " + sequenceOf(it.key()) + " in " + directory
                            + " cannot be read: " + e.getMessage(), e);
                }
                bytes += value.length;
            }
        }
        return entries;
    }

    /** Drops every record up to and including {@code sequence} (Kafka acknowledged them). */
    public void removeThrough(long sequence) throws IOException {
        lockOpen();
        try {
            // Not synced: if the removal is lost in a crash the records are sent again, and downstream drops
            // replays by event id; a synced removal would only cost latency.
            db.deleteRange(records, unsynced, keyOf(first.get()), keyOf(sequence + 1));
            first.set(Math.max(first.get(), sequence + 1));
        } catch (RocksDBException e) {
            throw new IOException("cannot remove sent records from the spool: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Records waiting. */
    public long size() {
        return Math.max(0, next.get() - first.get());
    }

    /** The remembered position of input {@code name}, or -1. */
    public long position(String name) throws IOException {
        lockOpen();
        try {
            byte[] value = db.get(positions, name.getBytes(StandardCharsets.UTF_8));
            return value == null ? -1 : ByteBuffer.wrap(value).getLong();
        } catch (RocksDBException e) {
            throw new IOException("cannot read a position from the spool: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Closes the database (idempotent); operations after it fail with an IOException. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (appendLock) {
                try {
                    db.syncWal();
                } catch (RocksDBException e) {
                    // Closing anyway: appended batches were synced when they were written.
                }
                handles.forEach(ColumnFamilyHandle::close);
                db.close();
                synced.close();
                unsynced.close();
                closeOptions();
                appendLock.notifyAll();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private void lockOpen() throws IOException {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new IOException("the spool in " + directory + " is closed");
        }
    }

    private void closeOptions() {
        dbOptions.close();
        cfOptions.close();
    }

    private static byte[] keyOf(long sequence) {
        return ByteBuffer.allocate(Long.BYTES).putLong(sequence).array();
    }

    private static long sequenceOf(byte[] key) {
        return ByteBuffer.wrap(key).getLong();
    }
}
