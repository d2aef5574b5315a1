package io.patchpulse.schemas.values;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorCodeTest {

    @ParameterizedTest
    @CsvSource({
        "0x80070643, 0x80070643",
        "0X80070643, 0x80070643",
        "-2147023293, 0x80070643",
        "2147944003, 0x80070643",
        "' 0x80070643 ', 0x80070643",
        "0x800f0828, 0x800F0828",
        "800F0828, 0x800F0828",
        "-2146498520, 0x800F0828",
        "0, 0x00000000",
        "0x1, 0x00000001",
        "4294967295, 0xFFFFFFFF",
        "-1, 0xFFFFFFFF"
    })
    void shouldNormalizeEverySpellingOfAnHresultToOneCanonicalForm(String raw, String canonical) {
        assertThat(ErrorCode.normalize(raw)).contains(canonical);
        assertThat(ErrorCode.isCanonical(canonical)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "0x", "0x123456789", "4294967296", "-2147483649", "error", "0x8007064G",
        "80070643_extended", "12345678901"})
    void shouldRejectTextThatIsNoHresultSoTheCallerKeepsTheRawValue(String raw) {
        assertThat(ErrorCode.normalize(raw)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0X80070643", "0x800f0828", "80070643", "0x0643"})
    void shouldNotCallNonCanonicalSpellingsCanonical(String text) {
        assertThat(ErrorCode.isCanonical(text)).isFalse();
    }

    @org.junit.jupiter.api.Test
    void shouldNotGuessWhetherEightBareDigitsAreHexOrDecimal() {
        assertThat(ErrorCode.normalize("80070643")).isEmpty();
        assertThat(ErrorCode.normalize("800706430")).contains("0x2FB9CF7E");
    }
}
