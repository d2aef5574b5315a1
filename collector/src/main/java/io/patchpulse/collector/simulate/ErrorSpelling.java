package io.patchpulse.collector.simulate;

import java.util.HexFormat;

/** How a device's reporting path spells an HRESULT (DOMAIN.md rule 2: one error, three spellings). */
enum ErrorSpelling {
    /** {@code 0x80070643}: Windows Update event XML and the agent script. */
    HEX,
    /** {@code -2147023293}: osquery and WMI report HRESULTs as signed int32. */
    SIGNED,
    /** {@code 2147944003}: exports that widen the value to an unsigned number. */
    UNSIGNED;

    private static final HexFormat UPPER = HexFormat.of().withUpperCase();

    /** The raw text of {@code hresult} in this spelling. */
    String spell(int hresult) {
        switch (this) {
            case SIGNED:
                return Integer.toString(hresult);
            case UNSIGNED:
                return Integer.toUnsignedString(hresult);
            case HEX:
            default:
                return "0x" + UPPER.toHexDigits(hresult);
        }
    }
}
