package io.patchpulse.collector.parse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a whole input as text the way Windows tools write it: UTF-8 (with or without BOM), or UTF-16 with a BOM
 * (Windows PowerShell 5.1's {@code Out-File} and {@code >} write UTF-16 LE). Bytes that are not valid in the
 * encoding become U+FFFD instead of failing the input, so one bad line cannot take its neighbours with it.
 */
public final class TextInput {

    private TextInput() {
    }

    /** The text of all of {@code input}. */
    public static String read(InputStream input) throws IOException {
        return decode(input.readAllBytes());
    }

    /** {@code bytes} as text, by their byte-order mark (UTF-8 when there is none). */
    public static String decode(byte[] bytes) {
        Charset charset = StandardCharsets.UTF_8;
        int skip = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            skip = 3;
        } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
            skip = 2;
        } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
            skip = 2;
        }
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes, skip, bytes.length - skip))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder cannot fail", e);
        }
    }
}
