package io.patchpulse.schemas.values;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Windows HRESULT in its one canonical spelling: {@code 0x} followed by 8 upper-case hex digits.
 *
 * <p>Sources spell the same code three ways (DOMAIN.md rule 2): hex {@code 0x80070643}, signed int32
 * {@code -2147023293} (osquery, WMI) and unsigned {@code 2147944003}. All three normalize to {@code 0x80070643}.
 * A string of digits only is read as decimal, except exactly 8 digits: {@code 80070643} is as likely an HRESULT
 * written without its {@code 0x} as the decimal number 80,070,643, so it is not guessed at (callers keep it raw).
 * Hex without the prefix is accepted only when it holds a hex letter ({@code 800F0828}).
 */
public record ErrorCode(int value) {

    /** ERROR_INSTALL_FAILURE: the generic code Windows Update shows for failed WinRE updates. */
    public static final ErrorCode INSTALL_FAILURE = new ErrorCode(0x80070643);
    /** CBS_E_INSUFFICIENT_DISK_SPACE: the real servicing error behind most WinRE 0x80070643 failures. */
    public static final ErrorCode CBS_INSUFFICIENT_DISK_SPACE = new ErrorCode(0x800F0828);

    private static final Pattern HEX_PREFIXED = Pattern.compile("0[xX][0-9a-fA-F]{1,8}");
    private static final Pattern HEX_BARE = Pattern.compile("[0-9a-fA-F]{1,8}");
    private static final Pattern BARE_EIGHT_DIGITS = Pattern.compile("\\d{8}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d{1,10}");

    /**
     * Parses any of the accepted spellings.
     *
     * @return the code, or empty when the text is not an HRESULT in a known spelling (callers keep the raw text)
     */
    public static Optional<ErrorCode> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String text = raw.strip();
        if (HEX_PREFIXED.matcher(text).matches()) {
            return Optional.of(new ErrorCode(Integer.parseUnsignedInt(text.substring(2), 16)));
        }
        if (BARE_EIGHT_DIGITS.matcher(text).matches()) {
            return Optional.empty(); // hex without 0x, or decimal? Ambiguous: keep it raw rather than guess.
        }
        if (DECIMAL.matcher(text).matches()) {
            long number = Long.parseLong(text);
            if (number < Integer.MIN_VALUE || number > 0xFFFF_FFFFL) {
                return Optional.empty();
            }
            return Optional.of(new ErrorCode((int) number));
        }
        if (HEX_BARE.matcher(text).matches()) {
            return Optional.of(new ErrorCode(Integer.parseUnsignedInt(text, 16)));
        }
        return Optional.empty();
    }

    /** The canonical spelling of {@code raw}, or empty when it cannot be read as an HRESULT. */
    public static Optional<String> normalize(String raw) {
        return parse(raw).map(ErrorCode::canonical);
    }

    /** True when {@code text} is already in canonical form. */
    public static boolean isCanonical(String text) {
        return text != null && text.length() == 10 && text.startsWith("0x")
                && parse(text).map(code -> code.canonical().equals(text)).orElse(false);
    }

    /** {@code 0x} plus 8 upper-case hex digits. */
    public String canonical() {
        return String.format(Locale.ROOT, "0x%08X", value);
    }

    @Override
    public String toString() {
        return canonical();
    }
}
