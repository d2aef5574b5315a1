package io.patchpulse.collector.parse.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.JsonFields;
import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.ProtectorClass;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The BitLocker state of the OS volume, from {@code Get-BitLockerVolume | ConvertTo-Json} ({@link #fromJson}) or from
 * {@code manage-bde -status} text ({@link ManageBdeStatus#parse}), and the protector class both lead to.
 *
 * <p>Windows PowerShell 5.1 writes the module's enums as integers ({@code VolumeStatus: 1}); PowerShell 7 with
 * {@code -EnumsAsStrings} and hand-made reports write names ({@code "FullyEncrypted"}): both are read. A value that is
 * of the wrong JSON type is a problem naming its path; an integer or name this code does not know (a newer Windows)
 * is kept as unknown rather than losing the report. {@code RecoveryPassword} and the other secrets a
 * {@code KeyProtector} may carry are never read.
 *
 * @param encryptionMethod the {@code EncryptionMethod} name ({@code XtsAes128}), or null when unknown
 */
record BitLockerReading(BitLockerProtection protection, BitLockerVolumeStatus volumeStatus, String encryptionMethod,
                        ProtectorClass protectorClass) {

    /** Names of {@code VolumeStatus} by its integer value. */
    static final List<String> VOLUME_STATUS = List.of("FullyDecrypted", "FullyEncrypted", "EncryptionInProgress",
            "DecryptionInProgress", "EncryptionPaused", "DecryptionPaused");
    /** Names of {@code ProtectionStatus} by its integer value. */
    static final List<String> PROTECTION_STATUS = List.of("Off", "On", "Unknown");
    /** Names of {@code EncryptionMethod} by its integer value. */
    static final List<String> ENCRYPTION_METHOD = List.of("None", "Aes128Diffuser", "Aes256Diffuser", "Aes128",
            "Aes256", "Hardware", "XtsAes128", "XtsAes256");

    /** {@code KeyProtectorType}, in the order of its integer values. */
    enum KeyProtectorType {
        UNKNOWN("Unknown"), TPM("Tpm"), EXTERNAL_KEY("ExternalKey"), RECOVERY_PASSWORD("NumericalPassword"),
        TPM_PIN("TpmPin"), TPM_STARTUP_KEY("TpmStartupKey"), TPM_PIN_STARTUP_KEY("TpmPinStartupKey"),
        PUBLIC_KEY("PublicKey"), PASSWORD("Password"), TPM_NETWORK_KEY("TpmNetworkKey"),
        AD_ACCOUNT_OR_GROUP("AdAccountOrGroup");

        private final String psName;

        KeyProtectorType(String psName) {
            this.psName = psName;
        }

        /** The type by its PowerShell name ({@code RecoveryPassword} is an alias of {@code NumericalPassword}). */
        static KeyProtectorType named(String name) {
            String wanted = name.strip();
            if (wanted.equalsIgnoreCase("RecoveryPassword")) {
                return RECOVERY_PASSWORD;
            }
            for (KeyProtectorType type : values()) {
                if (type.psName.equalsIgnoreCase(wanted)) {
                    return type;
                }
            }
            return UNKNOWN;
        }
    }

    /** Nothing could be read (for example {@code manage-bde} failed). */
    static final BitLockerReading UNKNOWN = new BitLockerReading(BitLockerProtection.UNKNOWN,
            BitLockerVolumeStatus.UNKNOWN, null, ProtectorClass.UNKNOWN);

    private static final Set<KeyProtectorType> PREBOOT_WITH_TPM = EnumSet.of(KeyProtectorType.TPM_PIN,
            KeyProtectorType.TPM_STARTUP_KEY, KeyProtectorType.TPM_PIN_STARTUP_KEY);

    /** As the Avro record. */
    BitLockerInfo toInfo() {
        return BitLockerInfo.newBuilder()
                .setProtection(protection)
                .setVolumeStatus(volumeStatus)
                .setEncryptionMethod(encryptionMethod)
                .setProtectorClass(protectorClass)
                .build();
    }

    /**
     * Reads {@code Get-BitLockerVolume} output at {@code path}: one volume object, or an array of volumes from which
     * the single one, or else the OS volume ({@code VolumeType} 0 / {@code OperatingSystem}), is taken.
     */
    static BitLockerReading fromJson(JsonNode node, String path) {
        JsonNode volume = node;
        String at = path;
        if (node.isArray()) {
            List<JsonNode> volumes = JsonFields.list(node);
            int chosen = -1;
            for (int i = 0; i < volumes.size() && chosen < 0; i++) {
                JsonNode type = volumes.get(i).isObject() ? JsonFields.child(volumes.get(i), "VolumeType") : null;
                if (volumes.size() == 1 || (type != null && type.isValueNode()
                        && (type.asText().equals("0") || type.asText().equalsIgnoreCase("OperatingSystem")))) {
                    chosen = i;
                }
            }
            if (chosen < 0) {
                throw new BadField(path, "expected the OS volume, got " + volumes.size()
                        + " volumes and none with VolumeType OperatingSystem");
            }
            volume = volumes.get(chosen);
            at = path + "[" + chosen + "]";
        }
        JsonFields.object(volume, at);
        int status = enumIndex(JsonFields.child(volume, "VolumeStatus"), at + ".VolumeStatus", VOLUME_STATUS);
        int protection = enumIndex(JsonFields.child(volume, "ProtectionStatus"), at + ".ProtectionStatus",
                PROTECTION_STATUS);
        int method = enumIndex(JsonFields.child(volume, "EncryptionMethod"), at + ".EncryptionMethod",
                ENCRYPTION_METHOD);
        return new BitLockerReading(
                switch (protection) {
                    case 0 -> BitLockerProtection.OFF;
                    case 1 -> BitLockerProtection.ON;
                    default -> BitLockerProtection.UNKNOWN;
                },
                volumeStatus(status),
                method < 0 || method >= ENCRYPTION_METHOD.size() ? null : ENCRYPTION_METHOD.get(method),
                classify(protectors(volume.get("KeyProtector"), at + ".KeyProtector")));
    }

    /** The volume status with integer value {@code index} (-1 or out of range: unknown). */
    static BitLockerVolumeStatus volumeStatus(int index) {
        return switch (index) {
            case 0 -> BitLockerVolumeStatus.FULLY_DECRYPTED;
            case 1 -> BitLockerVolumeStatus.FULLY_ENCRYPTED;
            case 2 -> BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS;
            case 3 -> BitLockerVolumeStatus.DECRYPTION_IN_PROGRESS;
            case 4 -> BitLockerVolumeStatus.ENCRYPTION_PAUSED;
            case 5 -> BitLockerVolumeStatus.DECRYPTION_PAUSED;
            default -> BitLockerVolumeStatus.UNKNOWN;
        };
    }

    /**
     * The protector class of a list of protector types; {@code null} (not reported) is unknown, an empty list none.
     * TPM with a PIN or startup key is pre-boot; a password is its own class; TPM alone, or with protectors that are
     * not asked for at boot (recovery password, AD account, certificate, an external recovery key, network unlock) is
     * TPM only; an external key without TPM is a startup key, so pre-boot. Anything else (only a recovery password,
     * or a protector this code could not name beside the TPM) cannot be told and is unknown.
     */
    static ProtectorClass classify(List<KeyProtectorType> types) {
        if (types == null) {
            return ProtectorClass.UNKNOWN;
        }
        if (types.isEmpty()) {
            return ProtectorClass.NONE;
        }
        if (types.stream().anyMatch(PREBOOT_WITH_TPM::contains)) {
            return ProtectorClass.TPM_PREBOOT;
        }
        if (types.contains(KeyProtectorType.PASSWORD)) {
            return ProtectorClass.PASSWORD;
        }
        if (types.contains(KeyProtectorType.UNKNOWN)) {
            return ProtectorClass.UNKNOWN; // it might be a pre-boot protector
        }
        if (types.contains(KeyProtectorType.TPM)) {
            return ProtectorClass.TPM_ONLY;
        }
        if (types.contains(KeyProtectorType.EXTERNAL_KEY)) {
            return ProtectorClass.TPM_PREBOOT;
        }
        return ProtectorClass.UNKNOWN;
    }

    /** The protector types of a {@code KeyProtector} value; null when it is absent or JSON null. */
    private static List<KeyProtectorType> protectors(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<KeyProtectorType> types = new ArrayList<>();
        List<JsonNode> items = JsonFields.list(node);
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String at = node.isArray() ? path + "[" + i + "]" : path;
            if (item.isObject()) {
                int type = enumIndex(JsonFields.child(item, "KeyProtectorType"), at + ".KeyProtectorType",
                        null);
                types.add(type < 0 || type >= KeyProtectorType.values().length
                        ? KeyProtectorType.UNKNOWN : KeyProtectorType.values()[type]);
            } else if (item.isTextual()) {
                // Written too shallow (-Depth too low), a protector becomes its ToString(): the type name.
                types.add(KeyProtectorType.named(item.asText()));
            } else if (item.isIntegralNumber()) {
                Integer type = JsonFields.int32(item, at);
                types.add(type < 0 || type >= KeyProtectorType.values().length
                        ? KeyProtectorType.UNKNOWN : KeyProtectorType.values()[type]);
            } else {
                throw new BadField(at, "expected a key protector object, got " + JsonFields.describe(item));
            }
        }
        return types;
    }

    /**
     * The integer value of an enum given as an integer, a decimal string or a name in {@code names}; -1 when absent or
     * not known. {@code names} null means: names of {@link KeyProtectorType}.
     */
    private static int enumIndex(JsonNode node, String path, List<String> names) {
        if (node == null) {
            return -1;
        }
        if (node.isIntegralNumber()) {
            Long value = JsonFields.integer(node, path);
            return value < 0 || value > 1000 ? -1 : value.intValue();
        }
        if (!node.isTextual()) {
            throw new BadField(path, "expected an enum value (integer or name), got " + JsonFields.describe(node));
        }
        String text = node.asText().strip();
        if (text.isEmpty()) {
            return -1;
        }
        if (text.chars().allMatch(Character::isDigit)) {
            return text.length() > 4 ? -1 : Integer.parseInt(text);
        }
        if (names == null) {
            KeyProtectorType type = KeyProtectorType.named(text);
            return type.ordinal();
        }
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(text)) {
                return i;
            }
        }
        return -1;
    }
}
