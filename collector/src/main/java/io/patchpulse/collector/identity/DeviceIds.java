package io.patchpulse.collector.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a host name or hardware id into the device id PatchPulse keys everything by.
 *
 * <p>By default ({@link #hmac}) the id is a keyed hash, {@code d-} + the first 32 hex digits (128 bits) of
 * HMAC-SHA256 over the normalized name: stable for one key, not reversible without it, so raw host names never leave
 * the collector. {@link #raw} keeps the normalized name itself, for sites that configured it.
 *
 * <p>Names are normalized before hashing so that the sources agree on one device: trimmed, lower-cased, and a DNS
 * name cut to its first label ({@code DESKTOP-1.corp.example.com}, {@code DESKTOP-1} and {@code desktop-1} are one
 * device; event XML carries the FQDN, osquery and WUfB the short name). IP addresses and GUIDs are kept whole.
 */
public final class DeviceIds {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Pattern PSEUDONYM = Pattern.compile("d-[0-9a-f]{32}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;
    /** A keyed Mac per thread: creating and initializing one costs more than hashing a name. */
    private final ThreadLocal<Mac> macs;

    private DeviceIds(SecretKeySpec key) {
        this.key = key;
        this.macs = key == null ? null : ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
            }
        });
    }

    /** Keyed-hash ids under {@code key} (at least 16 bytes). */
    public static DeviceIds hmac(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < 16) {
            throw new IllegalArgumentException("the device-id key must be at least 16 bytes, got " + key.length);
        }
        DeviceIds ids = new DeviceIds(new SecretKeySpec(key.clone(), ALGORITHM));
        ids.of("self-test"); // fail here, not on the first record, if the JVM lacks HmacSHA256
        return ids;
    }

    /** Ids that are the normalized names themselves (raw names leave the collector). */
    public static DeviceIds raw() {
        return new DeviceIds(null);
    }

    /** True when {@code id} has the shape of this class's keyed-hash ids ({@code d-} + 32 lower-case hex digits). */
    public static boolean isPseudonym(String id) {
        return id != null && PSEUDONYM.matcher(id).matches();
    }

    /** True when ids are keyed hashes. */
    public boolean pseudonymous() {
        return key != null;
    }

    /**
     * The device id for {@code hostOrHardwareId}.
     *
     * @throws IllegalArgumentException when the name is blank
     */
    public String of(String hostOrHardwareId) {
        String name = normalize(hostOrHardwareId);
        if (key == null) {
            return name;
        }
        byte[] digest = macs.get().doFinal(name.getBytes(StandardCharsets.UTF_8));
        return "d-" + HEX.formatHex(digest, 0, 16);
    }

    /**
     * The name as it is hashed: trimmed, lower case, a DNS name cut to its first label.
     *
     * @throws IllegalArgumentException when the name is blank
     */
    public static String normalize(String hostOrHardwareId) {
        if (hostOrHardwareId == null || hostOrHardwareId.isBlank()) {
            throw new IllegalArgumentException("a host name or hardware id is required");
        }
        String name = hostOrHardwareId.strip().toLowerCase(Locale.ROOT);
        int dot = name.indexOf('.');
        if (dot > 0 && !IPV4.matcher(name).matches()) {
            name = name.substring(0, dot);
        }
        return name;
    }
}
