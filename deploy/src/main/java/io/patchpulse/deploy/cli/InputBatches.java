package io.patchpulse.deploy.cli;

import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.JsonItems;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * How {@code parse} and {@code ingest} take a file (or standard input) in, with memory bounded whatever its size.
 * Line formats (osquery, winlogbeat, and events or device reports written as NDJSON) come in batches of whole
 * lines, each at most {@code batchBytes} unless a single line is longer; a line longer than {@code maxLineBytes} is
 * reported and skipped once that much of it (plus one read of 64 KiB) has arrived, never held whole. A UTF-16 file
 * (its byte-order mark says so) is read as a document. Everything else (eventlog-xml, wufb, one JSON document or
 * array) is one batch, refused past {@code maxDocumentBytes} before it is read whole.
 */
final class InputBatches {

    /** Default batch of lines: 4 MiB. */
    static final int DEFAULT_BATCH_BYTES = 4 << 20;
    /** The longest line kept: 16 MiB, the collector's default largest request (collector.http.max.request.bytes). */
    static final int MAX_LINE_BYTES = 16 << 20;
    /** Default largest input read whole: 64 MiB (parsing one takes several times that in heap). */
    static final long DEFAULT_MAX_DOCUMENT_BYTES = 64L << 20;
    /** The most --max-document-bytes may be: one Java array. */
    static final long MAX_DOCUMENT_BYTES = Integer.MAX_VALUE - 9;

    /** What a line-format input is tested on: its first bytes (see {@link JsonItems#isNdjson}). */
    private static final int HEAD_BYTES = 64 * 1024;
    private static final int READ_BYTES = 64 * 1024;

    /** One batch: whole lines (or the whole document) and the number of its first line in the input. */
    record Batch(byte[] bytes, long firstLine) {
    }

    /** Receives the batches in input order, and the lines that were too long to keep. */
    interface Receiver {

        void batch(Batch batch) throws IOException, InterruptedException;

        /** Line {@code line} had more than the limit of bytes; it was skipped. */
        void lineTooLong(long line, long limitBytes) throws IOException, InterruptedException;
    }

    /** Thrown for a document over the limit: the message says which input, its limit, and what to do. */
    static final class DocumentTooLarge extends IOException {
        DocumentTooLarge(String message) {
            super(message);
        }
    }

    private final int batchBytes;
    private final int maxLineBytes;
    private final long maxDocumentBytes;

    /** @throws IllegalArgumentException naming the command's option that is out of range */
    InputBatches(int batchBytes, int maxLineBytes, long maxDocumentBytes) {
        if (batchBytes <= 0 || maxLineBytes <= 0) {
            throw new IllegalArgumentException("--batch-bytes must be positive, not " + batchBytes);
        }
        if (maxDocumentBytes <= 0 || maxDocumentBytes > MAX_DOCUMENT_BYTES) {
            throw new IllegalArgumentException("--max-document-bytes must be 1.." + MAX_DOCUMENT_BYTES + ", not "
                    + maxDocumentBytes);
        }
        this.batchBytes = batchBytes;
        this.maxLineBytes = maxLineBytes;
        this.maxDocumentBytes = maxDocumentBytes;
    }

    /** Reads all of {@code input} (named {@code name} in errors) as {@code format} takes it. */
    void read(InputStream input, String name, InputFormat format, Receiver receiver)
            throws IOException, InterruptedException {
        BufferedInputStream in = new BufferedInputStream(input, READ_BYTES);
        in.mark(HEAD_BYTES);
        byte[] head = in.readNBytes(HEAD_BYTES);
        in.reset();
        if (isLineFormat(format, head)) {
            readLines(in, receiver);
        } else {
            byte[] document = in.readNBytes((int) (maxDocumentBytes + 1));
            if (document.length > maxDocumentBytes) {
                throw new DocumentTooLarge(name + " is larger than " + maxDocumentBytes + " bytes, the most a "
                        + format.id() + " input is read whole (" + (format == InputFormat.EVENTS
                        || format == InputFormat.DEVICE_REPORT ? "write it as NDJSON, one item a line, or " : "")
                        + "split it, or raise --max-document-bytes along with the heap: PATCHPULSE_JAVA_OPTS)");
            }
            if (document.length > 0) {
                receiver.batch(new Batch(document, 1));
            }
        }
    }

    /** Whether {@code format} with these first bytes is cut at line ends (the rule the collector's watcher uses). */
    static boolean isLineFormat(InputFormat format, byte[] head) {
        boolean utf16 = head.length >= 2 && ((head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE
                || (head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF);
        if (utf16) {
            return false; // its line ends are two bytes: read whole, as the parsers decode it
        }
        return format == InputFormat.OSQUERY || format == InputFormat.WINLOGBEAT
                || ((format == InputFormat.EVENTS || format == InputFormat.DEVICE_REPORT) && JsonItems.isNdjson(head));
    }

    private void readLines(InputStream in, Receiver receiver) throws IOException, InterruptedException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        long batchFirstLine = 1;
        long line = 1; // the line being read
        int lineStart = 0; // where it starts in batch
        boolean skipping = false; // the rest of a line that is too long
        byte[] buffer = new byte[READ_BYTES];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            int from = 0;
            while (from < read) {
                int newline = indexOf(buffer, from, read);
                int end = newline < 0 ? read : newline + 1;
                if (!skipping) {
                    batch.write(buffer, from, end - from);
                    if (batch.size() - lineStart - (newline < 0 ? 0 : 1) > maxLineBytes) {
                        // The lines before it go on their own; this one is dropped as it arrives.
                        if (lineStart > 0) {
                            receiver.batch(new Batch(Arrays.copyOf(batch.toByteArray(), lineStart), batchFirstLine));
                        }
                        batch.reset();
                        lineStart = 0;
                        receiver.lineTooLong(line, maxLineBytes);
                        skipping = true;
                    }
                }
                if (newline >= 0) {
                    if (skipping) {
                        skipping = false;
                        line++;
                        batchFirstLine = line;
                    } else {
                        batchFirstLine = splitBefore(batch, lineStart, batchFirstLine, line, receiver);
                        line++;
                        if (batch.size() >= batchBytes) {
                            receiver.batch(new Batch(batch.toByteArray(), batchFirstLine));
                            batch.reset();
                            batchFirstLine = line;
                        }
                    }
                    lineStart = batch.size();
                }
                from = end;
            }
        }
        if (batch.size() > 0) {
            batchFirstLine = splitBefore(batch, lineStart, batchFirstLine, line, receiver);
            receiver.batch(new Batch(batch.toByteArray(), batchFirstLine));
        }
    }

    /**
     * When the line at {@code lineStart} (line {@code line}) takes {@code batch} past the batch size, sends the lines
     * before it as a batch and leaves the line alone in {@code batch}; returns the first line of what is left.
     */
    private long splitBefore(ByteArrayOutputStream batch, int lineStart, long batchFirstLine, long line,
            Receiver receiver) throws IOException, InterruptedException {
        if (batch.size() <= batchBytes || lineStart == 0) {
            return batchFirstLine;
        }
        byte[] all = batch.toByteArray();
        receiver.batch(new Batch(Arrays.copyOf(all, lineStart), batchFirstLine));
        batch.reset();
        batch.write(all, lineStart, all.length - lineStart);
        return line;
    }

    private static int indexOf(byte[] buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
