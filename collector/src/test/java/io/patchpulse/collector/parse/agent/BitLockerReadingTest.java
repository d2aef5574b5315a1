package io.patchpulse.collector.parse.agent;

import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.AD_ACCOUNT_OR_GROUP;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.EXTERNAL_KEY;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.PASSWORD;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.PUBLIC_KEY;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.RECOVERY_PASSWORD;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.TPM;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.TPM_NETWORK_KEY;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.TPM_PIN;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.TPM_PIN_STARTUP_KEY;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.TPM_STARTUP_KEY;
import static io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.JsonItems;
import io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.ProtectorClass;
import java.util.List;
import org.junit.jupiter.api.Test;

class BitLockerReadingTest {

    private static JsonNode json(String text) throws Exception {
        return JsonItems.MAPPER.readTree(text);
    }

    private static BitLockerReading read(String text) throws Exception {
        return BitLockerReading.fromJson(json(text), "$.bitlocker");
    }

    @Test
    void shouldReadPowerShell51IntegerEnums() throws Exception {
        BitLockerReading reading = read("""
                {"ComputerName": "LT-ACME-0142", "MountPoint": "C:", "EncryptionMethod": 6, "VolumeStatus": 1,
                 "ProtectionStatus": 1, "LockStatus": 0, "EncryptionPercentage": 100, "VolumeType": 0,
                 "KeyProtector": [{"KeyProtectorId": "{0e3b59c1-3a3f-4c83-a7b2-6d3f52c1e0a4}", "KeyProtectorType": 1},
                                  {"KeyProtectorId": "{7a9d2c44-1b6e-4f8a-9e0d-c25f81b3a7e6}", "KeyProtectorType": 3,
                                   "RecoveryPassword": ""}]}""");

        assertThat(reading).isEqualTo(new BitLockerReading(BitLockerProtection.ON,
                BitLockerVolumeStatus.FULLY_ENCRYPTED, "XtsAes128", ProtectorClass.TPM_ONLY));
    }

    @Test
    void shouldReadEnumNamesAndNumbersWrittenAsStrings() throws Exception {
        BitLockerReading reading = read("""
                {"EncryptionMethod": "XtsAes256", "VolumeStatus": "EncryptionInProgress", "ProtectionStatus": "0",
                 "KeyProtector": [{"KeyProtectorType": "Tpm"}, {"KeyProtectorType": "RecoveryPassword"}]}""");

        assertThat(reading).isEqualTo(new BitLockerReading(BitLockerProtection.OFF,
                BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS, "XtsAes256", ProtectorClass.TPM_ONLY));
    }

    @Test
    void shouldReadEveryVolumeStatusAndMethodByItsInteger() throws Exception {
        List<BitLockerVolumeStatus> statuses = List.of(BitLockerVolumeStatus.FULLY_DECRYPTED,
                BitLockerVolumeStatus.FULLY_ENCRYPTED, BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS,
                BitLockerVolumeStatus.DECRYPTION_IN_PROGRESS, BitLockerVolumeStatus.ENCRYPTION_PAUSED,
                BitLockerVolumeStatus.DECRYPTION_PAUSED);
        List<String> methods = List.of("None", "Aes128Diffuser", "Aes256Diffuser", "Aes128", "Aes256", "Hardware",
                "XtsAes128", "XtsAes256");
        for (int i = 0; i < statuses.size(); i++) {
            assertThat(read("{\"VolumeStatus\": " + i + "}").volumeStatus()).isEqualTo(statuses.get(i));
        }
        for (int i = 0; i < methods.size(); i++) {
            assertThat(read("{\"EncryptionMethod\": " + i + "}").encryptionMethod()).isEqualTo(methods.get(i));
        }
        assertThat(read("{\"ProtectionStatus\": 2}").protection()).isEqualTo(BitLockerProtection.UNKNOWN);
    }

    @Test
    void shouldKeepValuesFromANewerWindowsUnknownInsteadOfRejecting() throws Exception {
        assertThat(read("""
                {"EncryptionMethod": 9, "VolumeStatus": 17, "ProtectionStatus": "Suspended",
                 "KeyProtector": [{"KeyProtectorType": 42}]}"""))
                .isEqualTo(BitLockerReading.UNKNOWN);
    }

    @Test
    void shouldLeaveMissingPartsUnknownAndAnEmptyProtectorListNone() throws Exception {
        assertThat(read("{}")).isEqualTo(BitLockerReading.UNKNOWN);
        assertThat(read("{\"VolumeStatus\": 0, \"ProtectionStatus\": 0, \"EncryptionMethod\": 0, \"KeyProtector\": []}"))
                .isEqualTo(new BitLockerReading(BitLockerProtection.OFF, BitLockerVolumeStatus.FULLY_DECRYPTED,
                        "None", ProtectorClass.NONE));
    }

