package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.values.WinreVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/** The OS lines the simulator models, with their January 2024 WinRE update and WinRE versions. */
enum OsLine {
    WINDOWS_10_22H2("Windows 10", "22H2", 19045, "KB5034441", "Windows 10 Version 22H2",
            WinreVersion.WINDOWS_10_FIXED, List.of("10.0.19041.3636", "10.0.19041.3570", "10.0.19041.2486",
            "10.0.19041.1865"), List.of(3803, 3803, 3803, 3693, 3570)),
    WINDOWS_10_21H2("Windows 10", "21H2", 19044, "KB5034441", "Windows 10 Version 21H2",
            WinreVersion.WINDOWS_10_FIXED, List.of("10.0.19041.3636", "10.0.19041.3570", "10.0.19041.2486",
            "10.0.19041.1865"), List.of(3803, 3803, 3693, 3570)),
    // Model assumption (not in DOMAIN.md): KB5034440 brings the Windows 11 21H2 image to 10.0.22000.2710.
    WINDOWS_11_21H2("Windows 11", "21H2", 22000, "KB5034440", "Windows 11",
            new WinreVersion(10, 0, 22000, 2710), List.of("10.0.22000.2538", "10.0.22000.2538",
            "10.0.22000.2295"), List.of(2652, 2652, 2600)),
    // Only in the April 2025 preset. Its January 2024 sibling is KB5034439, whose catalog entry counts WinRE at or
    // above 10.0.20348.2846 as fixed; the January model never draws a server.
    WINDOWS_SERVER_2022("Windows Server 2022", "21H2", 20348, "KB5034439",
            "Microsoft server operating system version 21H2", new WinreVersion(10, 0, 20348, 2846),
            List.of("10.0.20348.2227", "10.0.20348.2582"), List.of(3453, 3453, 3328, 3207));

    private final String family;
    private final String version;
    private final int build;
    private final String kb;
    private final String titleProduct;
    private final WinreVersion fixedWinre;
    private final List<String> unpatchedWinre;
    private final List<Integer> ubrs;
    private final String updateGuid;

    OsLine(String family, String version, int build, String kb, String titleProduct, WinreVersion fixedWinre,
           List<String> unpatchedWinre, List<Integer> ubrs) {
        this.family = family;
        this.version = version;
        this.build = build;
        this.kb = kb;
        this.titleProduct = titleProduct;
        this.fixedWinre = fixedWinre;
        this.unpatchedWinre = unpatchedWinre;
        this.ubrs = ubrs;
        // Synthetic but stable: a name-based UUID, not the catalog's real update id.
        this.updateGuid = UUID.nameUUIDFromBytes(("patchpulse-simulator:" + kb + ":" + titleProduct)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** "Windows 10" or "Windows 11". */
    String family() {
        return family;
    }

    /** Display version such as 22H2. */
    String version() {
        return version;
    }

    /** OS build number. */
    int build() {
        return build;
    }

    /** The WinRE update this line is offered in January 2024. */
    String kb() {
        return kb;
    }

    /** The January 2024 update this line is offered in the simulator, null for the server line (not modelled). */
    WinreUpdate january() {
        switch (this) {
            case WINDOWS_10_21H2:
            case WINDOWS_10_22H2:
                return WinreUpdate.KB5034441;
            case WINDOWS_11_21H2:
                return WinreUpdate.KB5034440;
            default:
                return null;
        }
    }

    /** WinRE version after the update. */
    WinreVersion fixedWinre() {
        return fixedWinre;
    }

    /** WinRE versions found before the update (repeats weight the draw). */
    List<String> unpatchedWinre() {
        return unpatchedWinre;
    }

    /** Update build revisions found in the fleet (repeats weight the draw). */
    List<Integer> ubrs() {
        return ubrs;
    }

    /** Update id reported with the events. */
    String updateGuid() {
        return updateGuid;
    }

    /** Product name as update titles spell it, for example "Windows 10 Version 22H2". */
    String titleProduct() {
        return titleProduct;
    }

    /** The January 2024 update title as Windows Update shows it in {@code language}. */
    String title(TitleLanguage language) {
        return title("2024-01", kb, language);
    }

    /** The title of update {@code updateKb} of {@code month} (YYYY-MM) on this line, in {@code language}. */
    String title(String month, String updateKb, TitleLanguage language) {
        String product = titleProduct;
        switch (language) {
            case FRENCH:
                return "Mise à jour de sécurité " + month + " pour " + product + " pour les systèmes x64 ("
                        + updateKb + ")";
            case GERMAN:
                return month + " Sicherheitsupdate für " + product + " für x64-basierte Systeme (" + updateKb + ")";
            case SPANISH:
                return "Actualización de seguridad " + month + " para " + product + " para sistemas basados en x64 ("
                        + updateKb + ")";
            case ENGLISH:
            default:
                return month + " Security Update for " + product + " for x64-based Systems (" + updateKb + ")";
        }
    }

    /** Display languages of update titles. */
    enum TitleLanguage {
        ENGLISH, FRENCH, GERMAN, SPANISH
    }
}
