package io.patchpulse.collector.parse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Event ids derived from what identifies an observation, so that the same observation read twice (a file read
 * again, a WUfB daily snapshot, a collector replaying its spool, one event shipped by two agents) gets the same id
 * and is counted once downstream (the topology drops replays by device + event id).
 *
 * <p>The id is {@code prefix} + the first 32 hex digits of SHA-256 over the parts joined by a separator that
 * cannot occur in them unescaped.
 */
public final class EventIds {

    private static final HexFormat HEX = HexFormat.of();

    private EventIds() {
    }

    /** {@code prefix} + hash of {@code parts} (nulls allowed, distinct from empty strings). */
    public static String of(String prefix, Object... parts) {
        StringBuilder text = new StringBuilder();
        for (Object part : parts) {
            if (part == null) {
                text.append("\u0000null");
            } else {
                text.append(String.valueOf(part).replace("\\", "\\\\").replace("|", "\\|"));
            }
            text.append('|');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return prefix + HEX.formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
