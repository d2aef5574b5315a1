package io.patchpulse.collector.parse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.WinreStatus;
import org.junit.jupiter.api.Test;

class ReagentcInfoTest {

    private static final String LOCATION = "\\\\?\\GLOBALROOT\\device\\harddisk0\\partition4\\Recovery\\WindowsRE";

    private static String info(String status, String location, String bcd) {
        return "\r\nWindows Recovery Environment (Windows RE) and system reset configuration\r\nInformation:\r\n\r\n"
                + "    Windows RE status:         " + status + "\r\n"
                + "    Windows RE location:       " + location + "\r\n"
                + "    Boot Configuration Data (BCD) identifier: " + bcd + "\r\n"
                + "    Recovery image location:   \r\n"
                + "    Recovery image index:      0\r\n"
                + "    Custom image location:     \r\n"
                + "    Custom image index:        0\r\n\r\n"
                + "REAGENTC.EXE: Operation Successful.\r\n\r\n";
    }

    @Test
    void shouldReadEnabledWinreWithItsDiskAndPartition() {
        ReagentcInfo info = ReagentcInfo.parse(info("Enabled", LOCATION, "5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2"));

        assertThat(info).isEqualTo(new ReagentcInfo(WinreStatus.ENABLED, LOCATION, 0, 4,
                "5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2"));
        assertThat(info.hasLocation()).isTrue();
    }

    @Test
    void shouldReadDisabledWinreWithoutLocation() {
        ReagentcInfo info = ReagentcInfo.parse(info("Disabled", "", "00000000-0000-0000-0000-000000000000"));

        assertThat(info).isEqualTo(new ReagentcInfo(WinreStatus.DISABLED, null, null, null,
                "00000000-0000-0000-0000-000000000000"));
        assertThat(info.hasLocation()).isFalse();
    }

    @Test
    void shouldNotTakeTheRecoveryImageLocationForWinres() {
        String text = info("Disabled", "", "00000000-0000-0000-0000-000000000000").replace(
                "Recovery image location:   ", "Recovery image location:   "
                        + "\\\\?\\GLOBALROOT\\device\\harddisk0\\partition5\\RecoveryImage");

        ReagentcInfo info = ReagentcInfo.parse(text);

        assertThat(info.status()).isEqualTo(WinreStatus.DISABLED);
        assertThat(info.hasLocation()).isFalse();
    }

    @Test
    void shouldSkipAbsurdlyLongLinesInsteadOfBacktrackingOnThem() {
        ReagentcInfo info = ReagentcInfo.parse(info("Enabled" + " ".repeat(200_000) + "x", LOCATION,
                "5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2"));

        assertThat(info.status()).isEqualTo(WinreStatus.ENABLED); // decided by structure: path and BCD id
    }

    @Test
    void shouldReadGermanLabelsWithTranslatedOrUntranslatedStatus() {
        String german = "\nKonfigurationsinformationen für Windows-Wiederherstellungsumgebung (Windows RE) und "
                + "Systemzurücksetzung:\n\n"
                + "    Windows RE-Status:         %s\n"
                + "    Windows RE-Speicherort:    %s\n"
                + "    BCD-Bezeichner (Startkonfigurationsdaten): %s\n"
                + "    Index des Wiederherstellungsimages: 0\n\n"
                + "REAGENTC.EXE: Vorgang erfolgreich.\n";

        assertThat(ReagentcInfo.parse(german.formatted("Aktiviert", "\\\\?\\GLOBALROOT\\device\\harddisk1\\partition12"
                + "\\Recovery\\WindowsRE", "{3C1E4F2A-9D21-11EE-B8A4-F0D5BF7A1C22}")))
                .isEqualTo(new ReagentcInfo(WinreStatus.ENABLED,
                        "\\\\?\\GLOBALROOT\\device\\harddisk1\\partition12\\Recovery\\WindowsRE", 1, 12,
                        "3c1e4f2a-9d21-11ee-b8a4-f0d5bf7a1c22"));
        assertThat(ReagentcInfo.parse(german.formatted("Deaktiviert", "", "00000000-0000-0000-0000-000000000000"))
                .status()).isEqualTo(WinreStatus.DISABLED);
        assertThat(ReagentcInfo.parse(german.formatted("Disabled", "", "00000000-0000-0000-0000-000000000000"))
                .status()).isEqualTo(WinreStatus.DISABLED);
    }

