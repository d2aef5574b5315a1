package io.patchpulse.collector.parse.eventxml;

import io.patchpulse.collector.parse.TextInput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text-level work on an event XML input before any XML parser sees it: decoding, the DTD check, finding where each
 * {@code <Event>} starts, telling harmless text between events from foreign content, and line numbers. All of it
 * is a single linear pass (no backtracking regular expressions on input of unbounded size).
 */
final class EventXmlText {

    /** {@code <!DOCTYPE} or {@code <!ENTITY}, in any case and with blanks after {@code <!}. */
    private static final Pattern DECLARATION = Pattern.compile("<!\\s*(?:DOCTYPE|ENTITY)", Pattern.CASE_INSENSITIVE);

    private EventXmlText() {
    }

    /**
     * The text of {@code bytes}: UTF-8 or UTF-16 by byte-order mark ({@link TextInput}), and UTF-16 without a BOM
     * when the first character is {@code <} or a blank with a zero byte beside it (a redirected {@code wevtutil}
     * or a hand-saved file). The XML declaration's {@code encoding} is ignored on purpose: Event Viewer writes
     * {@code encoding="UTF-16"} and PowerShell often saves that same text as UTF-8.
     */
    static String decode(byte[] bytes) {
        if (bytes.length >= 2 && !hasBom(bytes)) {
            if (bytes[1] == 0 && isXmlStart(bytes[0])) {
                return new String(bytes, StandardCharsets.UTF_16LE); // the String constructor replaces bad units
            }
            if (bytes[0] == 0 && isXmlStart(bytes[1])) {
                return new String(bytes, StandardCharsets.UTF_16BE);
            }
        }
        return TextInput.decode(bytes);
    }

    private static boolean hasBom(byte[] bytes) {
        int b0 = bytes[0] & 0xFF;
        int b1 = bytes[1] & 0xFF;
        return (b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF) || (b0 == 0xEF && b1 == 0xBB);
    }

    private static boolean isXmlStart(byte b) {
        return b == '<' || b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /** Offset of the first document type or entity declaration, or -1. */
    static int declarationAt(String text) {
        Matcher matcher = DECLARATION.matcher(text);
        return matcher.find() ? matcher.start() : -1;
    }

    /**
     * Offsets where an {@code <Event>} element starts ({@code <Event} followed by a blank, {@code >}, {@code /} or
     * the end of the text; {@code <Events>} and {@code <EventData>} are not events). Comments, CDATA sections and
     * processing instructions are stepped over, so an {@code <Event} inside them does not count.
     */
    static int[] eventStarts(String text) {
        int[] starts = new int[16];
        int count = 0;
        int i = 0;
        int length = text.length();
        while (i < length) {
            int lt = text.indexOf('<', i);
            if (lt < 0) {
                break;
            }
            if (text.startsWith("<!--", lt)) {
                i = skipPast(text, lt + 4, "-->");
            } else if (text.startsWith("<![CDATA[", lt)) {
                i = skipPast(text, lt + 9, "]]>");
            } else if (text.startsWith("<?", lt)) {
                i = skipPast(text, lt + 2, "?>");
            } else {
                if (text.startsWith("<Event", lt) && endsName(text, lt + 6)) {
                    if (count == starts.length) {
                        starts = Arrays.copyOf(starts, count * 2);
                    }
                    starts[count++] = lt;
                }
                i = lt + 1;
            }
        }
        return Arrays.copyOf(starts, count);
    }

    /**
     * Offset of the first character in {@code [from, to)} that is neither blank nor one of the things allowed
     * between events: the XML declaration and other processing instructions, comments, and the {@code <Events>}
     * wrapper's tags (Event Viewer, {@code wevtutil qe /e:Events}, files concatenated with their wrappers);
     * -1 when there is none.
     */
    static int foreignContent(String text, int from, int to) {
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '\uFEFF') {
                i++;
            } else if (text.startsWith("<?", i)) {
                int end = text.indexOf("?>", i + 2);
                if (end < 0 || end + 2 > to) {
                    return i;
                }
                i = end + 2;
            } else if (text.startsWith("<!--", i)) {
                int end = text.indexOf("-->", i + 4);
                if (end < 0 || end + 3 > to) {
                    return i;
                }
                i = end + 3;
            } else if ((text.startsWith("<Events", i) && endsName(text, i + 7))
                    || (text.startsWith("</Events", i) && endsName(text, i + 8))) {
                int end = text.indexOf('>', i);
                if (end < 0 || end + 1 > to) {
                    return i;
                }
                i = end + 1;
            } else {
                return i;
            }
        }
        return -1;
    }

    private static boolean endsName(String text, int at) {
        if (at >= text.length()) {
            return true;
        }
        char c = text.charAt(at);
        return c == '>' || c == '/' || Character.isWhitespace(c);
    }

    private static int skipPast(String text, int from, String end) {
        int at = text.indexOf(end, from);
        return at < 0 ? text.length() : at + end.length();
    }

    /** At most 40 characters of {@code text} from {@code offset}, up to the end of its line, for messages. */
    static String snippet(String text, int offset) {
        int lineEnd = text.indexOf('\n', offset);
        if (lineEnd < 0) {
            lineEnd = text.length();
        }
        int stop = Math.min(lineEnd, offset + 40);
        String part = text.substring(offset, stop).strip();
        return stop < lineEnd ? part + "..." : part;
    }

    /** 1-based line numbers of offsets in one text. */
    static final class Lines {
        private final int[] starts;

        Lines(String text) {
            int[] found = new int[64];
            int count = 0;
            found[count++] = 0;
            for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
                if (count == found.length) {
                    found = Arrays.copyOf(found, count * 2);
                }
                found[count++] = i + 1;
            }
            this.starts = Arrays.copyOf(found, count);
        }

        /** Offset of the first character of 1-based {@code line}. */
        int startOf(long line) {
            return starts[(int) line - 1];
        }

        /** The 1-based line of {@code offset}. */
        long lineOf(int offset) {
            int index = Arrays.binarySearch(starts, offset);
            return (index >= 0 ? index : -index - 2) + 1L;
        }
    }
}
