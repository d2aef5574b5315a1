package io.patchpulse.collector.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.schemas.avro.Release;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseCatalogTest {

    /** The catalog the product ships (the build runs in the module's directory). */
    private static final Path CATALOG = Path.of("..", "deploy", "catalog", "releases.yaml");

    @Test
    void shouldReadTheShippedCatalogWithASourceForEveryEntry() throws Exception {
        List<Release> releases = ReleaseCatalog.read(CATALOG);

        assertThat(releases).extracting(Release::getKb)
                .containsExactly("KB5034441", "KB5034440", "KB5034439", "KB5057589", "KB5057588");
        Release january = releases.get(0);
        assertThat(january.getReleasedOn()).isEqualTo(LocalDate.of(2024, 1, 9));
        assertThat(january.getFixedWinreVersion()).isEqualTo("10.0.19041.3920");
        assertThat(releases.get(2).getFixedWinreVersion()).isEqualTo("10.0.20348.2846");
        assertThat(releases.get(1).getFixedWinreVersion()).as("not sourced, so not claimed").isNull();
        assertThat(releases).allSatisfy(release -> assertThat(release.getSources()).isNotEmpty());
        assertThat(january.getOsBuilds()).containsExactly(19044, 19045);
    }

    @Test
    void shouldListEveryProblemWithItsEntryAndField() {
        String yaml = """
                releases:
                  - kb: KB5034441
                    title: "WinRE update"
                    osLine: "Windows 10"
                    osBuilds: [19045]
                    releasedOn: 2024-01-09
                    sources: ["Microsoft KB5034441"]
                  - kb: 5034441
                    title: ""
                    osLine: "Windows 10"
                    osBuilds: [19045, "x"]
                    releasedOn: 2024-13-01
                    fixedWinreVersion: "ten"
                    supersedes: [KBX]
                """;

        assertThatThrownBy(() -> ReleaseCatalog.parse(yaml, "catalog.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("catalog.yaml has 7 problem(s)")
                .hasMessageContaining("releases[1].title: is required")
                .hasMessageContaining("releases[1].osBuilds[1]: expected a positive whole number")
                .hasMessageContaining("releases[1].releasedOn: '2024-13-01' is not a date")
                .hasMessageContaining("releases[1].fixedWinreVersion: 'ten'")
                .hasMessageContaining("releases[1].supersedes[0]: 'KBX' is not a KB id")
                .hasMessageContaining("releases[1].sources: every entry needs at least one source")
                .hasMessageContaining("releases[1].kb: KB5034441 is listed twice");
    }
}
