package io.patchpulse.bench.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarksFileTest {

    @TempDir
    Path dir;

    @Test
    void shouldReplaceOnlyWhatLiesBetweenTheMarkers() throws Exception {
        Path file = dir.resolve("BENCHMARKS.md");
        String before = "# Benchmarks\n\nintro\n\n";
        String after = "\n\n## Optimizations\n\nkept\n";
        Files.writeString(file, before + BenchmarksFile.START + "\nold\n" + BenchmarksFile.END + after);

        BenchmarksFile.rewrite(file, "new figures\n");

        assertThat(Files.readString(file)).isEqualTo(before + BenchmarksFile.START + "\nnew figures\n"
                + BenchmarksFile.END + after);
    }

    @Test
    void shouldAppendTheSectionWhenTheFileHasNoMarkers() throws Exception {
        Path file = dir.resolve("BENCHMARKS.md");
        Files.writeString(file, "# Benchmarks\n\nintro\n");

        BenchmarksFile.rewrite(file, "figures");

        assertThat(Files.readString(file)).startsWith("# Benchmarks\n\nintro\n\n## Latest run\n\n"
                + BenchmarksFile.START).contains("figures").endsWith(BenchmarksFile.END + "\n");
    }

    @Test
    void shouldCreateAMissingFile() throws Exception {
        Path file = dir.resolve("sub/BENCHMARKS.md");

        BenchmarksFile.rewrite(file, "figures");

        assertThat(Files.readString(file)).contains("## Latest run", BenchmarksFile.START, "figures",
                BenchmarksFile.END);
    }
}