    @Test
    void shouldReadProtectorsWrittenTooShallowAsTheirNamesOrASingleObject() throws Exception {
        assertThat(read("{\"KeyProtector\": [\"Tpm\", \"RecoveryPassword\"]}").protectorClass())
                .isEqualTo(ProtectorClass.TPM_ONLY);
        assertThat(read("{\"KeyProtector\": {\"KeyProtectorType\": 4}}").protectorClass())
                .isEqualTo(ProtectorClass.TPM_PREBOOT);
    }

    @Test
    void shouldTakeTheOsVolumeFromAListOfVolumes() throws Exception {
        assertThat(read("""
                [{"MountPoint": "D:", "VolumeType": 1, "VolumeStatus": 0},
                 {"MountPoint": "C:", "VolumeType": 0, "VolumeStatus": 1}]""").volumeStatus())
                .isEqualTo(BitLockerVolumeStatus.FULLY_ENCRYPTED);
        assertThat(read("[{\"MountPoint\": \"C:\", \"VolumeStatus\": 2}]").volumeStatus())
                .isEqualTo(BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS);
    }

    @Test
    void shouldNameThePathOfAValueOfTheWrongType() {
        assertThatThrownBy(() -> read("{\"VolumeStatus\": {\"value__\": 1}}"))
                .isInstanceOfSatisfying(BadField.class, e -> assertThat(e.field()).isEqualTo("$.bitlocker.VolumeStatus"));
        assertThatThrownBy(() -> read("{\"KeyProtector\": [{\"KeyProtectorType\": 1}, true]}"))
                .isInstanceOfSatisfying(BadField.class, e -> assertThat(e.field()).isEqualTo("$.bitlocker.KeyProtector[1]"));
        assertThatThrownBy(() -> read("{\"KeyProtector\": [{\"KeyProtectorType\": [1]}]}"))
                .isInstanceOfSatisfying(BadField.class,
                        e -> assertThat(e.field()).isEqualTo("$.bitlocker.KeyProtector[0].KeyProtectorType"));
        assertThatThrownBy(() -> read("[{\"VolumeType\": 1}, {\"VolumeType\": 2}]"))
                .isInstanceOfSatisfying(BadField.class, e -> assertThat(e.field()).isEqualTo("$.bitlocker"));
        assertThatThrownBy(() -> read("\"FullyEncrypted\""))
                .isInstanceOfSatisfying(BadField.class, e -> assertThat(e.field()).isEqualTo("$.bitlocker"));
    }

    @Test
    void shouldClassifyProtectors() {
        assertThat(BitLockerReading.classify(null)).isEqualTo(ProtectorClass.UNKNOWN);
        assertThat(BitLockerReading.classify(List.of())).isEqualTo(ProtectorClass.NONE);
        assertThat(classify(TPM)).isEqualTo(ProtectorClass.TPM_ONLY);
        assertThat(classify(TPM, RECOVERY_PASSWORD)).isEqualTo(ProtectorClass.TPM_ONLY);
        assertThat(classify(TPM, RECOVERY_PASSWORD, AD_ACCOUNT_OR_GROUP, PUBLIC_KEY, TPM_NETWORK_KEY))
                .isEqualTo(ProtectorClass.TPM_ONLY);
        assertThat(classify(TPM, EXTERNAL_KEY)).isEqualTo(ProtectorClass.TPM_ONLY); // a recovery key file
        assertThat(classify(TPM_PIN, RECOVERY_PASSWORD)).isEqualTo(ProtectorClass.TPM_PREBOOT);
        assertThat(classify(TPM_STARTUP_KEY)).isEqualTo(ProtectorClass.TPM_PREBOOT);
        assertThat(classify(TPM_PIN_STARTUP_KEY)).isEqualTo(ProtectorClass.TPM_PREBOOT);
        assertThat(classify(EXTERNAL_KEY, RECOVERY_PASSWORD)).isEqualTo(ProtectorClass.TPM_PREBOOT); // USB startup key
        assertThat(classify(PASSWORD, RECOVERY_PASSWORD)).isEqualTo(ProtectorClass.PASSWORD);
        assertThat(classify(RECOVERY_PASSWORD)).isEqualTo(ProtectorClass.UNKNOWN);
        assertThat(classify(TPM, UNKNOWN)).isEqualTo(ProtectorClass.UNKNOWN);
        assertThat(classify(TPM_PIN, UNKNOWN)).isEqualTo(ProtectorClass.TPM_PREBOOT);
    }

    private static ProtectorClass classify(KeyProtectorType... types) {
        return BitLockerReading.classify(List.of(types));
    }
}
