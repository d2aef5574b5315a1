package io.patchpulse.collector.ingest;

import io.patchpulse.collector.identity.DeviceIds;
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
import java.util.TreeSet;

/**
 * The one path every input takes into the pipeline (HTTP requests, watched files): parse, then put the normalized
 * records and the rejected items (for the DLQ, with headers saying what was wrong and where) into the spool in one
 * synced write. When {@link #ingest} returns, everything it reports as accepted or rejected is durable; when it
 * throws, nothing of the input was stored and the sender must send it again.
 */
public final class Ingestor {

    /** A rejected item's text is kept up to this size in the DLQ (Kafka's default record limit is 1 MiB). */
    static final int MAX_DLQ_BYTES = 512 * 1024;

    /** Thrown when the spool holds its maximum: the sender should retry later (HTTP 503). */
    public static final class SpoolFullException extends IOException {
        SpoolFullException(String message) {
            super(message);
        }
    }

    private final Spool spool;
    private final Topics topics;
    private final DeviceIds deviceIds;
    private final long maxSpooled;
    private final Clock clock;

    public Ingestor(Spool spool, Topics topics, DeviceIds deviceIds, long maxSpooled, Clock clock) {
        this.spool = Objects.requireNonNull(spool, "spool");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.deviceIds = Objects.requireNonNull(deviceIds, "deviceIds");
        this.maxSpooled = maxSpooled;
        this.clock = Objects.requireNonNull(clock, "clock");
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
     * @throws SpoolFullException when the spool is full: nothing was stored
     * @throws IOException        when the spool cannot be written: nothing was stored
     */
    public ParseResult ingest(InputFormat format, byte[] body, String inputName, Map<String, Long> positions)
            throws IOException {
        if (spool.size() >= maxSpooled) {
            throw new SpoolFullException("the collector's spool holds " + spool.size() + " records (maximum "
                    + maxSpooled + ") because Kafka has not taken them yet; retry later");
        }
        Instant now = clock.instant();
        ParseResult result = Parsers.of(format)
                .parse(new ByteArrayInputStream(body), new ParseContext(deviceIds, now, inputName));
        List<Outgoing> batch = new ArrayList<>(result.records().size() + result.problems().size());
        for (ParseResult.Line line : result.records()) {
            batch.add(Outgoing.of(line.record(), topics));
        }
        if (!result.problems().isEmpty()) {
            batch.addAll(deadLetters(format, body, inputName, result, now));
        }
        if (!batch.isEmpty() || !positions.isEmpty()) {
            spool.append(batch, positions);
        }
        return result;
    }

    /** One DLQ record per problem: the item's text (from its line to the next item's), with what was wrong. */
    private List<Outgoing> deadLetters(InputFormat format, byte[] body, String inputName, ParseResult result,
                                       Instant now) {
        String[] lines = TextInput.decode(body).split("\n", -1);
        TreeSet<Long> starts = new TreeSet<>();
        result.records().forEach(r -> starts.add(r.line()));
        result.problems().forEach(p -> starts.add(p.line()));
        List<Outgoing> letters = new ArrayList<>();
        for (Problem problem : result.problems()) {
            byte[] text;
            boolean truncated = false;
            if (problem.line() == 0) {
                text = body;
            } else {
                Long next = starts.higher(problem.line());
                long end = next == null ? lines.length : next - 1;
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
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(DlqHeaders.REASON, DlqHeaders.REASON_INVALID);
            if (problem.field() != null) {
                headers.put(DlqHeaders.FIELD, problem.field());
            }
            headers.put(DlqHeaders.DETAIL, problem.message() + (truncated ? " (item truncated to 512 KiB)" : ""));
            headers.put(DlqHeaders.STAGE, "collector");
            headers.put(DlqHeaders.SOURCE_INPUT, inputName);
            headers.put(DlqHeaders.SOURCE_FORMAT, format.id());
            headers.put(DlqHeaders.SOURCE_LINE, Long.toString(problem.line()));
            headers.put(DlqHeaders.REJECTED_AT, now.toString());
            letters.add(new Outgoing(topics.installEventsDlq.name(), inputName, now.toEpochMilli(), text, headers));
        }
        return letters;
    }
}
