package io.patchpulse.collector.parse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.ProtectorClass;
import org.junit.jupiter.api.Test;

class ManageBdeStatusTest {

    private static final String ENGLISH = """
            BitLocker Drive Encryption: Configuration Tool version 10.0.19041
            Copyright (C) 2013 Microsoft Corporation. All rights reserved.

            Volume C: [Windows]
            [OS Volume]

                Size:                 475.83 GB
                BitLocker Version:    2.0
                Conversion Status:    %s
                Percentage Encrypted: %s
                Encryption Method:    %s
                Protection Status:    %s
                Lock Status:          Unlocked
                Identification Field: Unknown
                Key Protectors:%s

            """;

    private static String english(String conversion, String percent, String method, String protection,
                                  String protectors) {
        return ENGLISH.formatted(conversion, percent, method, protection, protectors).replace("\n", "\r\n");
    }

    private static final String GERMAN = """
            BitLocker-Laufwerkverschlüsselung: Konfigurationstool, Version 10.0.19041
            Copyright (C) 2013 Microsoft Corporation. Alle Rechte vorbehalten.

            Volume "C:" [Windows]
            [Betriebssystemvolume]

                Größe:                        236,42 GB
                BitLocker-Version:            %s
                Konvertierungsstatus:         %s
                Verschlüsselt (Prozent):      %s
                Verschlüsselungsmethode:      %s
                Schutzstatus:                 %s
                Sperrungsstatus:              Entsperrt
                ID-Feld:                      Unbekannt
                Schlüsselschutzvorrichtungen:%s

            """;

    @Test
    void shouldReadAnEnglishTpmOnlyVolume() {
        BitLockerReading reading = ManageBdeStatus.parse(english("Fully Encrypted", "100.0%", "XTS-AES 128",
                "Protection On", "\n        TPM\n        Numerical Password"), 'C');

        assertThat(reading).isEqualTo(new BitLockerReading(BitLockerProtection.ON,
                BitLockerVolumeStatus.FULLY_ENCRYPTED, "XtsAes128", ProtectorClass.TPM_ONLY));
    }

    @Test
    void shouldReadAGermanVolumeWithTpmAndPin() {
        BitLockerReading reading = ManageBdeStatus.parse(GERMAN.formatted("2.0",
                "Nur verwendeter Speicherplatz ist verschlüsselt", "100,0 %", "XTS-AES 128",
                "Der Schutz ist aktiviert.", "\n        TPM und PIN\n        Numerisches Kennwort"), 'C');

        assertThat(reading).isEqualTo(new BitLockerReading(BitLockerProtection.ON,
                BitLockerVolumeStatus.FULLY_ENCRYPTED, "XtsAes128", ProtectorClass.TPM_PREBOOT));
    }

    @Test
    void shouldReadAGermanDecryptedVolumeWithoutProtectors() {
        BitLockerReading reading = ManageBdeStatus.parse(GERMAN.formatted("Kein", "Vollständig entschlüsselt",
                "0,0 %", "Kein", "Der Schutz ist deaktiviert.", " Keine gefunden"), 'C');

        assertThat(reading).isEqualTo(new BitLockerReading(BitLockerProtection.OFF,
                BitLockerVolumeStatus.FULLY_DECRYPTED, "None", ProtectorClass.NONE));
    }

    @Test
    void shouldReadSuspendedProtectionAsOffOnAnEncryptedVolume() {
        BitLockerReading reading = ManageBdeStatus.parse(english("Used Space Only Encrypted", "100.0%",
                "XTS-AES 256", "Protection Off (1 reboots left)", "\n        TPM\n        Numerical Password"), 'C');

        assertThat(reading).isEqualTo(new BitLockerReading(BitLockerProtection.OFF,
                BitLockerVolumeStatus.FULLY_ENCRYPTED, "XtsAes256", ProtectorClass.TPM_ONLY));
    }

    @Test
    void shouldReadConversionInProgressAndPaused() {
        assertThat(ManageBdeStatus.parse(english("Encryption in Progress", "45.3%", "XTS-AES 128", "Protection Off",
                "\n        TPM"), 'C').volumeStatus()).isEqualTo(BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS);
        assertThat(ManageBdeStatus.parse(english("Decryption Paused", "61.0%", "AES 128 with Diffuser",
                "Protection Off", "\n        TPM"), 'C'))
                .isEqualTo(new BitLockerReading(BitLockerProtection.OFF, BitLockerVolumeStatus.DECRYPTION_PAUSED,
                        "Aes128Diffuser", ProtectorClass.TPM_ONLY));
        assertThat(ManageBdeStatus.parse(GERMAN.formatted("2.0", "Verschlüsselung wird ausgeführt", "12,5 %",
                "XTS-AES 128", "Der Schutz ist deaktiviert.", "\n        TPM"), 'C').volumeStatus())
                .isEqualTo(BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS);
    }

