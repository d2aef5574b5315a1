package io.patchpulse.collector.parse.agent;

import io.patchpulse.collector.parse.agent.BitLockerReading.KeyProtectorType;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the raw text of {@code manage-bde -status C:}, whose labels and values are localized, by structure first:
 *
 * <pre>
 * Volume C: [Windows]                       Volume "C:" [Windows]
 * [OS Volume]                               [Betriebssystemvolume]
 *     Conversion Status:    Fully Encrypted     Konvertierungsstatus:         Vollständig verschlüsselt
 *     Percentage Encrypted: 100.0%              Verschlüsselt (Prozent):      100,0 %
 *     Encryption Method:    XTS-AES 128         Verschlüsselungsmethode:      XTS-AES 128
 *     Protection Status:    Protection On       Schutzstatus:                 Der Schutz ist aktiviert.
 *     Key Protectors:                           Schlüsselschutzvorrichtungen:
 *         TPM                                       TPM
 *         Numerical Password                        Numerisches Kennwort
 * </pre>
 *
 * The percentage line is found by its value ({@code 100.0%}, {@code 0,0 %}); the fields around it keep their order in
 * every language (conversion status before it, then encryption method and protection status after it), and known
 * English, German and French labels are used when present. Values are read by known tokens: {@code AES} /
 * {@code XTS-AES} and key sizes for the method, on/off words for protection, encrypt/decrypt/paused/in-progress words
 * (or a percentage of exactly 0 or 100) for the conversion, and TPM / PIN / key / password words for the protector
 * lines. What cannot be told stays unknown; an error message instead of a status block gives
 * {@link BitLockerReading#UNKNOWN}.
 */
final class ManageBdeStatus {

    private static final Pattern FIELD = Pattern.compile("^(\\s*)([^:]{1,80}?)\\s*:\\s*(.*?)\\s*$");
    private static final Pattern PERCENT = Pattern.compile("^(\\d{1,3}(?:[.,]\\d{1,3})?)\\s*%$");
    /** The first line of a volume block: {@code Volume C: [Label]}, {@code Volume "C:" []}. */
    private static final Pattern VOLUME = Pattern.compile("^\\S.*?\"?\\b([A-Za-z]):\"?\\s*\\[.*$");
    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-");
    private static final Pattern AES_BITS = Pattern.compile("(128|256)");

    private static final List<String> CONVERSION_LABELS = List.of("conversion status", "konvertierungsstatus",
            "état de la conversion");
    private static final List<String> METHOD_LABELS = List.of("encryption method", "verschlüsselungsmethode",
            "méthode de chiffrement", "methode de chiffrement");
    private static final List<String> PROTECTION_LABELS = List.of("protection status", "schutzstatus",
            "état de la protection", "etat de la protection");
    private static final List<String> PROTECTOR_LABELS = List.of("key protectors", "schlüsselschutzvorrichtungen",
            "protecteurs de clés", "protecteurs de cles");

    private static final List<String> NONE = List.of("none", "kein", "aucun", "ninguno", "nessuno");
    private static final List<String> OFF = List.of("protection off", "deaktiviert", "désactivée", "desactivee",
            "desactivada", "disattivata", "uitgeschakeld");
    private static final List<String> ON = List.of("protection on", "aktiviert", "activée", "activee", "activada",
            "attivata", "ingeschakeld");
    private static final List<String> PAUSED = List.of("paused", "angehalten", "suspendu", "en pause", "pausa");
    private static final List<String> IN_PROGRESS = List.of("progress", "wird ausgeführt", "en cours", "en curso",
            "in corso");
    private static final List<String> DECRYPT = List.of("decrypt", "entschlüssel", "déchiffr", "dechiffr", "descifr",
            "decritt");
    private static final List<String> ENCRYPT = List.of("encrypt", "verschlüssel", "chiffr", "cifrad", "crittograf");
    private static final List<String> STARTUP_KEY = List.of("startup key", "systemstartschlüssel", "startschlüssel",
            "clé de démarrage", "cle de demarrage", "clave de inicio");
    private static final List<String> NETWORK = List.of("network", "netzwerk", "réseau", "reseau");
    private static final List<String> NUMERIC = List.of("numer", "numér");
    private static final List<String> PASSWORD = List.of("password", "kennwort", "passwort", "mot de passe",
            "contraseña");
    private static final List<String> EXTERNAL = List.of("extern", "esterna");
    private static final List<String> CERTIFICATE = List.of("certificate", "zertifikat", "certificat", "smart card",
            "smartcard", "public key");
    private static final List<String> ACCOUNT = List.of("account", "konto", "compte", "sid");

    private ManageBdeStatus() {
    }

    private record Field(int indent, String label, String value, int line) {
    }

    /** Reads the block of {@code systemDrive} (or the only / first block); never throws. */
    static BitLockerReading parse(String text, Character systemDrive) {
        if (text == null || text.isBlank()) {
            return BitLockerReading.UNKNOWN;
        }
        List<String> lines = block(List.of(text.split("\\R")), systemDrive == null ? 'C' : systemDrive);
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).length() > 1024) {
                continue; // not manage-bde's; kept from the regular expressions (quadratic on long blank runs)
            }
            Matcher field = FIELD.matcher(lines.get(i));
            if (field.matches()) {
                fields.add(new Field(field.group(1).length(), field.group(2).strip().toLowerCase(Locale.ROOT),
                        field.group(3), i));
            }
        }
        int percentAt = -1;
        Double percent = null;
        for (int i = 0; i < fields.size() && percentAt < 0; i++) {
            Matcher value = PERCENT.matcher(fields.get(i).value());
            if (value.matches()) {
                percentAt = i;
                percent = Double.valueOf(value.group(1).replace(',', '.'));
            }
        }
        Field conversion = field(fields, CONVERSION_LABELS, percentAt, -1);
        Field method = field(fields, METHOD_LABELS, percentAt, 1);
        Field protection = field(fields, PROTECTION_LABELS, percentAt, 2);
        Field protectors = protectorField(fields, lines);
        if (conversion == null && method == null && protection == null && protectors == null && percent == null) {
            return BitLockerReading.UNKNOWN;
        }
        return new BitLockerReading(
                protection == null ? BitLockerProtection.UNKNOWN : protection(protection.value()),
                volumeStatus(conversion == null ? "" : conversion.value(), percent),
                method == null ? null : method(method.value()),
                BitLockerReading.classify(protectors == null ? null : protectorTypes(protectors, lines)));
    }

    /** The lines of the volume block for {@code drive}; all lines when there are no recognisable blocks. */
    private static List<String> block(List<String> lines, char drive) {
        List<Integer> starts = new ArrayList<>();
        int chosen = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).length() > 1024) {
                continue;
            }
            Matcher volume = VOLUME.matcher(lines.get(i));
            if (volume.matches()) {
                if (chosen < 0 && Character.toUpperCase(volume.group(1).charAt(0)) == Character.toUpperCase(drive)) {
                    chosen = starts.size();
                }
                starts.add(i);
            }
        }
        if (starts.isEmpty()) {
            return lines;
        }
        int index = Math.max(chosen, 0);
        int end = index + 1 < starts.size() ? starts.get(index + 1) : lines.size();
        return lines.subList(starts.get(index), end);
    }

    /** The field with one of {@code labels}, else the one {@code offset} places from the percentage line. */
    private static Field field(List<Field> fields, List<String> labels, int percentAt, int offset) {
        for (Field field : fields) {
            if (labels.contains(field.label())) {
                return field;
            }
        }
        int at = percentAt + offset;
        return percentAt < 0 || at < 0 || at >= fields.size() ? null : fields.get(at);
    }

    /** The key-protector field: by label, else the last field followed by deeper-indented lines, else none. */
    private static Field protectorField(List<Field> fields, List<String> lines) {
        for (Field field : fields) {
            if (PROTECTOR_LABELS.contains(field.label())) {
                return field;
            }
        }
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (!subLines(fields.get(i), lines).isEmpty()) {
                return fields.get(i);
            }
        }
        return null;
    }

    /** Non-blank lines right after {@code field} indented deeper than it. */
    private static List<String> subLines(Field field, List<String> lines) {
        List<String> sub = new ArrayList<>();
        for (int i = field.line() + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            int indent = line.length() - line.stripLeading().length();
            if (line.isBlank() || indent <= field.indent()) {
                break;
            }
            sub.add(line.strip());
        }
        return sub;
    }

    private static List<KeyProtectorType> protectorTypes(Field field, List<String> lines) {
        List<KeyProtectorType> types = new ArrayList<>();
        List<String> names = new ArrayList<>(subLines(field, lines));
        String inline = field.value().strip();
        if (!inline.isEmpty()) {
            if (names.isEmpty() && startsWithAny(inline.toLowerCase(Locale.ROOT), NONE)) {
                return types; // "None Found", "Keine gefunden", "Aucun trouvé"
            }
            names.add(0, inline);
        }
        for (String name : names) {
            if (GUID.matcher(name).find()) {
                continue; // an ID line under a protector (manage-bde -protectors -get style)
            }
            types.add(protectorType(name));
        }
        return types;
    }

    /** One protector line, by its words. */
    static KeyProtectorType protectorType(String line) {
        String text = line.strip().toLowerCase(Locale.ROOT);
        boolean tpm = Pattern.compile("\\btpm\\b").matcher(text).find();
        boolean pin = Pattern.compile("\\bpin\\b").matcher(text).find();
        boolean key = containsAny(text, STARTUP_KEY);
        if (tpm) {
            if (pin && key) {
                return KeyProtectorType.TPM_PIN_STARTUP_KEY;
            }
            if (pin) {
                return KeyProtectorType.TPM_PIN;
            }
            if (containsAny(text, NETWORK)) {
                return KeyProtectorType.TPM_NETWORK_KEY;
            }
            if (key) {
                return KeyProtectorType.TPM_STARTUP_KEY;
            }
            return text.equals("tpm") ? KeyProtectorType.TPM : KeyProtectorType.UNKNOWN;
        }
        if (containsAny(text, NUMERIC)) {
            return KeyProtectorType.RECOVERY_PASSWORD;
        }
        if (containsAny(text, PASSWORD)) {
            return KeyProtectorType.PASSWORD;
        }
        if (containsAny(text, EXTERNAL)) {
            return KeyProtectorType.EXTERNAL_KEY;
        }
        if (containsAny(text, CERTIFICATE)) {
            return KeyProtectorType.PUBLIC_KEY;
        }
        if (containsAny(text, ACCOUNT)) {
            return KeyProtectorType.AD_ACCOUNT_OR_GROUP;
        }
        return KeyProtectorType.UNKNOWN;
    }

    /** {@code XtsAes128} and the other {@code EncryptionMethod} names; null when the value says nothing known. */
    static String method(String value) {
        String text = value.toUpperCase(Locale.ROOT);
        Matcher bits = AES_BITS.matcher(text);
        String size = bits.find() ? bits.group(1) : null;
        if (text.contains("XTS") && text.contains("AES")) {
            return size == null ? null : "XtsAes" + size;
        }
        if (text.contains("AES")) {
            if (size == null) {
                return null;
            }
            return text.contains("DIFFUS") ? "Aes" + size + "Diffuser" : "Aes" + size;
        }
        if (text.contains("HARDWARE") || text.contains("MATÉRIEL")) {
            return "Hardware";
        }
        return startsWithAny(text.toLowerCase(Locale.ROOT), NONE) ? "None" : null;
    }

    static BitLockerProtection protection(String value) {
        String text = value.toLowerCase(Locale.ROOT);
        if (containsAny(text, OFF)) {
            return BitLockerProtection.OFF;
        }
        if (containsAny(text, ON)) {
            return BitLockerProtection.ON;
        }
        return BitLockerProtection.UNKNOWN;
    }

    static BitLockerVolumeStatus volumeStatus(String value, Double percent) {
        String text = value.toLowerCase(Locale.ROOT);
        boolean decrypt = containsAny(text, DECRYPT);
        boolean encrypt = !decrypt && containsAny(text, ENCRYPT);
        if (containsAny(text, PAUSED)) {
            return decrypt ? BitLockerVolumeStatus.DECRYPTION_PAUSED
                    : encrypt ? BitLockerVolumeStatus.ENCRYPTION_PAUSED : BitLockerVolumeStatus.UNKNOWN;
        }
        if (containsAny(text, IN_PROGRESS)) {
            return decrypt ? BitLockerVolumeStatus.DECRYPTION_IN_PROGRESS
                    : encrypt ? BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS : BitLockerVolumeStatus.UNKNOWN;
        }
        if (percent != null && percent == 100.0 && !decrypt) {
            return BitLockerVolumeStatus.FULLY_ENCRYPTED; // includes "Used Space Only Encrypted"
        }
        if (percent != null && percent == 0.0 && !encrypt) {
            return BitLockerVolumeStatus.FULLY_DECRYPTED;
        }
        if (percent == null && decrypt) {
            return BitLockerVolumeStatus.FULLY_DECRYPTED;
        }
        if (percent == null && encrypt) {
            return BitLockerVolumeStatus.FULLY_ENCRYPTED;
        }
        return BitLockerVolumeStatus.UNKNOWN;
    }

    private static boolean containsAny(String text, List<String> tokens) {
        for (String token : tokens) {
            if (text.contains(token)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithAny(String text, List<String> tokens) {
        for (String token : tokens) {
            if (text.startsWith(token)) {
                return true;
            }
        }
        return false;
    }
}
