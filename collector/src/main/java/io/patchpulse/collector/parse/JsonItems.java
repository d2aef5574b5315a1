package io.patchpulse.collector.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a JSON input into items, whatever shape the sender chose: NDJSON (one value per line), one pretty-printed
 * object over many lines ({@code ConvertTo-Json}), a top-level array of objects, or several of these in a row.
 * Each item is handed over with the line it starts on.
 *
 * <p>A syntax error becomes a {@link Problem} for the item it is in; reading resumes at the next line that starts
 * with <code>{</code> or {@code [}, so one broken line of an NDJSON batch costs only that line. A handler that
 * throws {@link BadField} rejects its item with that field; any other exception from a handler rejects the item
 * too (and is logged), so no input can stop the reading.
 */
public final class JsonItems {

    private static final Logger LOG = LoggerFactory.getLogger(JsonItems.class);

    /** Nesting and size limits: deep or huge values are hostile, not telemetry. */
    static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(64)
            .maxStringLength(1 << 20)
            .maxNumberLength(64)
            .build();

    /** The mapper parsers use to read trees; shares {@link #LIMITS}. */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().streamReadConstraints(LIMITS).build());

    /** Receives one item. */
    @FunctionalInterface
    public interface Handler {
        /** Handles the item starting on {@code line}, reporting it to the result builder (accept, skip, reject). */
        void item(long line, JsonNode item);
    }

    private JsonItems() {
    }

    /**
     * True when {@code start} (the first bytes of an input) reads as NDJSON: its first line is a complete JSON
     * object. Pretty-printed JSON ({@code ConvertTo-Json}) starts with a line holding only <code>{</code>, UTF-16
     * text with its zero bytes; such inputs must be read whole, not cut at line ends.
     */
    public static boolean isNdjson(byte[] start) {
        if (start.length >= 2 && ((start[0] & 0xFF) == 0xFF || (start[0] & 0xFF) == 0xFE)) {
            return false;
        }
        int end = 0;
        while (end < start.length && start[end] != '\n') {
            end++;
        }
        if (end == start.length && end > 0 && start.length >= 64 * 1024) {
            return false; // no line end in the first 64 KiB: not line-oriented
        }
        try {
            JsonNode first = MAPPER.readTree(TextInput.decode(java.util.Arrays.copyOf(start, end)));
            return first != null && first.isObject();
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads all items of {@code input}. */
    public static void read(InputStream input, ParseResult.Builder result, Handler handler) throws IOException {
        read(TextInput.read(input), result, handler);
    }

    /** Reads all items of {@code text}. */
    public static void read(String text, ParseResult.Builder result, Handler handler) {
        char[] chars = text.toCharArray();
        int[] lineStarts = lineStarts(chars);
        int offset = 0;
        while (offset < chars.length) {
            final int start = offset;
            long itemLine = lineOf(lineStarts, offset) + 1;
            try (JsonParser parser = MAPPER.getFactory().createParser(chars, offset, chars.length - offset)) {
                JsonToken token;
                while ((token = parser.nextToken()) != null) {
                    itemLine = line(lineStarts, start, parser.currentTokenLocation());
                    if (token == JsonToken.START_ARRAY) {
                        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                            if (token == null) {
                                throw new com.fasterxml.jackson.core.JsonParseException(parser,
                                        "unexpected end of input inside the top-level array");
                            }
                            itemLine = line(lineStarts, start, parser.currentTokenLocation());
                            deliver(itemLine, parser.readValueAsTree(), result, handler);
                            itemLine = nextLine(chars, lineStarts, start, parser);
                        }
                    } else {
                        deliver(itemLine, parser.readValueAsTree(), result, handler);
                    }
                    itemLine = nextLine(chars, lineStarts, start, parser);
                }
                return;
            } catch (JsonProcessingException e) {
                long errorLine = e.getLocation() == null ? itemLine : line(lineStarts, start, e.getLocation());
                result.reject(Math.max(itemLine, 1), null, "not valid JSON: " + e.getOriginalMessage()
                        + (errorLine != itemLine ? " (at line " + errorLine + ")" : ""));
                // Resume right after the broken item's first line, not after the error: a line cut short makes
                // Jackson fail only on the next line, which is an intact item of its own.
                // Only a line indented no deeper than the broken item can start the next item: in pretty-printed
                // JSON the deeper lines opening with { are the broken item's own members.
                offset = nextItemStart(chars, lineStarts, (int) itemLine, indent(chars, lineStarts, (int) itemLine));
            } catch (IOException e) {
                throw new IllegalStateException("reading JSON from memory cannot fail with I/O", e);
            }
        }
    }

    /**
     * The line of the next thing after the parser's position (blanks and commas skipped): where the next item
     * starts, so that an item whose very first character is wrong is reported on its own line, not on the line of
     * the item before it (whose text its dead letter would then carry).
     */
    private static long nextLine(char[] chars, int[] lineStarts, int start, JsonParser parser) {
        long offset = parser.currentLocation().getCharOffset();
        if (offset < 0) {
            return lineOf(lineStarts, start) + 1;
        }
        int p = (int) Math.min(chars.length, start + offset);
        while (p < chars.length && (Character.isWhitespace(chars[p]) || chars[p] == ',')) {
            p++;
        }
        return lineOf(lineStarts, Math.min(p, Math.max(0, chars.length - 1))) + 1;
    }

    private static void deliver(long line, JsonNode node, ParseResult.Builder result, Handler handler) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        try {
            handler.item(line, node);
        } catch (BadField e) {
            result.reject(e.at(line));
        } catch (RuntimeException e) {
            LOG.warn("Parser failed on the item at line {}; it is rejected: {}", line, e.toString());
            LOG.debug("Parser failure at line {}", line, e);
            result.reject(line, null, "could not be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /**
     * Offset of the first line after 1-based {@code line} that starts, after at most {@code maxIndent} blanks, with
     * an object or array.
     */
    private static int nextItemStart(char[] chars, int[] lineStarts, int line, int maxIndent) {
        for (int i = line; i < lineStarts.length; i++) {
            int p = lineStarts[i];
            while (p < chars.length && (chars[p] == ' ' || chars[p] == '\t')) {
                p++;
            }
            if (p - lineStarts[i] <= maxIndent && p < chars.length && (chars[p] == '{' || chars[p] == '[')) {
                return lineStarts[i];
            }
        }
        return chars.length;
    }

    /** Blanks before the first character of 1-based {@code line}. */
    private static int indent(char[] chars, int[] lineStarts, int line) {
        if (line < 1 || line > lineStarts.length) {
            return 0;
        }
        int start = lineStarts[line - 1];
        int p = start;
        while (p < chars.length && (chars[p] == ' ' || chars[p] == '\t')) {
            p++;
        }
        return p - start;
    }

    private static int[] lineStarts(char[] chars) {
        int[] starts = new int[64];
        int count = 1;
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] == '\n') {
                if (count == starts.length) {
                    starts = java.util.Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            }
        }
        return java.util.Arrays.copyOf(starts, count);
    }

    /**
     * The 1-based line of a parser location, from its character offset: a line ends at {@code \n} only, as in
     * {@code sed -n Np} (Jackson's own line numbers also break at a lone {@code \r}).
     */
    private static long line(int[] lineStarts, int start, com.fasterxml.jackson.core.JsonLocation location) {
        long offset = location.getCharOffset();
        if (offset < 0) {
            return lineOf(lineStarts, start) + 1;
        }
        return lineOf(lineStarts, (int) Math.min(Integer.MAX_VALUE, start + offset)) + 1;
    }

    private static int lineOf(int[] lineStarts, int offset) {
        int index = java.util.Arrays.binarySearch(lineStarts, offset);
        return index >= 0 ? index : -index - 2;
    }
}
