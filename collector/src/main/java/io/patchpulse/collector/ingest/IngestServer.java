package io.patchpulse.collector.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.plugin.bundled.RateLimitPlugin;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.security.HttpAccess;
import io.patchpulse.security.Principal;
import io.patchpulse.security.ServerUrl;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest HTTP API (Javalin on Jetty).
 *
 * <ul>
 *   <li>{@code POST /v1/events}: canonical JSON of install events / inventories, one object or NDJSON;</li>
 *   <li>{@code POST /v1/device-reports}: the endpoint agent's {@code patchpulse.device-report/1};</li>
 *   <li>{@code POST /v1/ingest/{format}}: {@code osquery}, {@code winlogbeat}, {@code eventlog-xml}, {@code wufb}
 *       (and the two above by name);</li>
 *   <li>{@code GET /v1/status}: spool depth and Kafka delivery.</li>
 * </ul>
 * Every request needs {@code Authorization: Bearer <token>} ({@link HttpAccess}: 401 without a token or with one not
 * configured, as RFC 6750 says, 403 when the token lacks the scope): every POST scope write, the status scope read.
 * POSTs are limited per token (429 with Retry-After). With TLS configured the API is served over HTTPS only. A body of a wrong type gets 415, a too large one 413,
 * one with nothing usable or with more bad items than are listed 400 (nothing stored); too many requests at once
 * or a full spool 503 with Retry-After. Otherwise the answer is 202 with accepted / rejected / skipped counts and,
 * per rejected item, its line and what was wrong; 202 means every accepted record and every rejected item (for the
 * dead-letter topic) is in the spool, synced to disk. Errors are RFC 9457 problem details
 * ({@code application/problem+json}).
 */
