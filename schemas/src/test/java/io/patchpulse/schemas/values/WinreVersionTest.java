package io.patchpulse.schemas.values;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WinreVersionTest {

    @Test
    void shouldCompareNumericallyNotAsText() {
        WinreVersion older = WinreVersion.parse("10.0.19041.999").orElseThrow();
        WinreVersion fixed = WinreVersion.parse("10.0.19041.3920").orElseThrow();
        WinreVersion newer = WinreVersion.parse("10.0.19041.10000").orElseThrow();

        assertThat(older.isAtLeast(WinreVersion.WINDOWS_10_FIXED)).isFalse();
        assertThat(fixed.isAtLeast(WinreVersion.WINDOWS_10_FIXED)).isTrue();
        assertThat(newer.isAtLeast(WinreVersion.WINDOWS_10_FIXED)).isTrue();
        assertThat(newer).isGreaterThan(fixed);
    }

    @Test
    void shouldReadTheVersionOutOfSurroundingText() {
        assertThat(WinreVersion.parse("Version: 10.0.19041.3920 ")).contains(new WinreVersion(10, 0, 19041, 3920));
        assertThat(WinreVersion.parse("no version here")).isEmpty();
        assertThat(WinreVersion.parse(null)).isEmpty();
    }
}
