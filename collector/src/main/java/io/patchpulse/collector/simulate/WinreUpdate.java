package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.values.WinreVersion;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The WinRE updates the simulator offers, with the WinRE image version a successful install leaves behind.
 *
 * <p>Only KB5034441's version (10.0.19041.3920) is sourced (DOMAIN.md rule 6). The others are <b>model
 * assumptions</b>, plausible build revisions of their month, chosen so that a newer update always moves WinRE past the
 * older fixed version: KB5034440 10.0.22000.2710, KB5057589 10.0.19041.5728, KB5057588 10.0.20348.3451.
 */
enum WinreUpdate {
    KB5034441("KB5034441", "2024-01", WinreVersion.WINDOWS_10_FIXED),
    KB5034440("KB5034440", "2024-01", new WinreVersion(10, 0, 22000, 2710)),
    KB5057589("KB5057589", "2025-04", new WinreVersion(10, 0, 19041, 5728)),
    KB5057588("KB5057588", "2025-04", new WinreVersion(10, 0, 20348, 3451));

    private final String kb;
    private final String month;
    private final WinreVersion winreAfter;

    WinreUpdate(String kb, String month, WinreVersion winreAfter) {
        this.kb = kb;
        this.month = month;
        this.winreAfter = winreAfter;
    }

    /** Canonical KB id. */
    String kb() {
        return kb;
    }

    /** WinRE image version after a successful install (see the class comment for which are assumptions). */
    WinreVersion winreAfter() {
        return winreAfter;
    }

    /** The update title as Windows Update shows it on {@code os} in {@code language}. */
    String title(OsLine os, OsLine.TitleLanguage language) {
        return os.title(month, kb, language);
    }

    /** Update id reported with the events. Synthetic but stable: a name-based UUID, not the catalog's real id. */
    String updateGuid(OsLine os) {
        return UUID.nameUUIDFromBytes(("patchpulse-simulator:" + kb + ":" + os.titleProduct())
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
