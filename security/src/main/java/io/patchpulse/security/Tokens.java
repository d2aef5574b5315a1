package io.patchpulse.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer tokens an HTTP endpoint admits, stored hashed: configuration holds {@code name:sha256hex[:scopes]}
 * entries, never a token itself, so a leaked config file lets no one in. Scopes are {@code read}, {@code write} or
 * {@code read,write}; an entry without them has {@code write} only (what the first ingest-only entries meant). A
 * presented token is hashed and compared in constant time with every entry; the match's name labels the caller
 * (rate limits, DLQ headers, logs).
 *
 * <p>Entries from a token file ({@link #load}) are live: when a token is checked, the file is read again at most once
 * a second, and a content that changed and then stayed the same for one more look replaces its entries, so adding
 * or revoking a token takes no restart (about two seconds) and an edit caught half-written is not taken. A file
 * that cannot be read or holds a bad entry leaves the entries as they were (with a warning naming the file). Revoke
 * a token by removing its line, not the file.
 */
public final class Tokens {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SCOPE_ALONE = Pattern.compile("(?i)read|write");
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(byte[] hash, Set<Scope> scopes, boolean explicit) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);
    /** How often a token file is looked at again, at most. */
    static final Duration FILE_CHECK_INTERVAL = Duration.ofSeconds(1);

    private volatile Map<String, Entry> entries;
    /** The live file's part: null for fixed entries. */
    private final TokenFile file;

    private Tokens(Map<String, Entry> entries) {
        this.entries = entries;
        this.file = null;
    }

    private Tokens(List<String> fixed, Path path, LongSupplier nanoTime, Duration interval) {
        this.file = new TokenFile(fixed, path, nanoTime, interval.toNanos());
        this.entries = parse(file.readAll()).entries;
    }

    /** A token file and the fixed entries beside it; its content is compared by digest, so no edit goes unseen. */
    private final class TokenFile {
        private final List<String> fixed;
        private final Path path;
        private final LongSupplier nanoTime;
        private final long intervalNanos;
        private volatile long nextCheck;
        /** The digest of the content the entries come from, and of a changed content seen once (or null). */
        private byte[] applied;
        private byte[] pending;
        /** The last warning given, so a file that stays broken is warned about once, not every second. */
        private String warned;

        TokenFile(List<String> fixed, Path path, LongSupplier nanoTime, long intervalNanos) {
            this.fixed = List.copyOf(fixed);
            this.path = path;
            this.nanoTime = nanoTime;
            this.intervalNanos = intervalNanos;
            this.nextCheck = nanoTime.getAsLong() + intervalNanos;
        }

        /** The fixed entries and the file's lines (at start). */
        List<String> readAll() {
            try {
                byte[] content = Files.readAllBytes(path);
                applied = sha256(content);
                return lines(content);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the token file " + path + ": " + e.getMessage());
            }
        }

        private List<String> lines(byte[] content) {
            List<String> all = new ArrayList<>(fixed);
            all.addAll(new String(content, StandardCharsets.UTF_8).lines().toList());
            return all;
        }

        /**
         * Reads the file again, at most once per interval; a changed content is taken once a second look finds it
         * unchanged (a file caught while being rewritten is not).
         */
        void refresh() {
            if (nanoTime.getAsLong() - nextCheck < 0) {
                return; // the common case: no lock, no I/O
            }
            synchronized (this) {
                long now = nanoTime.getAsLong();
                if (now - nextCheck < 0) {
                    return;
                }
                nextCheck = now + intervalNanos;
                try {
                    byte[] content = Files.readAllBytes(path);
                    byte[] digest = sha256(content);
                    if (MessageDigest.isEqual(digest, applied)) {
                        pending = null;
                        return;
                    }
                    if (pending == null || !MessageDigest.isEqual(digest, pending)) {
                        pending = digest; // changed: taken if it is the same at the next look
                        return;
                    }
                    applied = digest; // a bad content is not parsed again until it changes
                    pending = null;
                    Map<String, Entry> reloaded = parse(lines(content)).entries;
                    entries = reloaded;
                    warned = null;
                    LOG.info("token file {} changed: {} entries now admitted", path, reloaded.size());
                } catch (IOException | IllegalArgumentException e) {
                    String warning = e.getMessage();
                    if (!warning.equals(warned)) {
                        warned = warning;
                        LOG.warn("token file {} could not be read again, the entries stay as they were: {}", path,
                                warning);
                    }
                }
            }
        }
    }

    /** No token: every request is refused. */
    public static Tokens none() {
        return new Tokens(Map.of());
    }

    /**
     * Tokens from {@code name:sha256hex[:scopes]} entries; blank entries and lines starting with {@code #} are
     * skipped. A comma-separated setting splits {@code a:hash:read,write} into {@code a:hash:read} and {@code write}:
     * an item that is a scope alone belongs to the entry before it.
     *
     * @throws IllegalArgumentException naming the entry that is not of that form, or a name given twice (the
     *     message shows an entry's name, never the rest of it)
     */
    public static Tokens parse(List<String> entries) {
        Map<String, Entry> parsed = new LinkedHashMap<>();
        String previous = null;
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            if (SCOPE_ALONE.matcher(entry).matches()) {
                Entry before = previous == null ? null : parsed.get(previous);
                if (before == null || !before.explicit()) {
                    throw new IllegalArgumentException("scope '" + entry + "' follows no name:sha256hex:scopes entry");
                }
                Set<Scope> scopes = EnumSet.copyOf(before.scopes());
                scopes.addAll(Scope.parse(entry));
                parsed.put(previous, new Entry(before.hash(), scopes, true));
                continue;
            }
            String[] parts = entry.split(":", -1);
            String name = parts[0];
            String hash = parts.length > 1 ? parts[1] : "";
            if (parts.length > 3 || !NAME.matcher(name).matches() || !HASH.matcher(hash).matches()) {
                throw new IllegalArgumentException(describe(entry) + " is not name:sha256hex[:scopes]"
                        + " (a name of letters, digits, . _ -, the 64 hex digits of the token's SHA-256, then"
                        + " optionally read, write or read,write; without scopes: write)");
            }
            Set<Scope> scopes;
            try {
                scopes = parts.length == 3 ? Scope.parse(parts[2]) : EnumSet.of(Scope.WRITE);
            } catch (IllegalArgumentException e) {
                // Not the parser's message: it quotes the part, which may be a token pasted in the wrong place.
                throw new IllegalArgumentException("entry '" + name + "': its scopes are not read, write or"
                        + " read,write (the part after the hash is not shown: it may be a token)");
            }
            if (parsed.put(name, new Entry(HEX.parseHex(hash.toLowerCase(Locale.ROOT)), scopes, parts.length == 3))
                    != null) {
                throw new IllegalArgumentException("token name '" + name + "' is given twice");
            }
            previous = name;
        }
        return new Tokens(parsed);
    }

    /**
     * Tokens from {@code entries} and, when {@code file} is not null, its lines (same form, {@code #} comments).
     *
     * @throws IllegalArgumentException naming the file that cannot be read or the entry at fault
     */
    public static Tokens load(List<String> entries, Path file) {
        return load(entries, file, System::nanoTime, FILE_CHECK_INTERVAL);
    }

    static Tokens load(List<String> entries, Path file, LongSupplier nanoTime, Duration interval) {
        return file == null ? parse(entries) : new Tokens(entries, file, nanoTime, interval);
    }

    /** True when no token is configured (every request is refused). */
    public boolean isEmpty() {
        return current().isEmpty();
    }

    /** How many entries there are. */
    public int size() {
        return current().size();
    }

    /**
     * Whether {@code principal}'s entry is still here with the same token ({@code tokenHash}, its SHA-256) and
     * scopes: a session opened with a token that was revoked, replaced under the same name, or given other scopes
     * ends.
     */
    public boolean stillAdmits(Principal principal, byte[] tokenHash) {
        Entry entry = current().get(principal.name());
        return entry != null && tokenHash != null && MessageDigest.isEqual(entry.hash(), tokenHash)
                && entry.scopes().equals(principal.scopes());
    }

    private Map<String, Entry> current() {
        if (file != null) {
            file.refresh();
        }
        return entries;
    }

    /** The entry {@code token} matches, as a principal, or empty. */
    public Optional<Principal> verify(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = sha256(token);
        Principal match = null;
        for (Map.Entry<String, Entry> entry : current().entrySet()) {
            // Constant-time comparison, and no early exit: timing says nothing about which entry matched.
            if (MessageDigest.isEqual(presented, entry.getValue().hash())) {
                match = new Principal(entry.getKey(), entry.getValue().scopes());
            }
        }
        return Optional.ofNullable(match);
    }

    /** A new random token (256 bits, URL-safe Base64 without padding: safe in a header, a URL fragment, a file). */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The configuration entry for {@code token} under {@code name}, scope write (the ingest-only form). */
    public static String entry(String name, String token) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("token name '" + name + "' must be 1 to 64 letters, digits, . _ -");
        }
        return name + ":" + HEX.formatHex(sha256(token));
    }

    /** The configuration entry for {@code token} under {@code name} with {@code scopes}. */
    public static String entry(String name, String token, Set<Scope> scopes) {
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a token needs at least one scope (read, write)");
        }
        return entry(name, token) + ":" + Scope.format(scopes);
    }

    static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
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
