package io.patchpulse.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import io.patchpulse.security.testing.AccessProbe;
import io.patchpulse.security.testing.TestKeystore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpAccessIT {

    private static final String READER = Tokens.newToken();
    private static final String WRITER = Tokens.newToken();
    private static final String BOTH = Tokens.newToken();
    private static final Tokens TOKENS = Tokens.parse(List.of(Tokens.entry("reader", READER, Set.of(Scope.READ)),
            Tokens.entry("writer", WRITER), Tokens.entry("both", BOTH, Set.of(Scope.READ, Scope.WRITE))));

    private Javalin app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
    }

    private Javalin start(HttpAccess access, Optional<Tls> tls) {
        app = Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.startup.showJavalinBanner = false;
            tls.ifPresent(t -> t.apply(config));
            access.install(config, "test server");
            config.routes.get("/v1/things/{id}", ctx -> ctx.result("thing " + ctx.pathParam("id") + " for "
                    + ctx.<Principal>attribute(HttpAccess.PRINCIPAL).name()));
            config.routes.post("/v1/things", ctx -> ctx.status(202).result("stored"));
            config.routes.get("/index.html", ctx -> ctx.html("<p>the page</p>"));
        }).start();
        return app;
    }

    @Test
    void shouldRefuseEveryRouteWithoutTheRightTokenAndAdmitItWithIt() throws Exception {
        start(HttpAccess.bearer(TOKENS), Optional.empty());
        AccessProbe probe = new AccessProbe("http://127.0.0.1:" + app.port());

        probe.assertEveryRouteGuarded(HttpAccess.routes(app), READER, WRITER);

        assertThat(HttpAccess.routes(app)).extracting(HttpAccess.Route::path)
                .contains("/v1/things/{id}", "/v1/things", "/index.html");
        assertThat(probe.send("GET", "/v1/things/7", READER).body()).isEqualTo("thing 7 for reader");
        assertThat(probe.send("POST", "/v1/things", BOTH).statusCode()).isEqualTo(202);
        HttpResponse<String> scope = probe.send("POST", "/v1/things", READER);
        assertThat(scope.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"patchpulse\", error=\"insufficient_scope\", scope=\"write\"");
        assertThat(scope.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(scope.body()).contains("\"status\":403").contains("token 'reader' has scope read");
        assertThat(probe.send("GET", "/no/such/path", null).statusCode()).as("unknown paths too").isEqualTo(401);
        assertThat(probe.send("GET", "/v1/things/1", "").statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseEveryRequestWhenNoTokenIsConfigured() throws Exception {
        start(HttpAccess.bearer(Tokens.none()), Optional.empty());
        AccessProbe probe = new AccessProbe("http://127.0.0.1:" + app.port());

        assertThat(probe.send("GET", "/v1/things/1", READER).statusCode()).isEqualTo(401);
        assertThat(probe.send("POST", "/v1/things", WRITER).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldOpenABrowserSessionWithAReadTokenAndAdmitItsCookieUntilItExpires() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        HttpAccess access = HttpAccess.withSessions(TOKENS, false, Duration.ofHours(1),
                path -> !path.startsWith("/v1/"), clock);
        start(access, Optional.empty());
        String base = "http://127.0.0.1:" + app.port();
        HttpClient client = HttpClient.newHttpClient();

        HttpResponse<String> opened = client.send(HttpRequest.newBuilder(URI.create(base + HttpAccess.SESSION_PATH))
                .header("Authorization", "Bearer " + READER).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(opened.statusCode()).isEqualTo(204);
        String setCookie = opened.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith(HttpAccess.COOKIE + "=").containsIgnoringCase("HttpOnly")
                .containsIgnoringCase("SameSite=Strict").doesNotContainIgnoringCase("Secure").doesNotContain(READER);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        assertThat(get(client, base + "/v1/things/3", cookie).body()).isEqualTo("thing 3 for reader");
        assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/v1/things")).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("a read session may not write").isEqualTo(403);
        assertThat(get(client, base + "/v1/things/3", HttpAccess.COOKIE + "=made-up").statusCode()).isEqualTo(401);
        HttpResponse<String> renew = client.send(HttpRequest.newBuilder(URI.create(base + HttpAccess.SESSION_PATH))
                .header("Cookie", cookie).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(renew.statusCode()).as("a cookie cannot open a session").isEqualTo(401);
        HttpResponse<String> writerSession = client.send(HttpRequest.newBuilder(URI.create(base
                + HttpAccess.SESSION_PATH)).header("Authorization", "Bearer " + WRITER)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(writerSession.statusCode()).as("a write-only token opens no dashboard session").isEqualTo(403);
        // A read+write session's cookie, sent to the session route under every spelling Javalin routes there, opens
        // no new session either (it would otherwise pass as an ordinary POST of scope write, forever renewable).
        HttpResponse<String> bothSession = client.send(HttpRequest.newBuilder(URI.create(base
                + HttpAccess.SESSION_PATH)).header("Authorization", "Bearer " + BOTH)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String bothCookie = bothSession.headers().firstValue("Set-Cookie").orElseThrow();
        bothCookie = bothCookie.substring(0, bothCookie.indexOf(';'));
        for (String path : List.of(HttpAccess.SESSION_PATH, HttpAccess.SESSION_PATH + "/",
                HttpAccess.SESSION_PATH + "//")) {
            HttpResponse<String> renewed = client.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Cookie", bothCookie).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(renewed.statusCode()).as("POST %s with a read+write session's cookie", path).isIn(401, 404);
            assertThat(renewed.headers().firstValue("Set-Cookie")).as("POST %s", path).isEmpty();
        }

        now.set(now.get().plus(Duration.ofHours(1)));
        assertThat(get(client, base + "/v1/things/3", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseARevokedTokenAndEndItsSessionsWithoutARestart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, Tokens.entry("reader", READER, Set.of(Scope.READ)) + "\n");
        Tokens live = Tokens.load(List.of(), file);
        start(HttpAccess.withSessions(live, false, Duration.ofHours(1), path -> !path.startsWith("/v1/")),
                Optional.empty());
        AccessProbe probe = new AccessProbe("http://127.0.0.1:" + app.port());
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> opened = probe.send("POST", HttpAccess.SESSION_PATH, READER);
        String cookie = opened.headers().firstValue("Set-Cookie").orElseThrow();
        cookie = cookie.substring(0, cookie.indexOf(';'));
        assertThat(get(client, "http://127.0.0.1:" + app.port() + "/v1/things/1", cookie).statusCode())
                .isEqualTo(200);

        // When the token's line is removed from the file
        Files.writeString(file, "# reader revoked\n");

        // Then, once the file is looked at again, the token and the session it opened are refused
        String sessionCookie = cookie;
        Awaitility.await("the revocation taken").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(probe.send("GET", "/v1/things/1", READER).statusCode()).as("the token").isEqualTo(401);
            assertThat(get(client, "http://127.0.0.1:" + app.port() + "/v1/things/1", sessionCookie).statusCode())
                    .as("its session").isEqualTo(401);
        });
    }

    @Test
    void shouldAnswerAPageWithoutCredentialsWithASignInPageWhoseScriptTheCspAdmits() throws Exception {
        start(HttpAccess.withSessions(TOKENS, false, Duration.ofHours(1), path -> !path.startsWith("/v1/")),
                Optional.empty());
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + app.port();

        HttpResponse<String> page = get(client, base + "/index.html", null);
        HttpResponse<String> api = get(client, base + "/v1/things/1", null);

        assertThat(page.statusCode()).isEqualTo(401);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<form id=\"sign-in\"").contains("token=([^&]+)").doesNotContain("the page");
        Matcher script = Pattern.compile("<script>(.*)</script>", Pattern.DOTALL).matcher(page.body());
        assertThat(script.find()).isTrue();
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(script.group(1).getBytes(StandardCharsets.UTF_8)));
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("script-src 'sha256-" + hash + "'"));
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(get(client, base + "/index.html", null).headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void shouldServeOnlyHttpsWhenTlsIsConfiguredAndGuardItTheSame() throws Exception {
        TestKeystore keys = TestKeystore.create(Path.of("target", "tls-" + System.nanoTime()));
        Optional<Tls> tls = Tls.fromSettings(keys.keystore().toString(), "file:" + keys.passwordFile(), "test.tls");
        start(HttpAccess.withSessions(TOKENS, true, Duration.ofHours(1), path -> !path.startsWith("/v1/")), tls);
        AccessProbe probe = new AccessProbe("https://127.0.0.1:" + app.port(), keys.clientContext());

        probe.assertEveryRouteGuarded(HttpAccess.routes(app), READER, WRITER);
        HttpResponse<String> session = probe.send("POST", HttpAccess.SESSION_PATH, READER);
        assertThat(session.headers().firstValue("Set-Cookie")).hasValueSatisfying(
                cookie -> assertThat(cookie).containsIgnoringCase("; Secure"));

        AccessProbe plain = new AccessProbe("http://127.0.0.1:" + app.port());
        assertThatThrownBy(() -> plain.send("GET", "/v1/things/1", READER)).isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseAKeystoreItCannotOpenNamingTheFileNotThePassword() throws Exception {
        TestKeystore keys = TestKeystore.create(Path.of("target", "tls-" + System.nanoTime()));
        java.nio.file.Path wrong = keys.passwordFile().resolveSibling("wrong.password");
        java.nio.file.Files.writeString(wrong, "not-the-password\n");

        assertThatThrownBy(() -> Tls.fromSettings(keys.keystore().toString(), "file:" + wrong, "x.tls.keystore"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(keys.keystore().toString())
                .hasMessageNotContaining("not-the-password");
        assertThat(Tls.fromSettings("", "", "x")).isEmpty();
    }

    private static HttpResponse<String> get(HttpClient client, String url, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
