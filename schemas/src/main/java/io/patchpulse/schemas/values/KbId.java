package io.patchpulse.schemas.values;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Microsoft knowledge-base article number such as {@code KB5034441}, the id of an update.
 *
 * <p>Update titles are localized ("2024-01 Security Update ..." / "Mise à jour de sécurité ..."), so the KB number is
 * found by pattern ({@code KB} followed by 6 or 7 digits), never by matching whole titles.
 */
public final class KbId {

    /** The cohort value used when an event names no KB. */
    public static final String UNKNOWN = "unknown";

    private static final Pattern IN_TEXT = Pattern.compile("(?<![A-Za-z0-9])KB\\s?(\\d{6,7})(?!\\d)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CANONICAL = Pattern.compile("KB\\d{6,7}");

    private KbId() {
    }

    /** The first KB number in {@code text} (a title, a file name, "kb5034441"), in canonical form. */
    public static Optional<String> extract(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = IN_TEXT.matcher(text);
        return matcher.find() ? Optional.of("KB" + matcher.group(1)) : Optional.empty();
    }

    /** True when {@code text} is exactly a canonical KB id. */
    public static boolean isCanonical(String text) {
        return text != null && CANONICAL.matcher(text).matches();
    }

    /** Canonical form of a bare KB reference such as {@code "5034441"} or {@code "kb5034441"}. */
    public static Optional<String> normalize(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String stripped = text.strip();
        if (stripped.chars().allMatch(Character::isDigit) && stripped.length() >= 6 && stripped.length() <= 7) {
            return Optional.of("KB" + stripped);
        }
        return extract(stripped.toUpperCase(Locale.ROOT));
    }
}
