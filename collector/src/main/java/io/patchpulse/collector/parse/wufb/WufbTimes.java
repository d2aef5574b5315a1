package io.patchpulse.collector.parse.wufb;

import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.JsonFields;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the date-times of WUfB report exports in every spelling they come in. Log Analytics stores them in UTC;
 * the spelling depends on the route out:
 *
 * <ul>
 *   <li>API, Kusto and {@code az} exports: ISO-8601, Kusto with 7 fractional digits ({@code 2024-01-09T18:04:11.1230000Z});
 *       a value without offset is UTC.</li>
 *   <li>Portal "Export to CSV": the browser's display format, US English {@code 1/9/2024, 6:04:11.123 PM}, under a
 *       header that names the zone ({@code TimeGenerated [UTC]}, or {@code [UTC+01:00]} when the portal displays
 *       another zone). Microsoft's schema pages show {@code 2020/05/14 09:26:03.478 AM}, accepted too; so is the
 *       day-first dotted form a German Excel writes when it saves the file again ({@code 09.01.2024 18:04:11}).
 *       Slashed dates are month first (the portal's en-US form): a day-first slashed date cannot be told apart.</li>
 *   <li>A file that went through Excel: an OLE Automation date serial ({@code 45300.7528}, days since 1899-12-30),
 *       as the schema pages show for {@code StartTime}.</li>
 *   <li>{@code ConvertTo-Json} of Windows PowerShell 5.1: {@code /Date(1704823451123)/}.</li>
 * </ul>
 * A header zone that gives no offset ({@code [Local Time]}) makes its column unreadable: guessing an offset would
 * shift every event by hours. Precision is cut to milliseconds (the {@code InstallEvent} field holds milliseconds,
 * and the same instant must give the same event id whether the portal or the API wrote it).
 */
final class WufbTimes {

    private static final String TIME = "(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?(?:\\s*([AaPp])\\.?[Mm]\\.?)?";
    private static final Pattern ISO = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?\\s*(Z|z|UTC|[+-]\\d{2}(?::?\\d{2})?)?");
    private static final Pattern MONTH_FIRST = Pattern.compile("(\\d{1,2})/(\\d{1,2})/(\\d{4}),?\\s+" + TIME);
    private static final Pattern YEAR_FIRST = Pattern.compile("(\\d{4})/(\\d{1,2})/(\\d{1,2}),?\\s+" + TIME);
    private static final Pattern DAY_FIRST_DOTTED = Pattern.compile("(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4}),?\\s+" + TIME);
    private static final Pattern OLE_SERIAL = Pattern.compile("\\d{5}(?:\\.\\d{1,15})?");
    private static final Pattern PS_DATE = Pattern.compile("\\\\?/Date\\((-?\\d{1,15})(?:[+-]\\d{4})?\\)\\\\?/");
    private static final Pattern ZONE_LABEL = Pattern.compile("(?:UTC|GMT)\\s*(?:([+-])(\\d{1,2})(?::?(\\d{2}))?)?",
            Pattern.CASE_INSENSITIVE);
    private static final LocalDate OLE_EPOCH = LocalDate.of(1899, 12, 30);
    private static final long MILLIS_PER_DAY = 86_400_000L;

    static final String EXPECTED = "expected a date-time such as 2024-01-09T18:04:11.123Z or 1/9/2024, 6:04:11.123 PM";

    private WufbTimes() {
    }

    /**
     * The instant {@code text} stands for, read in column {@code column} whose header named {@code zoneLabel} (null
     * when it named none: UTC, as Log Analytics stores it).
     *
     * @throws BadField naming {@code column} when the text is no date-time in a known spelling
     */
    static Instant parse(String text, String zoneLabel, String column) {
        String value = text.strip();
        Matcher ps = PS_DATE.matcher(value);
        if (ps.matches()) {
            return Instant.ofEpochMilli(Long.parseLong(ps.group(1)));
        }
        if (OLE_SERIAL.matcher(value).matches()) {
            return fromOleSerial(value, zoneLabel, column);
        }
        try {
            Matcher iso = ISO.matcher(value);
            if (iso.matches()) {
                LocalDateTime local = LocalDateTime.of(LocalDate.of(num(iso, 1), num(iso, 2), num(iso, 3)),
                        time(num(iso, 4), num(iso, 5), iso.group(6), iso.group(7), null));
                String zone = iso.group(8);
                ZoneOffset offset = zone == null ? offset(zoneLabel, column) : isoOffset(zone);
                return local.toInstant(offset).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            }
            Matcher m = MONTH_FIRST.matcher(value);
            if (m.matches()) {
                return local(num(m, 3), num(m, 1), num(m, 2), m, zoneLabel, column);
            }
            m = YEAR_FIRST.matcher(value);
            if (m.matches()) {
                return local(num(m, 1), num(m, 2), num(m, 3), m, zoneLabel, column);
            }
            m = DAY_FIRST_DOTTED.matcher(value);
            if (m.matches()) {
                return local(num(m, 3), num(m, 2), num(m, 1), m, zoneLabel, column);
            }
        } catch (DateTimeException e) {
            throw new BadField(column, "not a valid date-time: '" + JsonFields.abbreviate(value) + "' ("
                    + e.getMessage() + ")");
        }
        throw new BadField(column, EXPECTED + ", got '" + JsonFields.abbreviate(value) + "'");
    }

    /** The UTC offset a header zone label such as {@code UTC} or {@code UTC+01:00} names. */
    static ZoneOffset offset(String zoneLabel, String column) {
        if (zoneLabel == null) {
            return ZoneOffset.UTC;
        }
        Matcher m = ZONE_LABEL.matcher(zoneLabel.strip());
        if (!m.matches()) {
            throw new BadField(column, "the header gives the time zone of this column as '"
                    + JsonFields.abbreviate(zoneLabel) + "', which names no UTC offset; export with the portal's "
                    + "display time zone set to UTC");
        }
        if (m.group(1) == null) {
            return ZoneOffset.UTC;
        }
        int hours = Integer.parseInt(m.group(2));
        int minutes = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        int sign = m.group(1).equals("-") ? -1 : 1;
        try {
            return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
        } catch (DateTimeException e) {
            throw new BadField(column, "the header gives the time zone of this column as '"
                    + JsonFields.abbreviate(zoneLabel) + "', which is no valid UTC offset");
        }
    }

    private static Instant local(int year, int month, int day, Matcher m, String zoneLabel, String column) {
        // The time groups follow the three date groups.
        LocalTime time = time(num(m, 4), num(m, 5), m.group(6), m.group(7), m.group(8));
        return LocalDateTime.of(LocalDate.of(year, month, day), time).toInstant(offset(zoneLabel, column))
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private static LocalTime time(int hour, int minute, String second, String fraction, String amPm) {
        int h = hour;
        if (amPm != null) {
            if (hour < 1 || hour > 12) {
                throw new DateTimeException("hour " + hour + " with AM/PM");
            }
            boolean pm = amPm.toUpperCase(Locale.ROOT).equals("P");
            h = hour % 12 + (pm ? 12 : 0);
        }
        int nanos = 0;
        if (fraction != null) {
            nanos = Integer.parseInt((fraction + "00000000").substring(0, 9));
        }
        return LocalTime.of(h, minute, second == null ? 0 : Integer.parseInt(second), nanos);
    }

    private static ZoneOffset isoOffset(String zone) {
        if (zone.equalsIgnoreCase("Z") || zone.equalsIgnoreCase("UTC")) {
            return ZoneOffset.UTC;
        }
        String digits = zone.substring(1).replace(":", "");
        int hours = Integer.parseInt(digits.substring(0, 2));
        int minutes = digits.length() > 2 ? Integer.parseInt(digits.substring(2)) : 0;
        int sign = zone.charAt(0) == '-' ? -1 : 1;
        return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
    }

    private static Instant fromOleSerial(String value, String zoneLabel, String column) {
        BigDecimal days = new BigDecimal(value);
        long millis = days.multiply(BigDecimal.valueOf(MILLIS_PER_DAY)).setScale(0, RoundingMode.HALF_UP).longValueExact();
        LocalDateTime local = OLE_EPOCH.atStartOfDay().plusNanos(Math.floorMod(millis, MILLIS_PER_DAY) * 1_000_000L)
                .plusDays(Math.floorDiv(millis, MILLIS_PER_DAY));
        return local.toInstant(offset(zoneLabel, column));
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }
}
