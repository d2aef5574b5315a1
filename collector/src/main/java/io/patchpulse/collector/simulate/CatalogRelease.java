package io.patchpulse.collector.simulate;

import java.util.List;

/**
 * What the truth needs to know of a release in the catalog ({@code deploy/catalog/releases.yaml}): its KB, the OS
 * builds whose devices it tracks, and the WinRE version that counts as fixed (null when the catalog does not know it,
 * even where the simulator models a version).
 *
 * @param kb                canonical KB id
 * @param osBuilds          OS builds of the release's line
 * @param fixedWinreVersion WinRE version at or above which a device counts as fixed, null when unknown
 */
public record CatalogRelease(String kb, List<Integer> osBuilds, String fixedWinreVersion) {

    /** The catalog as in {@code deploy/catalog/releases.yaml} (a test keeps the two equal). */
    public static final List<CatalogRelease> CATALOG = List.of(
            new CatalogRelease("KB5034441", List.of(19044, 19045), "10.0.19041.3920"),
            new CatalogRelease("KB5034440", List.of(22000), null),
            new CatalogRelease("KB5034439", List.of(20348), "10.0.20348.2846"),
            new CatalogRelease("KB5057589", List.of(19044, 19045), null),
            new CatalogRelease("KB5057588", List.of(20348), null));

    /** Copies the builds. */
    public CatalogRelease {
        osBuilds = List.copyOf(osBuilds);
    }
}