    @Test
    void shouldReadFrenchLabelsWithASpaceBeforeTheColon() {
        String french = "Informations sur la configuration de l'environnement de récupération Windows (Windows RE) :\n\n"
                + "    État de Windows RE :                Activé\n"
                + "    Emplacement de Windows RE :         " + LOCATION + "\n"
                + "    Identificateur BCD (Boot Configuration Data) : 0c6d9a1e-2b7f-11ee-a3c5-9c2dcd4e7b10\n\n"
                + "REAGENTC.EXE : opération réussie.\n";

        assertThat(ReagentcInfo.parse(french)).isEqualTo(new ReagentcInfo(WinreStatus.ENABLED, LOCATION, 0, 4,
                "0c6d9a1e-2b7f-11ee-a3c5-9c2dcd4e7b10"));
        assertThat(ReagentcInfo.parse(french.replace("Activé", "Désactivé").replace(LOCATION, "")
                .replace("0c6d9a1e-2b7f-11ee-a3c5-9c2dcd4e7b10", "00000000-0000-0000-0000-000000000000")).status())
                .isEqualTo(WinreStatus.DISABLED);
    }

    @Test
    void shouldDecideByStructureWhenTheStatusWordIsInAnUnknownLanguage() {
        String unknown = "    Stan środowiska Windows RE:  Foo\n"
                + "    Lokalizacja:                 " + LOCATION + "\n"
                + "    Identyfikator BCD:           7d2c8f1a-3b4c-4d5e-8f90-1a2b3c4d5e6f\n"
                + "REAGENTC.EXE: Operacja zakończona.\n";

        assertThat(ReagentcInfo.parse(unknown).status()).isEqualTo(WinreStatus.ENABLED);
        assertThat(ReagentcInfo.parse(unknown.replace(LOCATION, "")
                .replace("7d2c8f1a-3b4c-4d5e-8f90-1a2b3c4d5e6f", "00000000-0000-0000-0000-000000000000")).status())
                .isEqualTo(WinreStatus.DISABLED);
    }

    @Test
    void shouldLetStructureWinOverAContradictingStatusWord() {
        ReagentcInfo info = ReagentcInfo.parse(info("Enabled", "", "00000000-0000-0000-0000-000000000000"));

        assertThat(info.status()).isEqualTo(WinreStatus.DISABLED);
    }

    @Test
    void shouldUseTheStatusWordWhenStructureIsNotDecisive() {
        // Path present but the BCD line missing (output cut short): the word decides.
        String cut = "    Windows RE status:         Enabled\n    Windows RE location:       " + LOCATION + "\n";

        assertThat(ReagentcInfo.parse(cut)).isEqualTo(new ReagentcInfo(WinreStatus.ENABLED, LOCATION, 0, 4, null));
    }

    @Test
    void shouldReadLinesThatTheAgentTrimmed() {
        String trimmed = "Windows RE status: Enabled\nWindows RE location: " + LOCATION
                + "\nBoot Configuration Data (BCD) identifier: 5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2\n";

        assertThat(ReagentcInfo.parse(trimmed).status()).isEqualTo(WinreStatus.ENABLED);
    }

    @Test
    void shouldBeUnknownWhenReagentcFailed() {
        assertThat(ReagentcInfo.parse("REAGENTC.EXE: Operation failed: 2\r\n\r\n")).isEqualTo(ReagentcInfo.UNKNOWN);
        assertThat(ReagentcInfo.parse("REAGENTC.EXE: Fehler beim Vorgang: 2\r\n")).isEqualTo(ReagentcInfo.UNKNOWN);
        assertThat(ReagentcInfo.parse("REAGENTC.EXE: Unable to update Boot Configuration Data.\r\n"))
                .isEqualTo(ReagentcInfo.UNKNOWN);
        // A failure line wins even when part of the block was printed before it.
        assertThat(ReagentcInfo.parse(info("Enabled", LOCATION, "5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2")
                .replace("Operation Successful.", "Operation failed: 0xc1420127"))).isEqualTo(ReagentcInfo.UNKNOWN);
    }

    @Test
    void shouldBeUnknownForEmptyOrUnrelatedText() {
        assertThat(ReagentcInfo.parse(null)).isEqualTo(ReagentcInfo.UNKNOWN);
        assertThat(ReagentcInfo.parse("  \r\n")).isEqualTo(ReagentcInfo.UNKNOWN);
        assertThat(ReagentcInfo.parse("'reagentc' is not recognized as an internal or external command"))
                .isEqualTo(ReagentcInfo.UNKNOWN);
    }
}
