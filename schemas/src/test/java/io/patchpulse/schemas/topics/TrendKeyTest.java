package io.patchpulse.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.schemas.values.Cohort;
import org.junit.jupiter.api.Test;

class TrendKeyTest {

    @Test
    void shouldEncodeReadablyAndDecodeBack() {
        TrendKey key = new TrendKey(1_704_819_600_000L, new Cohort("KB5034441", "500-750MB", "<250MB", "on-tpm"));

        assertThat(key.encode()).isEqualTo("2024-01-09T17:00:00Z|KB5034441|500-750MB|<250MB|on-tpm");
        assertThat(TrendKey.decode(key.encode())).isEqualTo(key);
        assertThatThrownBy(() -> TrendKey.decode("2024-01-09T17:00:00Z|KB5034441")).hasMessageContaining("not a trend key");
    }
}
