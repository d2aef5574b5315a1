package io.patchpulse.collector.parse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The sample files of every format ({@code src/test/resources/samples/<format>/}, their origin in each folder's
 * SOURCES.md) and parsing in tests without checked exceptions.
 */
public final class Samples {

    private Samples() {
    }

    /** The bytes of {@code samples/<path>}, for example {@code osquery/snapshot.results.log}. */
    public static byte[] bytes(String path) {
        try (InputStream in = Samples.class.getResourceAsStream("/samples/" + path)) {
            if (in == null) {
                throw new IllegalStateException("no sample " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sample as UTF-8 text. */
    public static String text(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    /** What {@code parser} makes of {@code input}. */
    public static ParseResult parse(FormatParser parser, byte[] input, ParseContext context) {
        try {
            return parser.parse(new ByteArrayInputStream(input), context);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
    }
}