    @Test
    void shouldReadAnUnknownLanguageByStructureAndKeepTheRestUnknown() {
        // Labels and words this parser does not know: the percentage line and the field order still tell.
        String dutch = """
                Volume C: [Windows]
                [Besturingssysteemvolume]

                    Grootte:                  475,83 GB
                    BitLocker-versie:         2.0
                    Conversiestatus:          Volledig gecodeerd
                    Percentage gecodeerd:     100,0%
                    Coderingsmethode:         XTS-AES 128
                    Beveiligingsstatus:       Beveiliging is ingeschakeld
                    Vergrendelingsstatus:     Ontgrendeld
                    Sleutelbeveiligingen:
                        TPM
                        Herstelwachtwoord
                """;

        assertThat(ManageBdeStatus.parse(dutch, 'C')).isEqualTo(new BitLockerReading(BitLockerProtection.ON,
                BitLockerVolumeStatus.FULLY_ENCRYPTED, "XtsAes128", ProtectorClass.UNKNOWN));
    }

    @Test
    void shouldPickTheSystemDriveAmongSeveralVolumes() {
        String two = english("Fully Decrypted", "0.0%", "None", "Protection Off", " None Found")
                .replace("Volume C: [Windows]", "Volume D: [Data]")
                + english("Fully Encrypted", "100.0%", "XTS-AES 128", "Protection On", "\n        TPM And PIN");

        assertThat(ManageBdeStatus.parse(two, 'C')).isEqualTo(new BitLockerReading(BitLockerProtection.ON,
                BitLockerVolumeStatus.FULLY_ENCRYPTED, "XtsAes128", ProtectorClass.TPM_PREBOOT));
    }

    @Test
    void shouldBeUnknownForAnErrorInsteadOfAStatus() {
        assertThat(ManageBdeStatus.parse("""
                BitLocker Drive Encryption: Configuration Tool version 10.0.19041
                Copyright (C) 2013 Microsoft Corporation. All rights reserved.

                ERROR: An attempt to access a required resource was denied.
                """, 'C')).isEqualTo(BitLockerReading.UNKNOWN);
        assertThat(ManageBdeStatus.parse("", 'C')).isEqualTo(BitLockerReading.UNKNOWN);
        assertThat(ManageBdeStatus.parse(null, null)).isEqualTo(BitLockerReading.UNKNOWN);
    }

    @Test
    void shouldNameProtectorLinesByTheirWords() {
        assertThat(ManageBdeStatus.protectorType("TPM")).isEqualTo(KeyProtectorType.TPM);
        assertThat(ManageBdeStatus.protectorType("TPM And PIN")).isEqualTo(KeyProtectorType.TPM_PIN);
        assertThat(ManageBdeStatus.protectorType("TPM et code PIN")).isEqualTo(KeyProtectorType.TPM_PIN);
        assertThat(ManageBdeStatus.protectorType("TPM And Startup Key")).isEqualTo(KeyProtectorType.TPM_STARTUP_KEY);
        assertThat(ManageBdeStatus.protectorType("TPM und Systemstartschlüssel"))
                .isEqualTo(KeyProtectorType.TPM_STARTUP_KEY);
        assertThat(ManageBdeStatus.protectorType("TPM And PIN And Startup Key"))
                .isEqualTo(KeyProtectorType.TPM_PIN_STARTUP_KEY);
        assertThat(ManageBdeStatus.protectorType("Numerical Password")).isEqualTo(KeyProtectorType.RECOVERY_PASSWORD);
        assertThat(ManageBdeStatus.protectorType("Mot de passe numérique"))
                .isEqualTo(KeyProtectorType.RECOVERY_PASSWORD);
        assertThat(ManageBdeStatus.protectorType("Password")).isEqualTo(KeyProtectorType.PASSWORD);
        assertThat(ManageBdeStatus.protectorType("Kennwort")).isEqualTo(KeyProtectorType.PASSWORD);
        assertThat(ManageBdeStatus.protectorType("External Key")).isEqualTo(KeyProtectorType.EXTERNAL_KEY);
        assertThat(ManageBdeStatus.protectorType("Externer Schlüssel")).isEqualTo(KeyProtectorType.EXTERNAL_KEY);
        assertThat(ManageBdeStatus.protectorType("Herstelwachtwoord")).isEqualTo(KeyProtectorType.UNKNOWN);
        assertThat(ManageBdeStatus.protectorType("TPM と PIN")).isEqualTo(KeyProtectorType.TPM_PIN);
    }

    @Test
    void shouldNameMethodsByAesTokensAndKeySizes() {
        assertThat(ManageBdeStatus.method("XTS-AES 128")).isEqualTo("XtsAes128");
        assertThat(ManageBdeStatus.method("XTS-AES 256")).isEqualTo("XtsAes256");
        assertThat(ManageBdeStatus.method("AES 256")).isEqualTo("Aes256");
        assertThat(ManageBdeStatus.method("AES 128 mit Diffusor")).isEqualTo("Aes128Diffuser");
        assertThat(ManageBdeStatus.method("Hardware Encryption - 1.3.6.1.4.1.311.67.1.1")).isEqualTo("Hardware");
        assertThat(ManageBdeStatus.method("Aucun")).isEqualTo("None");
        assertThat(ManageBdeStatus.method("Geen")).isNull();
    }
}
