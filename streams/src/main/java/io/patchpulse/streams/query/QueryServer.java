package io.patchpulse.streams.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.patchpulse.schemas.values.KbId;
import io.patchpulse.security.HttpAccess;
import io.patchpulse.security.ServerUrl;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interactive-query REST API of one streams instance (Javalin on Jetty, JSON).
 *
 * <ul>
 *   <li>{@code GET /v1/devices/{id}}: every {@code DeviceStatus} of the device, one per release;</li>
 *   <li>{@code GET /v1/releases/{kb}/progress}: the release's {@code ReleaseProgress} per day, oldest first, and
 *       the latest as {@code current};</li>
 *   <li>{@code GET /v1/cohorts/exposed?kb=KB&limit=100&after=<deviceId>}: how many devices are exposed for the
 *       release, and a page of them in device-id order ({@code next} is the cursor of the following page);</li>
 *   <li>{@code GET /v1/alerts?state=firing|resolved|all}: spike alerts, newest first (default firing).</li>
 * </ul>
 * Any instance answers any of them: a device's or a release's query goes to the instance that owns the key, the
 * others gather from every instance ({@code /v1/local/...}, answered from this instance's partitions only).
 * Every request needs a bearer token of scope read ({@link HttpAccess}: 401 / 403 otherwise); a forwarded request
 * carries the caller's own header. With TLS configured the API is served over HTTPS only and peers are asked over
 * HTTPS. Errors are RFC 9457 problem details: 400 naming the parameter, 404 for an unknown device or release, 503 with
 * Retry-After while the group rebalances or a store restores, 502 naming a peer that cannot be reached.
 */
public final class QueryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Header naming the instance ({@code host:port}) whose store answered a device or release query. */
    public static final String SERVED_BY = "X-PatchPulse-Served-By";
    /** Seconds a client waits before asking again while the group rebalances. */
    static final int RETRY_AFTER_SECONDS = 2;
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final int MAX_ID_LENGTH = 256;
    private static final String PROBLEM_WRITTEN = HttpAccess.PROBLEM_WRITTEN;

    private final Javalin app;
    private final AtomicReference<Queries> queries = new AtomicReference<>();
    private final Peers peers;
    private final boolean tls;

    private QueryServer(HostInfo listen, Tokens tokens, Optional<Tls> tls, javax.net.ssl.SSLContext peerTrust) {
        this.tls = tls.isPresent();
        this.peers = new Peers(Duration.ofSeconds(2), Duration.ofSeconds(10), tls.isPresent() ? peerTrust : null);
        this.app = Javalin.create(config -> {
            config.jetty.host = ServerUrl.unbracketed(listen.host());
            config.jetty.port = listen.port();
            config.startup.showJavalinBanner = false;
            tls.ifPresent(keys -> keys.apply(config));
            HttpAccess.bearer(tokens).install(config, "interactive-query API (query.tokens)");
            config.routes.get("/v1/devices/{id}", ctx -> answer(ctx, queries(ctx).device(deviceId(ctx))));
            config.routes.get("/v1/releases/{kb}/progress", ctx -> answer(ctx,
                    queries(ctx).releaseProgress(kb(ctx.pathParam("kb"), "kb"))));
            config.routes.get("/v1/cohorts/exposed", ctx -> answer(ctx, queries(ctx).exposed(
                    kb(ctx.queryParam("kb"), "kb"), limit(ctx), after(ctx))));
            config.routes.get("/v1/alerts", ctx -> answer(ctx, queries(ctx).alerts(state(ctx))));
            config.routes.get(Queries.LOCAL + "/devices/{id}", ctx -> answer(ctx,
                    queries(ctx).localDevice(deviceId(ctx))));
            config.routes.get(Queries.LOCAL + "/releases/{kb}/progress", ctx -> answer(ctx,
                    queries(ctx).localReleaseProgress(kb(ctx.pathParam("kb"), "kb"))));
            config.routes.get(Queries.LOCAL + "/cohorts/exposed", ctx -> answer(ctx, Queries.Answer.ok(
                    queries(ctx).localExposed(kb(ctx.queryParam("kb"), "kb"), limit(ctx), after(ctx)), null)));
            config.routes.get(Queries.LOCAL + "/alerts", ctx -> answer(ctx, Queries.Answer.ok(
                    queries(ctx).localAlerts(state(ctx)), null)));
            config.routes.exception(ProblemException.class, (e, ctx) -> problem(ctx, e.status(), e.getMessage(),
                    e.parameter(), e.reason()));
            config.routes.exception(NotQueryableException.class, (e, ctx) -> {
                ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                problem(ctx, 503, e.getMessage());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                // The route, never the URL: its path and query hold device ids (pseudonyms stay out of logs).
                LOG.error("query {} {} failed", ctx.method(), route(ctx), e);
                problem(ctx, 500, "the query failed on this instance (" + e.getClass().getSimpleName() + ")");
            });
            config.routes.error(404, "*", ctx -> {
                if (ctx.attribute(PROBLEM_WRITTEN) == null) {
                    problem(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path() + " (GET /v1/devices/{id},"
                            + " /v1/releases/{kb}/progress, /v1/cohorts/exposed?kb=, /v1/alerts?state=)");
                }
            });
            config.routes.error(405, "*", ctx -> {
                if (ctx.attribute(PROBLEM_WRITTEN) == null) {
                    problem(ctx, 405, ctx.method() + " is not allowed on " + ctx.path() + "; the API is read-only");
                }
            });
        }).start();
    }

    /**
     * Binds {@code listen} (port 0: any free port) and serves over plain HTTP to holders of {@code tokens} with scope
     * read; until {@link #attach} every query answers 503.
     */
    public static QueryServer start(HostInfo listen, Tokens tokens) {
        return start(listen, tokens, Optional.empty(), null);
    }

    /**
     * The same, over HTTPS when {@code tls} is given, asking peers over HTTPS trusting {@code peerTrust} (null: the
     * JDK's default trust store).
     */
    public static QueryServer start(HostInfo listen, Tokens tokens, Optional<Tls> tls,
            javax.net.ssl.SSLContext peerTrust) {
        QueryServer server = new QueryServer(listen, tokens, tls, peerTrust == null && tls.isPresent()
                ? defaultTrust() : peerTrust);
        LOG.info("interactive queries listening on {}",
                ServerUrl.of(server.tls, listen.host(), server.app.port(), ""));
        return server;
    }

    private static javax.net.ssl.SSLContext defaultTrust() {
        try {
            return javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no default TLS context", e);
        }
    }

    /** Whether it serves HTTPS. */
    public boolean tls() {
        return tls;
    }

    /** The routes it serves (for tests that check each one refuses a request without a token). */
    public List<HttpAccess.Route> routes() {
        return HttpAccess.routes(app);
    }

    /** Starts answering from {@code stores}. */
    public void attach(QueryableStores stores) {
        queries.set(new Queries(stores, peers));
    }

    /** The address it is bound to (the real port when 0 was asked for). */
    public int port() {
        return app.port();
    }

    private Queries queries(Context ctx) {
        Queries current = queries.get();
        if (current == null) {
            throw new NotQueryableException("the streams instance is starting");
        }
        return current.forCaller(ctx.header("Authorization"));
    }

    private static void answer(Context ctx, Queries.Answer answer) {
        if (answer.servedBy() != null) {
            ctx.header(SERVED_BY, answer.servedBy());
        }
        if (answer.retryAfter() != null) {
            ctx.header("Retry-After", answer.retryAfter());
        }
        if (answer.status() >= 400 && answer.body() instanceof ObjectNode problem) {
            // A peer's problem: it is this request's problem now.
            problem.put("instance", ctx.path());
            ctx.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
            ctx.status(answer.status()).contentType("application/problem+json").result(problem.toString());
            return;
        }
        ctx.status(answer.status()).contentType("application/json").result(answer.body().toString());
    }

    private static String deviceId(Context ctx) {
        String id = ctx.pathParam("id");
        if (id.isBlank() || id.length() > MAX_ID_LENGTH || id.indexOf('|') >= 0) {
            throw ProblemException.badParameter("id", "a device id is 1 to " + MAX_ID_LENGTH
                    + " characters without '|'");
        }
        return id;
    }

    private static String kb(String value, String parameter) {
        if (value == null || value.isEmpty()) {
            throw ProblemException.badParameter(parameter, "a KB id such as KB5034441 is required");
        }
        if (!KbId.isCanonical(value)) {
            throw ProblemException.badParameter(parameter, "'" + value + "' is not a KB id (KB and 6 or 7 digits,"
                    + " such as KB5034441)");
        }
        return value;
    }

    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.badParameter("limit", "'" + text + "' is not a whole number from 1 to " + MAX_LIMIT);
    }

    private static String after(Context ctx) {
        String after = ctx.queryParam("after");
        if (after != null && (after.isEmpty() || after.length() > MAX_ID_LENGTH)) {
            throw ProblemException.badParameter("after", "the cursor is a device id of 1 to " + MAX_ID_LENGTH
                    + " characters (the 'next' of the previous page)");
        }
        return after;
    }

    private static Queries.AlertFilter state(Context ctx) {
        String text = ctx.queryParam("state");
        if (text == null) {
            return Queries.AlertFilter.FIRING;
        }
        try {
            return Queries.AlertFilter.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badParameter("state", "'" + text + "' is not one of firing, resolved, all");
        }
    }

    private static void problem(Context ctx, int status, String detail) {
        problem(ctx, status, detail, null, null);
    }

    /** An RFC 9457 problem document; bad input names its parameter in {@code invalid-params}. */
    private static void problem(Context ctx, int status, String detail, String parameter, String reason) {
        ObjectNode problem = JSON.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", HttpStatus.forStatus(status).getMessage());
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", ctx.path());
        if (parameter != null) {
            ObjectNode invalid = problem.putArray("invalid-params").addObject();
            invalid.put("name", parameter);
            invalid.put("reason", reason);
        }
        ctx.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
        ctx.status(status).contentType("application/problem+json").result(problem.toString());
    }

    @Override
    public void close() {
        app.stop();
    }

    /** The matched route's template ({@code /v1/devices/{id}}), or a placeholder when none matched. */
    static String route(io.javalin.http.Context ctx) {
        try {
            io.javalin.router.Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
            return endpoint == null ? "(no route)" : endpoint.path;
        } catch (RuntimeException e) {
            return "(no route)";
        }
    }
}
