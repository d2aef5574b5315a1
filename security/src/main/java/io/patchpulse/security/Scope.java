package io.patchpulse.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a token may do: {@link #READ} every GET (queries, dashboard, status, metrics), {@link #WRITE} ingest. */
public enum Scope {
    READ, WRITE;

    /** The lower-case name used in token entries and in {@code WWW-Authenticate}'s {@code scope}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Scopes from {@code read}, {@code write} or {@code read,write}.
     *
     * @throws IllegalArgumentException naming the part that is neither
     */
    public static Set<Scope> parse(String text) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String part : text.split(",", -1)) {
            switch (part.strip().toLowerCase(Locale.ROOT)) {
                case "read" -> scopes.add(READ);
                case "write" -> scopes.add(WRITE);
                default -> throw new IllegalArgumentException("scope '" + part.strip() + "' is not read or write");
            }
        }
        return scopes;
    }

    /** {@code read,write} style text of {@code scopes}. */
    public static String format(Set<Scope> scopes) {
        return String.join(",", scopes.stream().sorted().map(Scope::id).toList());
    }
}
