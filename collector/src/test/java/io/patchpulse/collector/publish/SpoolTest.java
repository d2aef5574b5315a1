package io.patchpulse.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private static List<Outgoing> records(int from, int count) {
        List<Outgoing> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(new Outgoing("t", "k" + i, i, ("v" + i).getBytes(StandardCharsets.UTF_8),
                    Map.of("h", "x".repeat(70_000)))); // a header longer than writeUTF's 64 KiB
        }
        return records;
    }

    private static List<String> keys(List<Spool.Entry> entries) {
        return entries.stream().map(e -> e.record().key()).toList();
    }

    @Test
    void shouldKeepOrderAndWhatWasNotRemovedAcrossAReopen() throws Exception {
        try (Spool spool = Spool.open(dir)) {
            spool.append(records(0, 3), Map.of("file-a", 42L));
            spool.append(records(3, 2), Map.of());
            List<Spool.Entry> first = spool.oldest(2, Long.MAX_VALUE);
            assertThat(keys(first)).containsExactly("k0", "k1");
            spool.removeThrough(first.get(1).sequence());
            assertThat(spool.size()).isEqualTo(3);
        }

        try (Spool reopened = Spool.open(dir)) {
            assertThat(reopened.size()).isEqualTo(3);
            assertThat(keys(reopened.oldest(10, Long.MAX_VALUE))).containsExactly("k2", "k3", "k4");
            assertThat(reopened.position("file-a")).isEqualTo(42L);
            assertThat(reopened.position("file-b")).isEqualTo(-1L);
            reopened.append(records(5, 1), Map.of());
            List<Spool.Entry> all = reopened.oldest(10, Long.MAX_VALUE);
            assertThat(keys(all)).containsExactly("k2", "k3", "k4", "k5");
            assertThat(all.get(3).sequence()).isGreaterThan(all.get(2).sequence());
            assertThat(all.get(0).record().headers().get("h")).hasSize(70_000);
        }
    }

    @Test
    void shouldRefuseToWorkAfterClose() throws Exception {
        Spool spool = Spool.open(dir);
        spool.close();
        spool.close(); // idempotent

        assertThatThrownBy(() -> spool.append(records(0, 1), Map.of())).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> spool.oldest(1, 1)).isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseASecondProcessOnTheSameDirectory() throws Exception {
        try (Spool spool = Spool.open(dir)) {
            assertThatThrownBy(() -> Spool.open(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("another collector");
        }
    }
}
