package io.patchpulse.collector.parse;

import com.fasterxml.jackson.core.JsonLocation;
import java.util.Arrays;

/**
 * Line numbers of a text as every position the collector reports counts them: a line ends at {@code \n} only, as
 * in {@code sed -n Np} and as the ingest path cuts a rejected item's text for its dead letter. Jackson's own line
 * numbers also break at a lone {@code \r}, so after one stray carriage return they point at the wrong line (and the
 * dead letter would carry a neighbour's text); positions are therefore taken from the character offset.
 */
public final class LineIndex {

    private final int[] starts;

    /** The index of {@code text}. */
    public LineIndex(CharSequence text) {
        int[] found = new int[64];
        int count = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                if (count == found.length) {
                    found = Arrays.copyOf(found, count * 2);
                }
                found[count++] = i + 1;
            }
        }
        this.starts = Arrays.copyOf(found, count);
    }

    /** The 1-based line of character {@code offset}. */
    public long lineOf(long offset) {
        int index = Arrays.binarySearch(starts, (int) Math.max(0, Math.min(Integer.MAX_VALUE, offset)));
        return (index >= 0 ? index : -index - 2) + 1L;
    }

    /**
     * The 1-based line of a Jackson location in a parser that started at character {@code start} of the text;
     * {@code fallback} when the location has no character offset.
     */
    public long lineOf(JsonLocation location, int start, long fallback) {
        if (location == null || location.getCharOffset() < 0) {
            return fallback;
        }
        return lineOf(start + location.getCharOffset());
    }
}
