package io.patchpulse.sink.dashboard;

import io.patchpulse.schemas.values.KbId;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validation of the dashboard API's parameters. SQL is only ever built from values that passed these checks: a KB id
 * is {@code KB} and 6 or 7 digits, a device id a bounded set of characters without quotes or backslashes, a time an
 * {@link Instant} that is formatted anew, so no request text reaches QuestDB as it came.
 */
final class DashboardParameters {

    /** Longest device id accepted (Azure AD ids are 36, host names up to 255 in theory, 64 in practice). */
    static final int MAX_DEVICE_ID_LENGTH = 128;

    // Letters, digits and the punctuation of GUIDs (braced too), host names, FQDNs and osquery host identifiers.
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9{][A-Za-z0-9._:@{}-]{0,"
            + (MAX_DEVICE_ID_LENGTH - 1) + "}");

    private DashboardParameters() {
    }

    /** A required KB id in canonical form ({@code KB5034441}). */
    static String kb(String parameter, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidParameterException(parameter, "parameter '" + parameter + "' is required (a KB id such"
                    + " as KB5034441)");
        }
        if (!KbId.isCanonical(value)) {
            throw new InvalidParameterException(parameter, "parameter '" + parameter + "' must be a KB id: KB and 6"
                    + " or 7 digits, such as KB5034441; was '" + abbreviate(value) + "'");
        }
        return value;
    }

    /** A device id: letters, digits and {@code . _ : @ { } -}, starting with a letter, a digit or a brace. */
    static String deviceId(String parameter, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidParameterException(parameter, "parameter '" + parameter + "' is required (a device id)");
        }
        if (value.length() > MAX_DEVICE_ID_LENGTH) {
            throw new InvalidParameterException(parameter, "parameter '" + parameter + "' is " + value.length()
                    + " characters long; a device id has at most " + MAX_DEVICE_ID_LENGTH);
        }
        if (!DEVICE_ID.matcher(value).matches()) {
            throw new InvalidParameterException(parameter, "parameter '" + parameter + "' may hold only letters,"
                    + " digits and . _ : @ { } - (starting with a letter, a digit or {); was '"
                    + abbreviate(value) + "'");
        }
        return value;
    }

    /** An optional time: an ISO-8601 instant ({@code 2024-01-09T14:00:00Z}) or a UTC day ({@code 2024-01-09}). */
    static Optional<Instant> time(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            if (value.length() == 10) {
                return Optional.of(LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant());
            }
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw new InvalidParameterException(parameter, "parameter '" + parameter + "' must be an ISO-8601"
                    + " instant such as 2024-01-09T14:00:00Z or a day such as 2024-01-09; was '"
                    + abbreviate(value) + "'");
        }
    }

    /** A time range; {@code from} must be before {@code to} when both are given. */
    static TimeRange range(String from, String to) {
        TimeRange range = new TimeRange(time("from", from), time("to", to));
        if (range.from().isPresent() && range.to().isPresent() && !range.from().get().isBefore(range.to().get())) {
            throw new InvalidParameterException("from", "parameter 'from' (" + range.from().get()
                    + ") must be before 'to' (" + range.to().get() + ")");
        }
        return range;
    }

    private static String abbreviate(String value) {
        String shown = value.length() <= 40 ? value : value.substring(0, 40) + "...";
        // Control characters would garble the answer and logs.
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    /** A half-open time range [from, to); either end may be open. */
    record TimeRange(Optional<Instant> from, Optional<Instant> to) {

        static TimeRange all() {
            return new TimeRange(Optional.empty(), Optional.empty());
        }
    }
}
