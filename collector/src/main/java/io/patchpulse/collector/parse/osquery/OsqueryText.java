package io.patchpulse.collector.parse.osquery;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Undoes osquery's byte escaping. Before 5.22 (osquery PR #8777) the scheduler wrote every byte of a string column
 * below 0x20 or above 0x7F as the four characters {@code \xHH}, so the German "für" arrives as {@code f\xC3\xBCr}
 * (osquery issues #7175, #7614). A run of such escapes that spells valid UTF-8 is turned back into its characters.
 */
final class OsqueryText {

    private OsqueryText() {
    }

    /**
     * {@code text} with every run of {@code \xHH} escapes that is a complete UTF-8 sequence of non-ASCII bytes
     * decoded; anything else (a real backslash, a lone byte) is left as it was. Null stays null.
     */
    static String decodeByteEscapes(String text) {
        return decode(text, false);
    }

    /**
     * The same for JSON text (the {@code data} column of {@code windows_eventlog}, where a raw {@code \x} makes the
     * JSON invalid): an escaped backslash ({@code \\x41}) is left alone, and every run of byte escapes becomes valid
     * JSON: its UTF-8 characters (a malformed byte becomes U+FFFD), with control characters, quotes and backslashes
     * escaped as {@code \}{@code u00HH}.
     */
    static String decodeByteEscapesInJson(String json) {
        return decode(json, true);
    }

    private static String decode(String text, boolean json) {
        if (text == null || !text.contains("\\x")) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (isByteEscape(text, i)) {
                int start = i;
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                while (isByteEscape(text, i)) {
                    bytes.write(Integer.parseInt(text, i + 2, i + 4, 16));
                    i += 4;
                }
                if (json) {
                    appendJson(out, utf8(bytes.toByteArray(), CodingErrorAction.REPLACE));
                } else {
                    String decoded = nonAscii(bytes.toByteArray()) ? utf8(bytes.toByteArray(), CodingErrorAction.REPORT)
                            : null;
                    out.append(decoded != null ? decoded : text.substring(start, i));
                }
            } else if (json && c == '\\' && i + 1 < text.length()) {
                out.append(c).append(text.charAt(i + 1)); // a JSON escape such as \\ or \": never a byte escape
                i += 2;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isByteEscape(String text, int i) {
        return i + 3 < text.length() && text.charAt(i) == '\\' && text.charAt(i + 1) == 'x'
                && Character.digit(text.charAt(i + 2), 16) >= 0 && Character.digit(text.charAt(i + 3), 16) >= 0;
    }

    private static boolean nonAscii(byte[] bytes) {
        for (byte b : bytes) {
            if ((b & 0xFF) < 0x80) {
                return false;
            }
        }
        return true;
    }

    /** {@code bytes} as UTF-8; with {@code REPORT}, null when they are not valid UTF-8. */
    private static String utf8(byte[] bytes, CodingErrorAction onError) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(onError)
                .onUnmappableCharacter(onError);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void appendJson(StringBuilder out, String decoded) {
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
    }
}
