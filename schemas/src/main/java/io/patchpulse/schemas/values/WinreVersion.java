package io.patchpulse.schemas.values;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WinRE image version such as {@code 10.0.19041.3920}. "Fixed" is decided by comparing these (DOMAIN.md rule 6),
 * never by KB number alone.
 */
public record WinreVersion(int major, int minor, int build, int revision) implements Comparable<WinreVersion> {

    /** WinRE version at or above which Windows 10 21H2/22H2 counts as fixed after KB5034441. */
    public static final WinreVersion WINDOWS_10_FIXED = new WinreVersion(10, 0, 19041, 3920);

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,5})\\.(\\d{1,5})\\.(\\d{1,6})\\.(\\d{1,6})");
    private static final Comparator<WinreVersion> ORDER = Comparator.comparingInt(WinreVersion::major)
            .thenComparingInt(WinreVersion::minor)
            .thenComparingInt(WinreVersion::build)
            .thenComparingInt(WinreVersion::revision);

    /** Parses {@code a.b.c.d}; surrounding text is ignored ("Version: 10.0.19041.3920"). */
    public static Optional<WinreVersion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.find()) {
            return Optional.empty();
        }
        return Optional.of(new WinreVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                Integer.parseInt(matcher.group(3)), Integer.parseInt(matcher.group(4))));
    }

    /** True when this version is at or above {@code fixed}. */
    public boolean isAtLeast(WinreVersion fixed) {
        return compareTo(fixed) >= 0;
    }

    @Override
    public int compareTo(WinreVersion other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + build + "." + revision;
    }
}
