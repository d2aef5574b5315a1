package io.patchpulse.collector.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret behind pseudonymous device ids: 32 random bytes, Base64 in a file (by default {@code device-id.key} in
 * the data directory), created on first use with owner-only permissions. Every collector of one fleet must share the
 * file, or one device gets a different id from each.
 */
public final class DeviceIdKey {

    /** The file name in the data directory. */
    public static final String FILE_NAME = "device-id.key";
    private static final int KEY_BYTES = 32;

    private DeviceIdKey() {
    }

    /**
     * The key in {@code file}, created with a fresh random key when the file does not exist.
     *
     * @throws IOException              when the file cannot be read or written
     * @throws IllegalArgumentException when the file does not hold Base64 of at least 16 bytes
     */
    public static byte[] loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            SecretFiles.createOnce(file, Base64.getEncoder().encodeToString(key) + "\n");
        }
        return read(file);
    }

    /** The key in {@code file}; see {@link #loadOrCreate}. */
    public static byte[] read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device-id key file " + file + " does not hold Base64 text", e);
        }
        if (key.length < 16) {
            throw new IllegalArgumentException("device-id key file " + file + " holds " + key.length
                    + " bytes; at least 16 are needed");
        }
        return key;
    }

}
