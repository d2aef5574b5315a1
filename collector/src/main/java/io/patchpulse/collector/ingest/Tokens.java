package io.patchpulse.collector.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bearer tokens that may send to the ingest API, stored hashed: configuration holds {@code name:sha256hex}
 * entries, never a token itself, so a leaked config file lets no one send. A presented token is hashed and compared
 * in constant time with every entry; the match's name labels the sender (rate limits, DLQ headers, logs).
 */
public final class Tokens {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private final Map<String, byte[]> hashes;

    private Tokens(Map<String, byte[]> hashes) {
        this.hashes = hashes;
    }

    /**
     * Tokens from {@code name:sha256hex} entries.
     *
     * @throws IllegalArgumentException naming the entry that is not of that form, or a name given twice
     */
    public static Tokens parse(List<String> entries) {
        Map<String, byte[]> hashes = new LinkedHashMap<>();
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String name = colon < 0 ? "" : entry.substring(0, colon);
            String hash = colon < 0 ? "" : entry.substring(colon + 1);
            if (!NAME.matcher(name).matches() || !HASH.matcher(hash).matches()) {
                throw new IllegalArgumentException(describe(entry) + " is not name:sha256hex (a name"
                        + " of letters, digits, . _ -, then the 64 hex digits of the token's SHA-256)");
            }
            if (hashes.put(name, HEX.parseHex(hash.toLowerCase(Locale.ROOT))) != null) {
                throw new IllegalArgumentException("token name '" + name + "' is given twice");
            }
        }
        return new Tokens(hashes);
    }

    /** True when no token is configured (every request is refused). */
    public boolean isEmpty() {
        return hashes.isEmpty();
    }

    /** The name of the entry {@code token} matches, or empty. */
    public Optional<String> verify(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = sha256(token);
        String match = null;
        for (Map.Entry<String, byte[]> entry : hashes.entrySet()) {
            // Constant-time comparison, and no early exit: timing says nothing about which entry matched.
            if (MessageDigest.isEqual(presented, entry.getValue())) {
                match = entry.getKey();
            }
        }
        return Optional.ofNullable(match);
    }

    /** A new random token (256 bits, URL-safe Base64). */
    public static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The configuration entry for {@code token} under {@code name}. */
    public static String entry(String name, String token) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("token name '" + name + "' must be 1 to 64 letters, digits, . _ -");
        }
        return name + ":" + HEX.formatHex(sha256(token));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /**
     * An entry named for an error message without echoing it: what is pasted here by mistake is often the token
     * itself, so only a well-formed name before the colon is shown.
     */
    private static String describe(String entry) {
        int colon = entry.indexOf(':');
        String name = colon < 0 ? "" : entry.substring(0, colon);
        return NAME.matcher(name).matches() ? "the entry named '" + name + "'"
                : "an entry of " + entry.length() + " characters (not shown: it may be a token)";
    }
}
