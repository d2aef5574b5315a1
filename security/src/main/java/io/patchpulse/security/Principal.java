package io.patchpulse.security;

import java.util.Objects;
import java.util.Set;

/**
 * Who a request was admitted as: the name of the token entry it matched (never the token) and what that token may do.
 */
public record Principal(String name, Set<Scope> scopes) {

    public Principal {
        Objects.requireNonNull(name, "name");
        scopes = Set.copyOf(scopes);
    }

    public boolean may(Scope scope) {
        return scopes.contains(scope);
    }
}
