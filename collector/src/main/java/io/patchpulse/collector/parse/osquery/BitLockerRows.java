package io.patchpulse.collector.parse.osquery;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.ProtectorClass;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rows of {@code bitlocker_info} ({@code Win32_EncryptableVolume}): a partial inventory holding only the BitLocker
 * state, for the OS volume only ({@code C:}; other volumes are skipped), observed at the time of the query run.
 * {@code conversion_status} and {@code protection_status} are WMI's numbers; {@code encryption_method} is osquery's
 * token ({@code XTS_AES_128}) or WMI's number (as an early development version of the table wrote it), and becomes
 * the {@code Get-BitLockerVolume} name the rest of PatchPulse uses ({@code XtsAes128}). Released osquery versions do
 * not report key protectors, so the protector class is {@code UNKNOWN}; the {@code protector_types} column osquery's
 * main branch added in May 2026 (PR #8873: {@code TPM,NUMERIC_PASSWORD}) is read when present.
 */
final class BitLockerRows {

    private static final List<BitLockerVolumeStatus> CONVERSION_STATUS = List.of(
            BitLockerVolumeStatus.FULLY_DECRYPTED, BitLockerVolumeStatus.FULLY_ENCRYPTED,
            BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS, BitLockerVolumeStatus.DECRYPTION_IN_PROGRESS,
            BitLockerVolumeStatus.ENCRYPTION_PAUSED, BitLockerVolumeStatus.DECRYPTION_PAUSED);
    private static final List<BitLockerProtection> PROTECTION_STATUS = List.of(
            BitLockerProtection.OFF, BitLockerProtection.ON, BitLockerProtection.UNKNOWN);
    /** WMI {@code EncryptionMethod} 0-7 in order, as osquery names them and as Get-BitLockerVolume does. */
    private static final List<String> OSQUERY_METHODS = List.of("NONE", "AES_128_WITH_DIFFUSER",
            "AES_256_WITH_DIFFUSER", "AES_128", "AES_256", "HARDWARE_ENCRYPTION", "XTS_AES_128", "XTS_AES_256");
    private static final List<String> METHODS = List.of("None", "Aes128Diffuser", "Aes256Diffuser", "Aes128", "Aes256",
            "Hardware", "XtsAes128", "XtsAes256");
    private static final Map<String, String> BY_TOKEN = byToken();

    private BitLockerRows() {
    }

    static List<CollectedRecord> read(Row row) {
        if (!isSystemDrive(row.text("drive_letter"))) {
            return List.of();
        }
        BitLockerVolumeStatus volume =
                byNumber(CONVERSION_STATUS, row.integer("conversion_status"), BitLockerVolumeStatus.UNKNOWN);
        BitLockerInfo bitlocker = BitLockerInfo.newBuilder()
                .setProtection(
                        byNumber(PROTECTION_STATUS, row.integer("protection_status"), BitLockerProtection.UNKNOWN))
                .setVolumeStatus(volume)
                .setEncryptionMethod(encryptionMethod(row.text("encryption_method")))
                .setProtectorClass(protectorClass(row, volume))
                .build();
        DeviceInventory inventory = DeviceInventory.newBuilder()
                .setDeviceId(row.line().deviceId())
                .setObservedAt(row.line().observedAt())
                .setBitlocker(bitlocker)
                .build();
        return List.of(new CollectedRecord.Inventory(inventory, row.line().receivedAt()));
    }

    /**
     * The class of the key protectors in {@code protector_types}: a TPM with PIN or startup key is pre-boot, a
     * passphrase is a password, a TPM alone is TPM-only. An empty list is none on a decrypted volume only: osquery
     * writes the same empty list when it could not read the protectors. A recovery password or an external key alone
     * says nothing about how the volume unlocks at boot: unknown, as is an absent column.
     */
    private static ProtectorClass protectorClass(Row row, BitLockerVolumeStatus volume) {
        if (!row.has("protector_types")) {
            return ProtectorClass.UNKNOWN;
        }
        String text = row.text("protector_types");
        List<String> types = text == null ? List.of() : Arrays.stream(text.split(","))
                .map(type -> type.strip().toUpperCase(Locale.ROOT))
                .filter(type -> !type.isEmpty())
                .toList();
        if (types.isEmpty()) {
            return volume == BitLockerVolumeStatus.FULLY_DECRYPTED ? ProtectorClass.NONE : ProtectorClass.UNKNOWN;
        }
        if (types.stream().anyMatch(type -> type.startsWith("TPM_AND_"))) {
            return ProtectorClass.TPM_PREBOOT;
        }
        if (types.contains("PASSPHRASE")) {
            return ProtectorClass.PASSWORD;
        }
        return types.contains("TPM") ? ProtectorClass.TPM_ONLY : ProtectorClass.UNKNOWN;
    }

    /** {@code C:} (also {@code c:}, {@code C:\}); volumes without a letter are not the OS volume. */
    private static boolean isSystemDrive(String driveLetter) {
        if (driveLetter == null) {
            return false;
        }
        String drive = driveLetter.strip().toUpperCase(Locale.ROOT);
        return drive.equals("C:") || drive.equals("C:\\");
    }

    /** The value numbered {@code number} in {@code values}; {@code unknown} for absent or unknown numbers. */
    private static <T> T byNumber(List<T> values, Long number, T unknown) {
        return number == null || number < 0 || number >= values.size() ? unknown : values.get(number.intValue());
    }

    /** The Get-BitLockerVolume name of a method; osquery's UNKNOWN and blanks are null, other values kept as given. */
    private static String encryptionMethod(String method) {
        String text = method == null ? "" : method.strip();
        if (text.isEmpty() || text.equalsIgnoreCase("UNKNOWN")) {
            return null;
        }
        return BY_TOKEN.getOrDefault(text.toUpperCase(Locale.ROOT), text);
    }

    private static Map<String, String> byToken() {
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < METHODS.size(); i++) {
            names.put(OSQUERY_METHODS.get(i), METHODS.get(i));
            names.put(String.valueOf(i), METHODS.get(i));
            names.put(METHODS.get(i).toUpperCase(Locale.ROOT), METHODS.get(i));
        }
        return Map.copyOf(names);
    }
}
