package io.patchpulse.collector.parse.agent;

import io.patchpulse.schemas.avro.WinreStatus;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code reagentc /info} says, read by structure because its labels (and on some builds its values) are
 * localized: the WinRE status, the {@code \\?\GLOBALROOT\device\harddiskN\partitionM\...} location with its disk and
 * partition numbers, and the BCD identifier (all zeros when WinRE is disabled).
 *
 * <p>The status is decided in this order:
 * <ol>
 *   <li>an explicit failure ({@code REAGENTC.EXE: Operation failed: 2}, {@code Unable to ...}, localized), or no
 *       recognisable line at all: {@link WinreStatus#UNKNOWN}, no location;</li>
 *   <li>structure, when it is decisive: a GLOBALROOT path and a non-zero BCD GUID is {@code ENABLED}; no path and an
 *       all-zero GUID is {@code DISABLED};</li>
 *   <li>otherwise the status token of the first field line (English {@code Enabled}/{@code Disabled}, which German and
 *       other builds often print untranslated, or a known translation such as {@code Aktiviert}/{@code Deaktiviert},
 *       {@code Activé}/{@code Désactivé});</li>
 *   <li>otherwise {@code UNKNOWN}.</li>
 * </ol>
 *
 * @param status    ENABLED / DISABLED / UNKNOWN
 * @param location  the Windows RE location as printed, or null (disabled, failed, not found)
 * @param disk      disk number from the location ({@code harddisk0} is 0), or null
 * @param partition partition number from the location ({@code partition4} is 4), or null
 * @param bcdId     the BCD identifier GUID in lower case without braces, or null
 */
record ReagentcInfo(WinreStatus status, String location, Integer disk, Integer partition, String bcdId) {

    private static final Pattern LOCATION = Pattern.compile(
            "\\\\\\\\\\?\\\\GLOBALROOT\\\\device\\\\harddisk(\\d{1,4})\\\\partition(\\d{1,4})(?:\\\\[^\\r\\n]*)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern GUID = Pattern.compile(
            "\\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\\}?");
    private static final String ZERO_GUID = "00000000-0000-0000-0000-000000000000";
    /** {@code REAGENTC.EXE: ...}: the closing line, success or not. */
    private static final Pattern CLOSING = Pattern.compile("^\\s*REAGENTC(?:\\.EXE)?\\s*:\\s*(.*)$",
            Pattern.CASE_INSENSITIVE);
    /** A {@code label: value} line of the information block (indented as printed; agents may trim it). */
    private static final Pattern FIELD = Pattern.compile("^\\s*([^:]{1,80}?)\\s*:\\s*(.*?)\\s*$");
    /** Longer lines are not reagentc's: skipped before any regular expression sees them (no quadratic backtracking). */
    private static final int MAX_LINE = 1024;

    // Known tokens; disabled ones are checked first because several contain the enabled word (Deaktiviert).
    private static final List<String> DISABLED = List.of("disabled", "deaktiviert", "désactivé", "desactive",
            "deshabilitado", "disabilitato", "uitgeschakeld", "wyłączone", "desabilitado", "無効");
    private static final List<String> ENABLED = List.of("enabled", "aktiviert", "activé",
            "habilitado", "abilitato", "ingeschakeld", "włączone", "有効");
    private static final List<String> SUCCESS = List.of("successful", "erfolgreich", "réussi", "reussi",
            "correctamente", "completata", "riuscita", "voltooid", "sucesso", "成功");
    private static final List<String> FAILURE = List.of("fail", "fehl", "échec", "echec", "error", "erreur",
            "errore", "unable", "impossible", "konnte nicht", "kann nicht", "no se pudo", "失敗");

    /** Nothing known: reagentc was not run or its output is not there. */
    static final ReagentcInfo UNKNOWN = new ReagentcInfo(WinreStatus.UNKNOWN, null, null, null, null);

    /** Reads the raw text of {@code reagentc /info}; never throws. */
    static ReagentcInfo parse(String text) {
        if (text == null || text.isBlank()) {
            return UNKNOWN;
        }
        String[] lines = text.split("\\R");
        boolean success = false;
        String winrePath = null;       // a location ending in \Recovery\WindowsRE: WinRE's own
        String afterStatusPath = null; // else the location on the field line right after the status line
        int valueLines = 0;
        boolean failure = false;
        String firstValue = null;
        String bcd = null;
        for (String line : lines) {
            if (line.length() > MAX_LINE) {
                continue; // no reagentc line is this long; regular expressions on it would only cost time
            }
            Matcher location = LOCATION.matcher(line);
            if (location.find()) {
                if (winrePath == null && location.group().strip().toLowerCase(Locale.ROOT)
                        .endsWith("\\recovery\\windowsre")) {
                    winrePath = location.group();
                }
                if (afterStatusPath == null && valueLines == 1) {
                    afterStatusPath = location.group();
                }
            }
            Matcher closing = CLOSING.matcher(line);
            if (closing.matches()) {
                String outcome = closing.group(1).toLowerCase(Locale.ROOT);
                if (containsAny(outcome, FAILURE)) {
                    failure = true;
                } else if (containsAny(outcome, SUCCESS)) {
                    success = true;
                }
                continue;
            }
            Matcher field = FIELD.matcher(line);
            if (field.matches()) {
                if (firstValue == null && !field.group(2).isEmpty()) {
                    firstValue = field.group(2);
                }
                if (firstValue != null) {
                    valueLines++;
                }
                if (bcd == null && field.group(1).contains("BCD")) {
                    Matcher guid = GUID.matcher(field.group(2));
                    if (guid.find()) {
                        bcd = guid.group(1).toLowerCase(Locale.ROOT);
                    }
                }
            }
        }
        // The status line comes first and WinRE's location right after it; other locations (the recovery image's)
        // come later and must not be taken for WinRE's partition.
        String chosen = winrePath != null ? winrePath : afterStatusPath;
        Matcher path = chosen == null ? null : LOCATION.matcher(chosen);
        boolean hasPath = path != null && path.find();
        WinreStatus token = firstValue == null ? null : token(firstValue);
        if (failure || (!success && !hasPath && bcd == null && token == null)) {
            return UNKNOWN;
        }
        WinreStatus status;
        if (hasPath && bcd != null && !ZERO_GUID.equals(bcd)) {
            status = WinreStatus.ENABLED;
        } else if (!hasPath && ZERO_GUID.equals(bcd)) {
            status = WinreStatus.DISABLED;
        } else {
            status = token == null ? WinreStatus.UNKNOWN : token;
        }
        if (!hasPath) {
            return new ReagentcInfo(status, null, null, null, bcd);
        }
        return new ReagentcInfo(status, path.group().strip(), Integer.valueOf(path.group(1)),
                Integer.valueOf(path.group(2)), bcd);
    }

    /** True when reagentc names a disk and partition. */
    boolean hasLocation() {
        return disk != null && partition != null;
    }

    private static WinreStatus token(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        if (startsWithAny(text, DISABLED)) {
            return WinreStatus.DISABLED;
        }
        if (startsWithAny(text, ENABLED)) {
            return WinreStatus.ENABLED;
        }
        return null;
    }

    private static boolean startsWithAny(String text, List<String> tokens) {
        for (String token : tokens) {
            if (text.startsWith(token)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsAny(String text, List<String> tokens) {
        for (String token : tokens) {
            if (text.contains(token)) {
                return true;
            }
        }
        return false;
    }
}
