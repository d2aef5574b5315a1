package io.patchpulse.collector.ingest;

import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.metrics.CollectorMetrics;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Parsers;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.collector.parse.TextInput;
import io.patchpulse.collector.publish.Outgoing;
import io.patchpulse.collector.publish.Spool;
import io.patchpulse.schemas.topics.DlqHeaders;
import io.patchpulse.schemas.topics.Topics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one path every input takes into the pipeline (HTTP requests, watched files): parse, then put the normalized
 * records and the rejected items (for the DLQ, with headers saying what was wrong and where) into the spool in one
 * synced write. When {@link #ingest} returns, everything it reports as accepted or rejected is durable; when it
 * throws, nothing of the input was stored and the sender must send it again.
 */
public final class Ingestor {

    /** A rejected item's text is kept up to this size in the DLQ (Kafka's default record limit is 1 MiB). */
    static final int MAX_DLQ_BYTES = 512 * 1024;

    /** How the caller can react to an input that is mostly or wholly unusable. */
    public enum Mode {
        /**
         * An HTTP request: the sender still has the data, so a body with nothing usable, or with more bad items
         * than {@link ParseResult#MAX_PROBLEMS}, is refused as a whole ({@link Refused}) and nothing is stored.
         */
        REQUEST,
        /**
         * A file chunk: nobody will send it again, so everything is kept: the records, a dead letter per problem,
         * and, when there were more problems than are kept, the whole chunk as dead letters too.
         */
        FILE
    }

    /** Thrown when the spool holds its maximum: the sender should retry later (HTTP 503). */
    public static final class SpoolFullException extends IOException {
        SpoolFullException(String message) {
            super(message);
        }
    }

    /** A request refused as a whole ({@link Mode#REQUEST}); nothing of it was stored. */
    public static final class Refused extends Exception {
        private final transient ParseResult result;

        Refused(String message, ParseResult result) {
            super(message, null, false, false);
            this.result = result;
        }

        /** What the parser made of it (the first problems), for the answer. */
        public ParseResult result() {
            return result;
        }
    }

    private final Spool spool;
    private final Topics topics;
    private final DeviceIds deviceIds;
    private final long maxSpooled;
    private final int maxRecordBytes;
    private final Clock clock;
    private final boolean keepPayload;
    private volatile CollectorMetrics metrics;

    /**
     * @param maxRecordBytes largest record (key, value, headers) accepted; a larger one is rejected at once, as
     *                       Kafka would refuse it forever (keep it under the producer's {@code max.request.size})
     */
    public Ingestor(Spool spool, Topics topics, DeviceIds deviceIds, long maxSpooled, int maxRecordBytes,
                    Clock clock) {
        this(spool, topics, deviceIds, maxSpooled, maxRecordBytes, clock, true);
    }

    /**
     * @param keepPayload whether dead letters carry the rejected item's text (it may hold raw host names); without
     *                    it they carry only the headers saying what was wrong and where (input, line)
     */
    public Ingestor(Spool spool, Topics topics, DeviceIds deviceIds, long maxSpooled, int maxRecordBytes,
                    Clock clock, boolean keepPayload) {
        this.keepPayload = keepPayload;
        this.spool = Objects.requireNonNull(spool, "spool");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.deviceIds = Objects.requireNonNull(deviceIds, "deviceIds");
        this.maxSpooled = maxSpooled;
        this.maxRecordBytes = maxRecordBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Counts every ingested input in {@code metrics} from now on. */
    public void recordTo(CollectorMetrics metrics) {
        this.metrics = metrics;
    }

    /** The spool records go to. */
    public Spool spool() {
        return spool;
    }

    /**
     * Parses {@code body} as {@code format} and spools the result durably.
     *
     * @param inputName  where it came from, for messages and DLQ headers ({@code http:ops}, a file path)
     * @param positions  input positions to store atomically with the records (file watcher), or empty
     * @throws Refused            ({@link Mode#REQUEST} only) nothing usable, or too many bad items: nothing stored
     * @throws SpoolFullException when the spool is full: nothing was stored
     * @throws IOException        when the spool cannot be written: nothing was stored
     */
    public ParseResult ingest(InputFormat format, byte[] body, String inputName, Map<String, Long> positions,
                              Mode mode) throws IOException, Refused {
        if (spool.size() >= maxSpooled) {
            throw new SpoolFullException("the collector's spool holds " + spool.size() + " records (maximum "
                    + maxSpooled + ") because Kafka has not taken them yet; retry later");
        }
        Instant now = clock.instant();
        ParseResult result = Parsers.of(format)
                .parse(new ByteArrayInputStream(body), new ParseContext(deviceIds, now, inputName));
        if (mode == Mode.REQUEST) {
            if (!result.allProblemsKept()) {
                throw new Refused(result.rejected() + " items could not be read (more than "
                        + ParseResult.MAX_PROBLEMS + "): the request is refused as a whole, nothing was stored; "
                        + "is it really " + format.id() + "?", result);
            }
            if (result.accepted() == 0 && result.skipped() == 0) {
                throw new Refused(result.rejected() == 0 ? "the body holds no " + format.id() + " item"
                        : "no item of the body could be read as " + format.id() + "; nothing was stored", result);
            }
        }
        Map<Long, Problem> tooLarge = new java.util.TreeMap<>();
        List<Outgoing> records = new ArrayList<>(result.records().size());
        for (ParseResult.Line line : result.records()) {
            Outgoing outgoing = Outgoing.of(line.record(), topics);
            if (outgoing.size() > maxRecordBytes) {
                tooLarge.putIfAbsent(line.line(), new Problem(line.line(), null, "the record is " + outgoing.size()
                        + " bytes; at most " + maxRecordBytes + " are accepted (collector.max.record.bytes)"));
            }
            records.add(outgoing);
        }
        if (!tooLarge.isEmpty()) {
            List<Outgoing> kept = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                if (!tooLarge.containsKey(result.records().get(i).line())) {
                    kept.add(records.get(i));
                }
            }
            records = kept;
            result = result.withRejected(tooLarge);
        }
        List<Outgoing> batch = new ArrayList<>(records.size() + result.problems().size());
        batch.addAll(records);
        if (!result.problems().isEmpty()) {
            batch.addAll(deadLetters(format, body, inputName, result, now));
        }
        if (!result.allProblemsKept() && keepPayload) {
            batch.addAll(wholeInput(format, body, inputName, result, now));
        }
        if (spool.size() + batch.size() > maxSpooled && mode == Mode.REQUEST) {
            throw new SpoolFullException("the collector's spool is nearly full (" + spool.size() + " of "
                    + maxSpooled + " records) because Kafka has not taken them yet; retry later");
        }
        if (!batch.isEmpty() || !positions.isEmpty()) {
            spool.append(batch, positions);
        }
        CollectorMetrics counts = metrics;
        if (counts != null) {
            counts.recordIngested(format, result);
        }
        return result;
    }

    /** The whole input as dead letters of at most {@link #MAX_DLQ_BYTES}, when not every problem could be kept. */
    private List<Outgoing> wholeInput(InputFormat format, byte[] body, String inputName, ParseResult result,
                                      Instant now) {
        List<Outgoing> letters = new ArrayList<>();
        int pieces = Math.max(1, (body.length + MAX_DLQ_BYTES - 1) / MAX_DLQ_BYTES);
        for (int piece = 0; piece < pieces; piece++) {
            byte[] part = java.util.Arrays.copyOfRange(body, piece * MAX_DLQ_BYTES,
                    Math.min(body.length, (piece + 1) * MAX_DLQ_BYTES));
            Map<String, String> headers = headers(format, inputName, 0, null, result.rejected()
                    + " items could not be read; this is piece " + (piece + 1) + " of " + pieces
                    + " of the whole input, kept because only the first " + ParseResult.MAX_PROBLEMS
                    + " problems have their own dead letter", now);
            letters.add(new Outgoing(topics.installEventsDlq.name(), inputName, now.toEpochMilli(), part, headers));
        }
        return letters;
    }

    private static Map<String, String> headers(InputFormat format, String inputName, long line, String field,
                                               String detail, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(DlqHeaders.REASON, DlqHeaders.REASON_INVALID);
        if (field != null) {
            headers.put(DlqHeaders.FIELD, abbreviate(field, 256));
        }
        headers.put(DlqHeaders.DETAIL, abbreviate(detail, 2048));
        headers.put(DlqHeaders.STAGE, "collector");
        headers.put(DlqHeaders.SOURCE_INPUT, abbreviate(inputName, 1024));
        headers.put(DlqHeaders.SOURCE_FORMAT, format.id());
        headers.put(DlqHeaders.SOURCE_LINE, Long.toString(line));
        headers.put(DlqHeaders.REJECTED_AT, now.toString());
        return headers;
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }

    /** One DLQ record per problem: the item's text (from its line to the next item's), with what was wrong. */
    private List<Outgoing> deadLetters(InputFormat format, byte[] body, String inputName, ParseResult result,
                                       Instant now) {
        String[] lines = keepPayload ? TextInput.decode(body).split("\n", -1) : new String[0];
        List<Outgoing> letters = new ArrayList<>();
        for (Problem problem : result.problems()) {
            byte[] text;
            boolean truncated = false;
            if (!keepPayload) {
                text = new byte[0];
            } else if (problem.line() == 0) {
                text = body;
            } else {
                long next = result.nextItemLine(problem.line());
                long end = next == 0 ? lines.length : next - 1;
                StringBuilder item = new StringBuilder();
                for (long i = problem.line(); i <= end && i <= lines.length; i++) {
                    item.append(lines[(int) (i - 1)]).append('\n');
                    if (item.length() > MAX_DLQ_BYTES) {
                        break;
                    }
                }
                text = item.toString().getBytes(StandardCharsets.UTF_8);
            }
            if (text.length > MAX_DLQ_BYTES) {
                text = java.util.Arrays.copyOf(text, MAX_DLQ_BYTES);
                truncated = true;
            }
            Map<String, String> headers = headers(format, inputName, problem.line(), problem.field(),
                    problem.message() + (truncated ? " (item truncated to 512 KiB)" : ""), now);
            letters.add(new Outgoing(topics.installEventsDlq.name(), inputName, now.toEpochMilli(), text, headers));
        }
        return letters;
    }
}
