package io.patchpulse.schemas.values;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KbIdTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)|KB5034441",
        "Mise à jour de sécurité 2024-01 pour Windows 10 Version 22H2 pour les systèmes x64 (KB5034441)|KB5034441",
        "2024-01 Sicherheitsupdate für Windows 10 Version 21H2 für x64-basierte Systeme (KB5034441)|KB5034441",
        "2024-01 Windows 11 Version 21H2 x64 ベース システム用セキュリティ更新プログラム (KB5034440)|KB5034440",
        "windows10.0-kb5034441-x64.cab|KB5034441",
        "KB 5057589|KB5057589",
        "Update KB890830 (Malicious Software Removal Tool)|KB890830"
    })
    void shouldFindTheKbNumberInTitlesOfAnyLanguage(String title, String kb) {
        assertThat(KbId.extract(title)).contains(kb);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Security Intelligence Update for Microsoft Defender", "KB12345", "KB123456789",
        "XKB5034441", ""})
    void shouldFindNoKbWhereThereIsNone(String title) {
        assertThat(KbId.extract(title)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"5034441, KB5034441", "kb5034441, KB5034441", "KB5034441, KB5034441"})
    void shouldNormalizeBareKbReferences(String text, String kb) {
        assertThat(KbId.normalize(text)).contains(kb);
        assertThat(KbId.isCanonical(kb)).isTrue();
    }
}
