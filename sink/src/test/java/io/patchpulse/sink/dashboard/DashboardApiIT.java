package io.patchpulse.sink.dashboard;

import static io.patchpulse.sink.dashboard.DashboardFixtures.FIRING;
import static io.patchpulse.sink.dashboard.DashboardFixtures.HOUR;
import static io.patchpulse.sink.dashboard.DashboardFixtures.KB;
import static io.patchpulse.sink.dashboard.DashboardFixtures.OTHER_FIRING;
import static io.patchpulse.sink.dashboard.DashboardFixtures.OTHER_KB;
import static io.patchpulse.sink.dashboard.DashboardFixtures.PROGRESS;
import static io.patchpulse.sink.dashboard.DashboardFixtures.STATUSES;
import static io.patchpulse.sink.dashboard.DashboardFixtures.TRENDS;
import static io.patchpulse.sink.dashboard.DashboardFixtures.W0;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.summingLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbTables;
import io.patchpulse.sink.questdb.TrendTables;
import io.patchpulse.security.HttpAccess;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tokens;
import io.patchpulse.security.Tls;
import io.patchpulse.security.testing.AccessProbe;
import io.patchpulse.security.testing.TestKeystore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard's JSON API over a real embedded QuestDB seeded through the sink's writers: every number is compared
 * with one computed here from the fixture lists, and bad parameters are refused with 400 problem documents.
 */
class DashboardApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ReleaseMark CATALOG_MARK = new ReleaseMark(KB, LocalDate.of(2024, 1, 9),
            "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)");

    static final String READER = Tokens.newToken();
    static final String WRITER = Tokens.newToken();
    static final Tokens TOKENS = Tokens.parse(List.of(Tokens.entry("dashboard", READER, Set.of(Scope.READ)),
            Tokens.entry("agents", WRITER)));

    @TempDir
    static Path root;

    private static EmbeddedQuestDb questDb;
    private static DashboardServer dashboard;
    private static HttpClient client;

    @BeforeAll
    static void start() {
        questDb = EmbeddedQuestDb.start(root);
        DashboardFixtures.seed(questDb);
        dashboard = DashboardServer.start("127.0.0.1", 0, new QuestDbHttp(questDb.httpUrl()),
                TrendTables.defaults(), QuestDbTables.defaults(), List.of(CATALOG_MARK), TOKENS, Optional.empty());
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (questDb != null) {
            questDb.close();
        }
    }

    @Test
    void shouldShowTheFailureRateOfEverySizeAndBitLockerCohortOfTheKb() throws Exception {
        JsonNode body = getJson("/api/heatmap?kb=" + KB);

        assertThat(body.get("kb").asText()).isEqualTo(KB);
        assertThat(texts(body.get("sizeBuckets"))).containsExactly("<500MB", "500-750MB", "750MB-1GB", ">=1GB",
                "unknown");
        assertThat(texts(body.get("bitlocker"))).containsExactly("converting", "on-preboot", "on-tpm", "suspended",
                "off", "unknown");
        assertThat(cells(body)).isEqualTo(expectedCells(trend -> true));
        for (JsonNode cell : body.get("cells")) {
            double expected = (double) cell.get("devicesFailed").asLong() / cell.get("devicesAttempted").asLong();
            assertThat(cell.get("failureRate").asDouble()).isCloseTo(expected, within(1e-12));
        }
    }

    @Test
    void shouldLimitTheHeatMapToTheTimeRangeAsked() throws Exception {
        Instant from = W0.plus(HOUR);
        Instant to = W0.plus(HOUR.multipliedBy(3));

        JsonNode body = getJson("/api/heatmap?kb=" + KB + "&from=" + from + "&to=" + to);

        assertThat(cells(body)).isEqualTo(expectedCells(trend -> !trend.getWindowStart().isBefore(from)
                && trend.getWindowStart().isBefore(to)));
        // <500MB/on-tpm over hours 1 and 2, both free-space buckets: (9 + 37 + 1 + 0) of (25 + 52 + 12 + 9).
        assertThat(cells(body).get("<500MB|on-tpm")).containsExactly(98L, 47L);
    }

    @Test
    void shouldShowDevicesFailedPerWindowWithTheReleaseDates() throws Exception {
        JsonNode body = getJson("/api/timeline?kb=" + KB);

        Map<Instant, long[]> expected = new TreeMap<>();
        for (FailureTrend trend : TRENDS) {
            if (trend.getKb().equals(KB)) {
                long[] sums = expected.computeIfAbsent(trend.getWindowStart(), ts -> new long[2]);
                sums[0] += trend.getDevicesAttempted();
                sums[1] += trend.getDevicesFailed();
            }
        }
        Map<Instant, List<Long>> actual = new TreeMap<>();
        for (JsonNode window : body.get("windows")) {
            actual.put(Instant.parse(window.get("windowStart").asText()),
                    List.of(window.get("devicesAttempted").asLong(), window.get("devicesFailed").asLong()));
        }
        Map<Instant, List<Long>> expectedLists = new TreeMap<>();
        expected.forEach((ts, sums) -> expectedLists.put(ts, List.of(sums[0], sums[1])));
        assertThat(actual).isEqualTo(expectedLists);
        // The catalog's date for KB5034441; KB5034439's first day in release_progress.
        assertThat(body.get("releases")).hasSize(2);
        assertThat(body.get("releases").get(0).get("kb").asText()).isEqualTo(KB);
        assertThat(body.get("releases").get(0).get("releasedOn").asText()).isEqualTo("2024-01-09");
        assertThat(body.get("releases").get(0).get("title").asText()).isEqualTo(CATALOG_MARK.title());
        assertThat(body.get("releases").get(1).get("kb").asText()).isEqualTo(OTHER_KB);
        assertThat(body.get("releases").get(1).get("releasedOn").asText()).isEqualTo("2024-01-10");
    }

    @Test
    void shouldListKbsWithTheMostFailedDevicesFirst() throws Exception {
        JsonNode kbs = getJson("/api/kbs").get("kbs");

        long failedKb = TRENDS.stream().filter(t -> t.getKb().equals(KB)).mapToLong(FailureTrend::getDevicesFailed)
                .sum();
        long failedOther = TRENDS.stream().filter(t -> t.getKb().equals(OTHER_KB))
                .mapToLong(FailureTrend::getDevicesFailed).sum();
        assertThat(failedKb).isGreaterThan(failedOther);
        assertThat(kbs).hasSize(2);
        assertThat(kbs.get(0).get("kb").asText()).isEqualTo(KB);
        assertThat(kbs.get(0).get("devicesFailed").asLong()).isEqualTo(failedKb);
        assertThat(kbs.get(1).get("devicesFailed").asLong()).isEqualTo(failedOther);
    }

    @Test
    void shouldShowTheLatestProgressPerKbAndTheExposedCohort() throws Exception {
        JsonNode body = getJson("/api/progress");

        Map<String, ReleaseProgress> latest = new TreeMap<>();
        for (ReleaseProgress progress : PROGRESS) {
            latest.merge(progress.getKb(), progress, (a, b) -> a.getDay().isAfter(b.getDay()) ? a : b);
        }
        assertThat(body.get("releases")).hasSize(latest.size());
        for (JsonNode row : body.get("releases")) {
            ReleaseProgress expected = latest.get(row.get("kb").asText());
            assertThat(row.get("day").asText()).isEqualTo(expected.getDay().toString());
            assertThat(row.get("devicesTracked").asLong()).isEqualTo(expected.getDevicesTracked());
            assertThat(row.get("devicesFailing").asLong()).isEqualTo(expected.getDevicesFailing());
            assertThat(row.get("devicesFixed").asLong()).isEqualTo(expected.getDevicesFixed());
            assertThat(row.get("exposedDevices").asLong()).isEqualTo(expected.getExposedDevices());
            assertThat(row.get("shareAtFixedWinre").asDouble()).isEqualTo(expected.getShareAtFixedWinre());
            Map<String, Long> fixedBy = new HashMap<>();
            row.get("fixedByCause").fields().forEachRemaining(e -> fixedBy.put(e.getKey(), e.getValue().asLong()));
            assertThat(fixedBy).isEqualTo(expected.getFixedByCause());
        }
        Map<String, Long> expectedExposed = STATUSES.stream().filter(DeviceStatus::getExposed)
                .collect(groupingBy(s -> s.getKb() + "|" + s.getSizeBucket() + "|" + s.getFreeBucket() + "|"
                        + s.getBitlocker(), TreeMap::new, summingLong(s -> 1L)));
        Map<String, Long> exposed = new TreeMap<>();
        for (JsonNode row : body.get("exposed")) {
            String cohort = row.get("kb").asText() + "|" + row.get("sizeBucket").asText() + "|"
                    + row.get("freeBucket").asText() + "|" + row.get("bitlocker").asText();
            exposed.put(cohort, row.get("devices").asLong());
        }
        assertThat(exposed).isEqualTo(expectedExposed);
    }

    @Test
    void shouldListOnlyAlertsWhoseLatestStateIsFiring() throws Exception {
        JsonNode alerts = getJson("/api/alerts").get("alerts");

        // Newest start first; the episode that resolved is gone although its FIRING row was written first.
        assertThat(alerts).hasSize(2);
        assertAlert(alerts.get(0), FIRING);
        assertAlert(alerts.get(1), OTHER_FIRING);
    }

    @Test
    void shouldLookUpADeviceAcrossKbsWithItsRemediation() throws Exception {
        JsonNode failing = getJson("/api/devices/PC-0001.corp.example");
        assertThat(failing.get("statuses")).hasSize(2);
        assertThat(texts(failing.get("statuses"), "kb")).containsExactly(OTHER_KB, KB);
        assertThat(failing.get("statuses").get(1).get("failures").asLong()).isEqualTo(3);
        assertThat(failing.get("statuses").get(1).get("exposed").asBoolean()).isTrue();
        assertThat(failing.get("remediations")).isEmpty();

        JsonNode fixed = getJson("/api/devices/PC-0005.corp.example");
        assertThat(fixed.get("statuses").get(0).get("state").asText()).isEqualTo("FIXED");
        assertThat(fixed.get("remediations")).hasSize(1);
        assertThat(fixed.get("remediations").get(0).get("cause").asText()).isEqualTo("SCRIPT_APPLIED");
        assertThat(fixed.get("remediations").get(0).get("fixed_at").asText())
                .isEqualTo(DashboardFixtures.REMEDIATION.getFixedAt().toString());
    }

    @Test
    void shouldAnswer404ForAnUnknownDevice() throws Exception {
        HttpResponse<String> response = get("/api/devices/PC-9999");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(JSON.readTree(response.body()).get("detail").asText()).contains("PC-9999");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/heatmap",
            "/api/heatmap?kb=5034441",
            "/api/heatmap?kb=kb5034441",
            "/api/heatmap?kb=KB5034441%27%20OR%20%271%27%3D%271",
            "/api/heatmap?kb=KB5034441&from=yesterday",
            "/api/heatmap?kb=KB5034441&from=2024-01-10&to=2024-01-09",
            "/api/timeline?kb=KB50344411111",
            "/api/timeline?kb=KB5034441&to=2024-13-01",
            "/api/devices/PC-0001%27%20OR%201%3D1--",
            "/api/devices/..%2F..%2Fetc",
            "/api/devices/PC%0A0001",
    })
    void shouldRefuseInvalidParametersWithAProblemDocument(String path) throws Exception {
        HttpResponse<String> response = get(path);

        assertThat(response.statusCode()).as(path).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("title").asText()).isEqualTo("Bad Request");
        assertThat(problem.get("detail").asText()).containsAnyOf("'kb'", "'from'", "'to'", "'deviceId'");
    }

    @Test
    void shouldRefuseADeviceIdLongerThanTheLimit() throws Exception {
        String id = "A".repeat(DashboardParameters.MAX_DEVICE_ID_LENGTH + 1);

        HttpResponse<String> response = get("/api/devices/" + URLEncoder.encode(id, StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("detail").asText()).contains("at most 128");
    }

    @Test
    void shouldServeThePageAndTheBundledChartLibraryFromTheJar() throws Exception {
        HttpResponse<String> page = get("/index.html");
        HttpResponse<byte[]> library = client.send(request("/vendor/echarts/echarts.min.js"),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("vendor/echarts/echarts.min.js").doesNotContain("://cdn");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("script-src 'self'"));
        assertThat(library.statusCode()).isEqualTo(200);
        try (InputStream bundled = getClass().getResourceAsStream("/dashboard/vendor/echarts/echarts.min.js")) {
            assertThat(bundled).isNotNull();
            assertThat(library.body()).isEqualTo(bundled.readAllBytes());
        }
    }

    @Test
    void shouldRefuseEveryRouteAndEveryFileWithoutAReadToken() throws Exception {
        AccessProbe probe = new AccessProbe("http://127.0.0.1:" + dashboard.port());

        probe.assertEveryRouteGuarded(dashboard.routes(), READER, WRITER);

        assertThat(dashboard.routes()).extracting(HttpAccess.Route::path).contains("/api/kbs", "/api/heatmap",
                "/api/timeline", "/api/progress", "/api/alerts", "/api/devices/{deviceId}", HttpAccess.SESSION_PATH);
        // The page and its files are served from the classpath, not by routes: each is knocked on by name.
        for (String file : List.of("/", "/index.html", "/app.js", "/style.css", "/favicon.svg",
                "/vendor/echarts/echarts.min.js", "/no-such-file")) {
            HttpResponse<String> none = probe.send("GET", file, null);
            assertThat(none.statusCode()).as(file).isEqualTo(401);
            assertThat(none.body()).as(file).doesNotContainIgnoringCase("echarts");
            assertThat(probe.send("GET", file, WRITER).statusCode()).as(file + " with a write token").isEqualTo(403);
            assertThat(probe.send("GET", file, READER).statusCode()).as(file + " with a read token")
                    .isNotIn(401, 403);
        }
    }

    @Test
    void shouldOpenASessionWithAReadTokenAndServeThePageAndApiToItsCookie() throws Exception {
        HttpResponse<String> signIn = get("/index.html", null);
        HttpResponse<String> session = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + dashboard.port() + HttpAccess.SESSION_PATH)).header("Authorization", "Bearer " + READER)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = session.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];

        assertThat(signIn.statusCode()).isEqualTo(401);
        assertThat(signIn.body()).contains("sign-in").doesNotContain("vendor/echarts");
        assertThat(session.statusCode()).isEqualTo(204);
        assertThat(cookie).doesNotContain(READER);
        for (String path : List.of("/index.html", "/app.js", "/api/kbs")) {
            HttpResponse<String> withCookie = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + dashboard.port() + path)).header("Cookie", cookie).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withCookie.statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void shouldServeOnlyHttpsWhenTlsIsConfigured() throws Exception {
        TestKeystore keys = TestKeystore.create(root.resolve("tls"));
        Optional<Tls> tls = Tls.fromSettings(keys.keystore().toString(), "file:" + keys.passwordFile(), "t");
        try (DashboardServer secure = DashboardServer.start("127.0.0.1", 0, new QuestDbHttp(questDb.httpUrl()),
                TrendTables.defaults(), QuestDbTables.defaults(), List.of(CATALOG_MARK), TOKENS, tls)) {
            AccessProbe probe = new AccessProbe("https://127.0.0.1:" + secure.port(), keys.clientContext());

            probe.assertEveryRouteGuarded(secure.routes(), READER, WRITER);

            assertThat(secure.url()).startsWith("https://127.0.0.1:");
            assertThat(probe.send("GET", "/index.html", null).statusCode()).isEqualTo(401);
            assertThat(probe.send("GET", "/index.html", READER).body()).contains("vendor/echarts");
            assertThat(probe.send("POST", HttpAccess.SESSION_PATH, READER).headers().firstValue("Set-Cookie"))
                    .hasValueSatisfying(cookie -> assertThat(cookie).containsIgnoringCase("Secure"));
            assertThatThrownBy(() -> new AccessProbe("http://127.0.0.1:" + secure.port()).send("GET", "/api/kbs",
                    READER)).isInstanceOf(IOException.class);
        }
    }

    private static void assertAlert(JsonNode alert, SpikeAlert expected) {
        assertThat(alert.get("alertId").asText()).isEqualTo(expected.getAlertId());
        assertThat(alert.get("kb").asText()).isEqualTo(expected.getKb());
        assertThat(alert.get("startsAt").asText()).isEqualTo(expected.getStartsAt().toString());
        assertThat(alert.get("currentDevicesFailed").asLong()).isEqualTo(expected.getCurrentDevicesFailed());
        assertThat(alert.get("currentDevicesAttempted").asLong()).isEqualTo(expected.getCurrentDevicesAttempted());
        assertThat(alert.get("summary").asText()).isEqualTo(expected.getSummary());
    }

    /** Cohort "size|bitlocker" to [devices attempted, devices failed], summed from the fixtures. */
    private static Map<String, List<Long>> expectedCells(Predicate<FailureTrend> window) {
        Map<String, long[]> sums = new TreeMap<>();
        for (FailureTrend trend : TRENDS) {
            if (trend.getKb().equals(KB) && window.test(trend)) {
                long[] sum = sums.computeIfAbsent(trend.getSizeBucket() + "|" + trend.getBitlocker(),
                        key -> new long[2]);
                sum[0] += trend.getDevicesAttempted();
                sum[1] += trend.getDevicesFailed();
            }
        }
        Map<String, List<Long>> cells = new TreeMap<>();
        sums.forEach((key, sum) -> cells.put(key, List.of(sum[0], sum[1])));
        return cells;
    }

    private static Map<String, List<Long>> cells(JsonNode heatMap) {
        Map<String, List<Long>> cells = new TreeMap<>();
        for (JsonNode cell : heatMap.get("cells")) {
            cells.put(cell.get("sizeBucket").asText() + "|" + cell.get("bitlocker").asText(),
                    List.of(cell.get("devicesAttempted").asLong(), cell.get("devicesFailed").asLong()));
        }
        return cells;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.get(field).asText()));
        return texts;
    }

    private static JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, READER);
    }

    private static HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return client.send(request(path, token), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpRequest request(String path) {
        return request(path, READER);
    }

    private static HttpRequest request(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port()
                + path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.build();
    }
}
