package io.patchpulse.sink.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.patchpulse.sink.dashboard.DashboardParameters.TimeRange;
import io.patchpulse.sink.questdb.QuestDbException;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbTables;
import io.patchpulse.sink.questdb.TrendTables;
import io.patchpulse.security.HttpAccess;
import io.patchpulse.security.ServerUrl;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in dashboard (issue 5, deliverable 6): a single page (classpath {@code /dashboard/}: HTML, JS, CSS and
 * the bundled Apache ECharts, no CDN) and the JSON API it reads, both on one host:port. The API reads QuestDB with
 * SQL over HTTP; it never writes.
 *
 * <ul>
 *   <li>{@code GET /api/kbs}: KBs with trend rows (most failed devices first) and the catalog's KBs;</li>
 *   <li>{@code GET /api/heatmap?kb=KB5034441[&from=&to=]}: failure rate by size bucket x BitLocker cohort;</li>
 *   <li>{@code GET /api/timeline?kb=KB5034441[&from=&to=]}: devices attempted and failed per window, release
 *       dates to mark;</li>
 *   <li>{@code GET /api/progress}: latest release progress per KB and the exposed devices by cohort;</li>
 *   <li>{@code GET /api/alerts}: alerts whose latest state is FIRING;</li>
 *   <li>{@code GET /api/devices/{deviceId}}: a device's status rows and remediations (404 when unknown).</li>
 * </ul>
 * Every request, the page and its files included, needs a token of scope read ({@link HttpAccess}): a bearer header,
 * or the session cookie a browser gets by posting its token once to {@code /auth/session}. A browser opening the page
 * without one gets the sign-in page (401), which takes the token from the link's {@code #token=...} fragment or a
 * form. With TLS configured everything is served over HTTPS only (and the cookie is Secure).
 * {@code from}/{@code to} are ISO-8601 instants or UTC days, a half-open range. A parameter that fails validation
 * is answered 400, an unknown device or path 404, QuestDB failing 503 (retriable) or 502, each as an RFC 9457
 * problem document ({@code application/problem+json}) whose {@code detail} says what was wrong.
 */
