package io.patchpulse.bench.endtoend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * BENCHMARKS.md: the command rewrites only what lies between {@link #START} and {@link #END}; everything else in the
 * file is left as it is. A missing file is created with a short introduction; a file without the markers gets the
 * section appended.
 */
public final class BenchmarksFile {

    public static final String START = "<!-- bench:latest-run:start (written by ./patchpulse bench; edits here are replaced) -->";
    public static final String END = "<!-- bench:latest-run:end -->";

    private BenchmarksFile() {
    }

    /** Writes {@code section} (Markdown) as the latest run into {@code file}. */
    public static void rewrite(Path file, String section) {
        try {
            String block = START + "\n" + section.strip() + "\n" + END;
            String text;
            if (!Files.exists(file)) {
                text = "# Benchmarks\n\n## Latest run\n\n" + block + "\n";
            } else {
                String old = Files.readString(file, StandardCharsets.UTF_8);
                int start = old.indexOf(START);
                int end = old.indexOf(END);
                if (start >= 0 && end > start) {
                    text = old.substring(0, start) + block + old.substring(end + END.length());
                } else {
                    text = old + (old.endsWith("\n") ? "" : "\n") + "\n## Latest run\n\n" + block + "\n";
                }
            }
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + file, e);
        }
    }
}