public final class IngestServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Slowest upload accepted by default (collector.http.min.request.bytes.per.second). */
    public static final long MIN_REQUEST_BYTES_PER_SECOND = 4 * 1024;
    /** How long a silent connection is kept by default (collector.http.idle.timeout.ms). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** A body may arrive at any pace for this long before its average rate is held to the floor. */
    static final Duration BODY_RATE_GRACE = Duration.ofSeconds(10);
    /** How long a client may take over a request's headers by default (collector.http.header.timeout.ms). */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);
    /** Set once a handler wrote a problem document, so the generic 404/405 handlers keep it. */
    private static final String PROBLEM_WRITTEN = HttpAccess.PROBLEM_WRITTEN;

    private static final Set<String> JSON_TYPES = Set.of("application/json", "application/x-ndjson",
            "application/ndjson", "application/jsonl", "text/plain");
    private static final Set<String> XML_TYPES = Set.of("application/xml", "text/xml", "text/plain");
    private static final Set<String> WUFB_TYPES = Set.of("text/csv", "application/csv", "application/json",
            "application/x-ndjson", "application/ndjson", "text/plain");

    private final Javalin app;

    private final boolean tls;
    private final String host;

    /** Starts the server over plain HTTP. */
    public IngestServer(Ingestor ingestor, Tokens tokens, String host, int port, long maxRequestBytes,
                        int requestsPerMinute, int maxConcurrent, Supplier<Map<String, Object>> status) {
        this(ingestor, tokens, Optional.empty(), host, port, maxRequestBytes, requestsPerMinute, maxConcurrent,
                status);
    }

    /**
     * Starts the server with the default time limits ({@link #DEFAULT_IDLE_TIMEOUT},
     * {@link #MIN_REQUEST_BYTES_PER_SECOND}).
     *
     * @param tokens who may call it (POSTs: scope write; the status: read)
     * @param tls the keystore to serve HTTPS with, or empty for plain HTTP
     * @param status what {@code GET /v1/status} reports
     */
    public IngestServer(Ingestor ingestor, Tokens tokens, Optional<Tls> tls, String host, int port,
                        long maxRequestBytes, int requestsPerMinute, int maxConcurrent,
                        Supplier<Map<String, Object>> status) {
        this(ingestor, tokens, tls, host, port, maxRequestBytes, requestsPerMinute, maxConcurrent, status,
                TimeLimits.DEFAULTS);
    }

    /**
     * How long a client may take (collector.http.idle.timeout.ms, collector.http.header.timeout.ms,
     * collector.http.min.request.bytes.per.second).
     *
     * @param idleTimeout              a connection that sends nothing for this long is closed (a body never
     *                                 finished); a body cut off this way is answered 408
     * @param headerTimeout            a connection that does not complete a request's headers within one to two of
     *                                 these is closed (headers trickled a byte at a time)
     * @param minRequestBytesPerSecond a body that arrives slower than this on average (after a 10 s grace, so a
     *                                 stalled server does not refuse a body that arrived whole) is refused with
     *                                 408; 0 turns the check off
     */
    public record TimeLimits(Duration idleTimeout, Duration headerTimeout, long minRequestBytesPerSecond) {

        /** 30 s idle, 20 s for headers, 4 KiB/s. */
        public static final TimeLimits DEFAULTS = new TimeLimits(DEFAULT_IDLE_TIMEOUT, DEFAULT_HEADER_TIMEOUT,
                MIN_REQUEST_BYTES_PER_SECOND);

        /** All are required; durations positive, the rate 0 or more. */
        public TimeLimits {
            if (idleTimeout.isNegative() || idleTimeout.isZero() || headerTimeout.isNegative()
                    || headerTimeout.isZero() || minRequestBytesPerSecond < 0) {
                throw new IllegalArgumentException("time limits must be positive: " + idleTimeout + ", "
                        + headerTimeout + ", " + minRequestBytesPerSecond + " bytes/s");
            }
        }
    }

    /**
     * Starts the server.
     *
     * @param tokens who may call it (POSTs: scope write; the status: read)
     * @param tls the keystore to serve HTTPS with, or empty for plain HTTP
     * @param status what {@code GET /v1/status} reports
     * @param timeLimits how slow a client may be
     */
    public IngestServer(Ingestor ingestor, Tokens tokens, Optional<Tls> tls, String host, int port,
                        long maxRequestBytes, int requestsPerMinute, int maxConcurrent,
                        Supplier<Map<String, Object>> status, TimeLimits timeLimits) {
        Objects.requireNonNull(ingestor, "ingestor");
        Objects.requireNonNull(tokens, "tokens");
        Semaphore inFlight = new Semaphore(maxConcurrent);
        this.tls = tls.isPresent();
        this.host = host;
        this.app = Javalin.create(config -> {
            config.jetty.host = ServerUrl.unbracketed(host);
            config.jetty.port = port;
            tls.ifPresent(keys -> keys.apply(config));
            config.http.maxRequestSize = maxRequestBytes;
            config.jetty.modifyHttpConfiguration(http -> {
                // A client that trickles its body (slowloris) would hold a thread and an ingest slot: below
                // the floor (default 4 KiB/s; a 16 MiB batch at that rate still has over an hour) it is cut off,
                // and a connection that sends nothing for the idle timeout is closed.
                // Jetty's own floor (setMinRequestDataRate) is not used: it measures from the first body byte to
                // whenever the handler reads, so a stall of the server (GC, a busy CPU) refuses a small body that
                // arrived whole with 408 (jetty/jetty.project#4641); readBody applies the floor after a grace.
                http.setIdleTimeout(timeLimits.idleTimeout().toMillis());
            });
            // Before a request starts (its headers coming in) the connector's own idle timeout applies, not the
            // one above, and nothing bounds how long the headers take: both are set on the connector, which
            // Javalin adds after this hook, so when the server starts.
            config.jetty.modifyServer(server -> server.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarting(LifeCycle event) {
                    for (Connector connector : server.getConnectors()) {
                        if (connector instanceof AbstractConnector network) {
                            network.setIdleTimeout(timeLimits.idleTimeout().toMillis());
                            network.addBean(new HeaderDeadline(network.getScheduler(), timeLimits.headerTimeout()));
                        }
                    }
                }
            }));
            config.startup.showJavalinBanner = false;
            config.registerPlugin(new RateLimitPlugin(limits ->
                    limits.setKeyFunction(IngestServer::tokenName)));
            // First: no other handler sees a request that is not admitted.
            HttpAccess.bearer(tokens).install(config, "ingest API (collector.tokens)");
            config.routes.before("/v1/*", ctx -> limit(ctx, requestsPerMinute, maxRequestBytes));
            config.routes.get("/v1/status", ctx -> ctx.json(status.get()));
            BodyLimits body = new BodyLimits(maxRequestBytes, timeLimits.minRequestBytesPerSecond());
            config.routes.post("/v1/events", ctx -> ingest(ctx, ingestor, InputFormat.EVENTS, inFlight, body));
            config.routes.post("/v1/device-reports", ctx -> ingest(ctx, ingestor, InputFormat.DEVICE_REPORT,
                    inFlight, body));
            config.routes.post("/v1/ingest/{format}", ctx -> ingest(ctx, ingestor, format(ctx), inFlight, body));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == HttpStatus.TOO_MANY_REQUESTS.getCode()) {
                    ctx.header("Retry-After", "60");
                }
                problem(ctx, e.getStatus(), e.getMessage());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                if (e instanceof org.eclipse.jetty.http.HttpException http && http.getCode() >= 400
                        && http.getCode() < 500) {
                    // Jetty refusing the request itself: a body sent too slowly (408), a malformed message (400).
                    problem(ctx, http.getCode(), "the request was refused while it was read: " + http.getReason()
                            + "; nothing was stored");
                    return;
                }
                LOG.error("Ingest request {} {} failed", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "the collector failed on this request; it was not stored (" + e.getClass()
                        .getSimpleName() + ")");
            });
            config.routes.error(404, "*", ctx -> {
                if (ctx.attribute(PROBLEM_WRITTEN) == null) {
                    problem(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path()
                            + " (POST /v1/events, /v1/device-reports, /v1/ingest/{format}; GET /v1/status)");
                }
            });
            config.routes.error(405, "*", ctx -> {
                if (ctx.attribute(PROBLEM_WRITTEN) == null) {
                    problem(ctx, 405, ctx.method() + " is not allowed on " + ctx.path());
                }
            });
        }).start();
        LOG.info("Ingest API listening on {}", url());
    }

    /** The API's base address, e.g. {@code http://127.0.0.1:9400/v1/} ({@code https} under TLS). */
    public String url() {
        return ServerUrl.of(tls, host, app.port(), "/v1/");
    }

    /** The port it listens on (useful with port 0). */
    public int port() {
        return app.port();
    }

    /** The routes it serves (for tests that check each one refuses a request without a token). */
    public java.util.List<HttpAccess.Route> routes() {
        return HttpAccess.routes(app);
    }

    /** Per-token rate limit and the body size check, on requests {@link HttpAccess} admitted. */
    private static void limit(Context ctx, int requestsPerMinute, long maxRequestBytes) {
        if (ctx.method().name().equals("GET")) {
            return;
        }
        ctx.with(RateLimitPlugin.class).requestPerTimeUnit(requestsPerMinute, TimeUnit.MINUTES);
        long length = ctx.contentLength();
        if (length > maxRequestBytes) {
            throw new HttpResponseException(413, "the body has " + length + " bytes; at most " + maxRequestBytes
                    + " are accepted: send smaller NDJSON batches");
        }
    }

    /** The name of the token the request was admitted with (set by {@link HttpAccess}). */
    private static String tokenName(Context ctx) {
        Principal principal = ctx.attribute(HttpAccess.PRINCIPAL);
        return principal == null ? "anonymous" : principal.name();
    }

    private static InputFormat format(Context ctx) {
        try {
            return InputFormat.of(ctx.pathParam("format"));
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(404, e.getMessage());
        }
    }

    /** Largest body and slowest rate a body may arrive at. */
    private record BodyLimits(long maxBytes, long minBytesPerSecond) {
    }

    /**
     * The request body, read in blocks: over {@code maxBytes} (a chunked body announces no length) it is refused
     * with 413 at the limit, not read to its end; arriving slower than {@code minBytesPerSecond} on average once
     * {@link #BODY_RATE_GRACE} has passed, with 408; stopping for the idle timeout, with 408 too.
     */
    static byte[] readBody(Context ctx, BodyLimits limits) throws IOException {
        long announced = ctx.contentLength();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(
                (int) Math.max(0, Math.min(announced, Math.min(limits.maxBytes(), 1 << 20))));
        byte[] buffer = new byte[64 * 1024];
        long start = System.nanoTime();
        try (java.io.InputStream in = ctx.req().getInputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                body.write(buffer, 0, read);
                if (body.size() > limits.maxBytes()) {
                    throw new HttpResponseException(413, "the body has more than " + limits.maxBytes()
                            + " bytes, the most accepted: send smaller NDJSON batches");
                }
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                if (limits.minBytesPerSecond() > 0 && elapsedMs > BODY_RATE_GRACE.toMillis()
                        + body.size() * 1000L / limits.minBytesPerSecond()) {
                    throw new HttpResponseException(408, "the body arrives slower than "
                            + limits.minBytesPerSecond() + " bytes/s (" + body.size() + " bytes in " + elapsedMs
                            + " ms); nothing was stored");
                }
            }
        } catch (HttpResponseException e) {
            throw e;
        } catch (IOException e) {
            // The client stopped sending (idle timeout) or went away mid-body.
            throw new HttpResponseException(408, "the body did not arrive whole (" + body.size() + " bytes read: "
                    + e.getClass().getSimpleName() + "); nothing was stored");
        }
        return body.toByteArray();
    }

    private static void ingest(Context ctx, Ingestor ingestor, InputFormat format, Semaphore inFlight,
                               BodyLimits limits)
            throws IOException, InterruptedException {
        checkContentType(ctx, format);
        // Bodies are held in memory while parsed: bound how many at once, so a burst costs latency, not the heap.
        if (!inFlight.tryAcquire(10, TimeUnit.SECONDS)) {
            ctx.header("Retry-After", "5");
            problem(ctx, 503, "the collector is busy with other requests; retry shortly");
            return;
        }
        try {
            byte[] body = readBody(ctx, limits);
            if (body.length == 0) {
                throw new HttpResponseException(400, "the body is empty");
            }
            String input = "http:" + tokenName(ctx);
            ParseResult result;
            try {
                result = ingestor.ingest(format, body, input, Map.of(), Ingestor.Mode.REQUEST);
            } catch (Ingestor.Refused refused) {
                // A whole-request error: nothing was stored, the sender still has the data.
                problem(ctx, 400, refused.getMessage(), counts(refused.result()));
                return;
            } catch (Ingestor.SpoolFullException e) {
                ctx.header("Retry-After", "30");
                problem(ctx, 503, e.getMessage());
                return;
            } catch (IOException e) {
                LOG.error("Cannot spool a request from {}", input, e);
                ctx.header("Retry-After", "30");
                problem(ctx, 503, "the collector cannot store records right now; nothing of this request was kept");
                return;
            }
            ctx.status(202).contentType("application/json").result(counts(result).toString());
        } finally {
            inFlight.release();
        }
    }

    private static void checkContentType(Context ctx, InputFormat format) {
        String type = ctx.contentType();
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        Set<String> allowed = switch (format) {
            case EVENTLOG_XML -> XML_TYPES;
            case WUFB -> WUFB_TYPES;
            default -> JSON_TYPES;
        };
        if (!allowed.contains(mediaType)) {
            throw new HttpResponseException(415, "Content-Type '" + (type == null ? "" : type) + "' is not accepted"
                    + " for " + format.id() + "; send one of " + String.join(", ", allowed.stream().sorted().toList()));
        }
    }

    private static ObjectNode counts(ParseResult result) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("accepted", result.accepted());
        answer.put("rejected", result.rejected());
        answer.put("skipped", result.skipped());
        answer.put("records", result.records().size());
        ArrayNode problems = answer.putArray("problems");
        for (Problem problem : result.problems()) {
            ObjectNode item = problems.addObject();
            item.put("line", problem.line());
            if (problem.field() != null) {
                item.put("field", problem.field());
            }
            item.put("message", problem.message());
        }
        if (!result.allProblemsKept()) {
            answer.put("problemsListed", result.problems().size());
        }
        return answer;
    }

    private static void problem(Context ctx, int status, String detail) {
        problem(ctx, status, detail, null);
    }

    /** An RFC 9457 problem document; {@code extensions} members are added to it. */
    private static void problem(Context ctx, int status, String detail, ObjectNode extensions) {
        ObjectNode problem = JSON.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", HttpStatus.forStatus(status).getMessage());
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", ctx.path());
        if (extensions != null) {
            problem.setAll(extensions);
        }
        ctx.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
        ctx.status(status).contentType("application/problem+json").result(problem.toString());
    }

    @Override
    public void close() {
        app.stop();
    }
}
