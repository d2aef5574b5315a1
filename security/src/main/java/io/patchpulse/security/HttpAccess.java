package io.patchpulse.security;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access control of one Javalin server: a before-handler on every path that admits a request only with
 * {@code Authorization: Bearer <token>} of a configured {@link Tokens} entry, or (when browser sessions are on) the
 * session cookie such a token opened, and only when that token has the scope the request needs: {@link Scope#READ}
 * for GET and HEAD, {@link Scope#WRITE} for everything else. Refusals follow RFC 6750: 401 with
 * {@code WWW-Authenticate: Bearer} (and {@code error="invalid_token"} for a token not configured), 403 with
 * {@code error="insufficient_scope"}; the body is an RFC 9457 problem document. The token itself is never logged.
 *
 * <p>Browser sessions (the dashboard): {@code POST /auth/session} with a bearer token of scope read answers 204 and
 * sets an HttpOnly, SameSite=Strict cookie (Secure under TLS) holding a random session id, never the token; the
 * session has the token's scopes and expires after a fixed time. A GET for a page (a path the page predicate accepts)
 * without credentials is answered 401 with a small HTML page whose script takes the token from the URL fragment
 * ({@code #token=...}, which browsers never send) or a form, opens the session, and reloads.
 */
public final class HttpAccess {

    private static final Logger LOG = LoggerFactory.getLogger(HttpAccess.class);
    /** The request attribute holding the {@link Principal} a request was admitted as. */
    public static final String PRINCIPAL = "patchpulse.principal";
    /** The path that opens a browser session. */
    public static final String SESSION_PATH = "/auth/session";
    /** Set on a request admitted by its bearer header (not a session cookie). */
    private static final String BEARER = "patchpulse.bearer";
    /** The SHA-256 of the bearer token of this request, which a session it opens is bound to. */
    private static final String TOKEN_HASH = "patchpulse.token-hash";
    /** The session cookie's name. */
    public static final String COOKIE = "patchpulse_session";
    /** Set on a refused request, so a server's generic 404/405 handlers leave the refusal as it is. */
    public static final String PROBLEM_WRITTEN = "patchpulse.problem";
    private static final String REALM = "Bearer realm=\"patchpulse\"";
    private static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final Tokens tokens;
    private final boolean secure;
    private final Duration sessionTtl;
    private final Predicate<String> pages;
    private final Clock clock;
    /** Sessions by the SHA-256 of their id (a heap dump shows no usable cookie). */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    private record Session(Principal principal, byte[] tokenHash, Instant expires) {
    }

    private HttpAccess(Tokens tokens, boolean secure, Duration sessionTtl, Predicate<String> pages, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.secure = secure;
        this.sessionTtl = sessionTtl;
        this.pages = pages;
        this.clock = clock;
    }

    /** Bearer tokens only (APIs, /metrics). */
    public static HttpAccess bearer(Tokens tokens) {
        return new HttpAccess(tokens, false, null, null, Clock.systemUTC());
    }

    /**
     * Bearer tokens or browser sessions (the dashboard).
     *
     * @param secure whether the server speaks TLS (the cookie is then Secure)
     * @param sessionTtl how long a session lasts from when it is opened
     * @param pages which GET paths are pages a browser opens (answered with the sign-in page when refused)
     */
    public static HttpAccess withSessions(Tokens tokens, boolean secure, Duration sessionTtl, Predicate<String> pages) {
        return withSessions(tokens, secure, sessionTtl, pages, Clock.systemUTC());
    }

    static HttpAccess withSessions(Tokens tokens, boolean secure, Duration sessionTtl, Predicate<String> pages,
            Clock clock) {
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("session lifetime must be positive, was " + sessionTtl);
        }
        return new HttpAccess(tokens, secure, sessionTtl, pages, clock);
    }

    /**
     * Registers the check on every path of {@code config} (call it before the server's own before-handlers), and the
     * session endpoint when sessions are on.
     *
     * @param what the server's name for the warning logged when no token is configured
     */
    public void install(JavalinConfig config, String what) {
        if (tokens.isEmpty()) {
            LOG.warn("No tokens are configured for the {}: every request will be refused with 401 (until one is added"
                    + " to its token file, if it has one)", what);
        }
        config.routes.before(this::check);
        if (sessionTtl != null) {
            config.routes.post(SESSION_PATH, this::openSession);
        }
    }

    /** The scope {@code method} needs: read for GET and HEAD, write for the rest. */
    public static Scope requiredScope(String method) {
        return method.equals("GET") || method.equals("HEAD") ? Scope.READ : Scope.WRITE;
    }

    private void check(Context ctx) {
        String method = ctx.method().name();
        // Javalin ignores trailing slashes when routing, so the session route is recognised the same way.
        boolean sessionRequest = sessionTtl != null && method.equals("POST")
                && ctx.path().replaceAll("/+$", "").equals(SESSION_PATH);
        // A session is opened with a read token, and with a bearer header only: a cookie cannot renew itself.
        Scope needed = sessionRequest ? Scope.READ : requiredScope(method);
        String header = ctx.header("Authorization");
        Principal principal;
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
                refuse(ctx, 401, REALM, "send Authorization: Bearer <token>", needed);
                return;
            }
            Optional<Principal> match = tokens.verify(header.substring(7).strip());
            if (match.isEmpty()) {
                refuse(ctx, 401, REALM + ", error=\"invalid_token\"", "the bearer token is not one this server"
                        + " accepts", needed);
                return;
            }
            principal = match.get();
            ctx.attribute(BEARER, Boolean.TRUE);
            ctx.attribute(TOKEN_HASH, Tokens.sha256(header.substring(7).strip()));
        } else {
            Optional<Principal> session = sessionRequest ? Optional.empty() : session(ctx);
            if (session.isEmpty()) {
                String detail = sessionTtl != null && ctx.cookie(COOKIE) != null
                        ? "the session has expired or is unknown; sign in again with a token"
                        : "send Authorization: Bearer <token>";
                refuse(ctx, 401, REALM, detail, needed);
                return;
            }
            principal = session.get();
        }
        if (!principal.may(needed)) {
            refuse(ctx, 403, REALM + ", error=\"insufficient_scope\", scope=\"" + needed.id() + "\"",
                    "token '" + principal.name() + "' has scope " + Scope.format(principal.scopes()) + "; "
                            + ctx.method() + " needs " + needed.id(), needed);
            return;
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    private Optional<Principal> session(Context ctx) {
        if (sessionTtl == null) {
            return Optional.empty();
        }
        String id = ctx.cookie(COOKIE);
        if (id == null || id.isEmpty() || id.length() > 100) {
            return Optional.empty();
        }
        String key = key(id);
        Session session = sessions.get(key);
        if (session == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(session.expires())
                || !tokens.stillAdmits(session.principal(), session.tokenHash())) {
            sessions.remove(key); // expired, or its token was revoked or replaced since (or its scopes changed)
            return Optional.empty();
        }
        return Optional.of(session.principal());
    }

    private void openSession(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (!Boolean.TRUE.equals(ctx.attribute(BEARER))) {
            // Whatever path led here, a session cookie never opens another session: only a token does.
            refuse(ctx, 401, REALM, "a session is opened with Authorization: Bearer <token> only", Scope.READ);
            return;
        }
        Instant now = clock.instant();
        sessions.values().removeIf(session -> !now.isBefore(session.expires()));
        while (sessions.size() >= MAX_SESSIONS) {
            // Bounded memory: a token holder opening sessions in a loop pushes out the oldest, nothing else.
            sessions.entrySet().stream().min(Comparator.comparing(entry -> entry.getValue().expires()))
                    .ifPresent(oldest -> sessions.remove(oldest.getKey()));
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.put(key(id), new Session(principal, ctx.attribute(TOKEN_HASH), now.plus(sessionTtl)));
        Cookie cookie = new Cookie(COOKIE, id);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSecure(secure);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setMaxAge((int) Math.min(Integer.MAX_VALUE, sessionTtl.toSeconds()));
        ctx.cookie(cookie);
        ctx.header("Cache-Control", "no-store");
        ctx.status(204);
        LOG.info("browser session opened for token '{}', valid {}", principal.name(), sessionTtl);
    }

    /** A route a server registered: its method and path pattern (e.g. {@code GET /v1/devices/{id}}). */
    public record Route(String method, String path) {
    }

    /**
     * Every HTTP route {@code app} registered (before/after handlers left out), so a test can knock on each and see
     * that a route added later without this check fails it.
     */
    public static java.util.List<Route> routes(io.javalin.Javalin app) {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> new Route(endpoint.method.name(), endpoint.path))
                .toList();
    }

    /** How many sessions are held (expired ones included until they are swept). */
    int sessionCount() {
        return sessions.size();
    }

    private void refuse(Context ctx, int status, String challenge, String detail, Scope needed) {
        ctx.header("WWW-Authenticate", challenge);
        ctx.header("Cache-Control", "no-store");
        ctx.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
        if (status == 401 && pages != null && ctx.method().name().equals("GET") && pages.test(ctx.path())) {
            ctx.header("Content-Security-Policy", SignInPage.CONTENT_SECURITY_POLICY);
            ctx.status(401).contentType("text/html; charset=utf-8").result(SignInPage.HTML);
        } else {
            ctx.status(status).contentType("application/problem+json").result(problem(status, detail, ctx.path()));
        }
        ctx.skipRemainingHandlers();
    }

    /** An RFC 9457 problem document. */
    static String problem(int status, String detail, String instance) {
        String title = status == 401 ? "Unauthorized" : status == 403 ? "Forbidden" : "Error";
        return "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":"
                + jsonString(detail) + ",\"instance\":" + jsonString(instance) + "}";
    }

    private static String jsonString(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String key(String id) {
        return HEX.formatHex(Tokens.sha256(id));
    }

    /** The sign-in page sent instead of a page a browser may not see yet. */
    static final class SignInPage {

        private static final String SCRIPT = """
                (function () {
                  var status = document.getElementById('status');
                  function signIn(token) {
                    status.textContent = 'signing in ...';
                    fetch('/auth/session', {method: 'POST', credentials: 'same-origin',
                        headers: {'Authorization': 'Bearer ' + token}})
                      .then(function (response) {
                        if (response.status === 204) { location.reload(); return; }
                        status.textContent = response.status === 403
                            ? 'this token may not read the dashboard' : 'this token is not accepted';
                      })
                      .catch(function () { status.textContent = 'the server cannot be reached'; });
                  }
                  var match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
                  if (match) {
                    history.replaceState(null, '', location.pathname + location.search);
                    signIn(decodeURIComponent(match[1]));
                  }
                  document.getElementById('sign-in').addEventListener('submit', function (event) {
                    event.preventDefault();
                    signIn(document.getElementById('token').value.trim());
                  });
                })();
                """;
        static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'sha256-"
                + Base64.getEncoder().encodeToString(Tokens.sha256(SCRIPT)) + "'; connect-src 'self';"
                + " style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'";
        static final String HTML = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>PatchPulse: sign in</title>
                <meta name="referrer" content="no-referrer"></head>
                <body style="font-family: sans-serif; max-width: 32em; margin: 4em auto">
                <h1>PatchPulse</h1>
                <p>This page needs a token with scope <code>read</code> (<code>patchpulse token --scopes read</code>;
                the demo prints a link that carries one).</p>
                <form id="sign-in"><label>Token <input id="token" type="password" autocomplete="off" size="44"></label>
                <button type="submit">Sign in</button></form>
                <p id="status" role="status"></p>
                <script>""" + SCRIPT + """
                </script>
                </body></html>
                """;

        private SignInPage() {
        }
    }
}