public final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final String PROBLEM_JSON = "application/problem+json";
    /** Set once a handler wrote a problem document, so the generic 404 handler keeps it. */
    private static final String PROBLEM_WRITTEN = HttpAccess.PROBLEM_WRITTEN;
    /** How long a browser session lasts: a working day, then the link (or the token) is needed again. */
    public static final Duration SESSION_TTL = Duration.ofHours(12);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule("dashboard-time")
            .addSerializer(Instant.class, ToStringSerializer.instance)
            .addSerializer(LocalDate.class, ToStringSerializer.instance));
    /** Page scripts come from this server only; ECharts sets inline styles on its tooltip. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self';"
            + " style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    private final Javalin app;
    private final String host;
    private final boolean tls;

    private DashboardServer(Javalin app, String host, boolean tls) {
        this.app = app;
        this.host = host;
        this.tls = tls;
    }

    /**
     * Starts the dashboard over plain HTTP and the default table names, release dates from {@code release_progress}
     * only, for holders of {@code tokens} with scope read.
     */
    public static DashboardServer start(String host, int port, QuestDbHttp questDb, Tokens tokens) {
        return start(host, port, questDb, TrendTables.defaults(), QuestDbTables.defaults(), List.of(), tokens,
                Optional.empty());
    }

    /**
     * Starts the dashboard.
     *
     * @param host address to bind (127.0.0.1 keeps it local)
     * @param port port to bind; 0 picks a free one ({@link #port()} tells which)
     * @param questDb where to read
     * @param trendTables the names of the trend tables the sink writes
     * @param tables the names of the other output tables the sink writes
     * @param releases release dates to mark (the catalog's); KBs not named here get the first day of their
     *     {@code release_progress} rows
     * @param tokens who may see it (scope read)
     * @param tls the keystore to serve HTTPS with, or empty for plain HTTP
     * @throws IllegalStateException when the port cannot be bound
     */
    public static DashboardServer start(String host, int port, QuestDbHttp questDb, TrendTables trendTables,
            QuestDbTables tables, List<ReleaseMark> releases, Tokens tokens, Optional<Tls> tls) {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("dashboard port must be 0..65535, was " + port);
        }
        DashboardQueries queries = new DashboardQueries(questDb, trendTables, tables, releases);
        Javalin app = Javalin.create(config -> {
            config.jetty.host = ServerUrl.unbracketed(host);
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            tls.ifPresent(keys -> keys.apply(config));
            // Pages (anything outside /api/) answer a browser without a session with the sign-in page.
            HttpAccess.withSessions(tokens, tls.isPresent(), SESSION_TTL, path -> !path.startsWith("/api/"))
                    .install(config, "dashboard (http.tokens)");
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/dashboard";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Content-Security-Policy", CONTENT_SECURITY_POLICY,
                        "X-Content-Type-Options", "nosniff", "Cache-Control", "no-cache");
            });
            config.routes.get("/api/kbs", ctx -> json(ctx, Map.of("kbs", queries.kbs())));
            config.routes.get("/api/heatmap", ctx -> json(ctx, queries.heatMap(
                    DashboardParameters.kb("kb", ctx.queryParam("kb")), range(ctx))));
            config.routes.get("/api/timeline", ctx -> json(ctx, queries.timeline(
                    DashboardParameters.kb("kb", ctx.queryParam("kb")), range(ctx))));
            config.routes.get("/api/progress", ctx -> json(ctx, queries.progress()));
            config.routes.get("/api/alerts", ctx -> json(ctx, Map.of("alerts", queries.firingAlerts())));
            config.routes.get("/api/devices/{deviceId}", ctx -> {
                String deviceId = DashboardParameters.deviceId("deviceId", ctx.pathParam("deviceId"));
                queries.device(deviceId).ifPresentOrElse(device -> json(ctx, device),
                        () -> problem(ctx, 404, "Not Found", "no device '" + deviceId + "' in the device_status or"
                                + " remediations table"));
            });
            config.routes.exception(InvalidParameterException.class, (e, ctx) -> {
                problem(ctx, 400, "Bad Request", e.getMessage());
                ctx.res().setHeader("X-Invalid-Parameter", e.parameter());
            });
            config.routes.exception(QuestDbException.class, (e, ctx) -> {
                LOG.warn("Dashboard request {} {} could not read QuestDB: {}", ctx.method(), ctx.path(),
                        e.getMessage());
                problem(ctx, e.isRetriable() ? 503 : 502, e.isRetriable() ? "Service Unavailable" : "Bad Gateway",
                        "QuestDB could not answer: " + e.getMessage());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("Dashboard request {} {} failed", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "Internal Server Error", "the dashboard failed on this request ("
                        + e.getClass().getSimpleName() + ")");
            });
            config.routes.error(404, "*", ctx -> {
                if (ctx.attribute(PROBLEM_WRITTEN) == null && ctx.path().startsWith("/api/")) {
                    problem(ctx, 404, "Not Found", "no such endpoint: " + ctx.method() + " " + ctx.path());
                }
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot serve the dashboard on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        DashboardServer server = new DashboardServer(app, host, tls.isPresent());
        LOG.info("Dashboard on {} (reading QuestDB at {})", server.url(), questDb.baseUrl());
        return server;
    }

    /** The port it listens on (useful with port 0). */
    public int port() {
        return app.port();
    }

    /** The page's address, e.g. {@code http://127.0.0.1:9404/index.html} ({@code https} under TLS). */
    public String url() {
        return ServerUrl.of(tls, host, port(), "/index.html");
    }

    /** The routes it serves (for tests that check each one refuses a request without a token). */
    public List<HttpAccess.Route> routes() {
        return HttpAccess.routes(app);
    }

    @Override
    public void close() {
        app.stop();
    }

    private static TimeRange range(Context ctx) {
        return DashboardParameters.range(ctx.queryParam("from"), ctx.queryParam("to"));
    }

    private static void json(Context ctx, Object body) {
        ctx.contentType("application/json").result(write(body));
    }

    private static void problem(Context ctx, int status, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", ctx.path());
        ctx.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
        ctx.status(status).contentType(PROBLEM_JSON).result(write(problem));
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the dashboard's answer as JSON", e);
        }
    }
}
