package io.patchpulse.security;

/**
 * The address a PatchPulse HTTP server (ingest API, query API, dashboard, {@code /metrics}) prints and peers call:
 * {@code https} under TLS, and an IPv6 literal in brackets exactly once, whether it came bare ({@code ::1}) or
 * bracketed ({@code [::1]}, as in a {@code [::1]:9403} listen address).
 */
public final class ServerUrl {

    private ServerUrl() {
    }

    /** {@code http://host:port/path}, or {@code https://...} when {@code tls}; {@code path} may be empty. */
    public static String of(boolean tls, String host, int port, String path) {
        String bare = unbracketed(host);
        return (tls ? "https" : "http") + "://" + (bare.contains(":") ? "[" + bare + "]" : bare) + ":" + port + path;
    }

    /** The host without the brackets of an IPv6 literal, the form a socket binds to. */
    public static String unbracketed(String host) {
        return host.length() > 1 && host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host;
    }
}
