package io.patchpulse.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import io.patchpulse.security.testing.AccessProbe;
import io.patchpulse.security.testing.TestKeystore;
import io.patchpulse.streams.topology.Names;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The REST layer and its routing with two real servers over HTTP and a fake group ({@link FakeCluster}): whatever
 * instance is asked, the answer is the owner's (or the merge of all), and every failure is a problem document.
 */
class QueryServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KB = "KB5034441";
    private static final String OTHER_KB = "KB5034440";
    private static final int DEVICES = 60;
    private static final String READER = Tokens.newToken();
    private static final String WRITER = Tokens.newToken();
    /** What the tests ask with: read (every GET) and write (so a POST gets past access to the routing's 404/405). */
    private static final String BOTH = Tokens.newToken();
    private static final Tokens TOKENS = Tokens.parse(List.of(Tokens.entry("reader", READER, Set.of(Scope.READ)),
            Tokens.entry("writer", WRITER, Set.of(Scope.WRITE)),
            Tokens.entry("both", BOTH, Set.of(Scope.READ, Scope.WRITE))));

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<QueryServer> servers = new ArrayList<>();
    private final List<DeviceStatus> published = new ArrayList<>();
    private FakeCluster cluster;
    private HostInfo a;
    private HostInfo b;

    @BeforeEach
    void startTwoInstances() {
        a = start();
        b = start();
        cluster = new FakeCluster(4).join(a).join(b);
        servers.get(0).attach(cluster.stores(a));
        servers.get(1).attach(cluster.stores(b));
        for (int i = 0; i < DEVICES; i++) {
            String device = String.format("dev-%03d", i);
            publish(Records.status(device, KB, i % 3 == 0));
            publish(Records.status(device, OTHER_KB, i % 4 == 0));
        }
        for (int day : new int[] {12, 9, 11, 10}) {
            ReleaseProgress progress = Records.progress(KB, LocalDate.of(2024, 1, day), day);
            cluster.put(Names.STORE_RELEASE_PROGRESS, KB, KB + "|" + progress.getDay(), progress);
        }
        ReleaseProgress other = Records.progress(OTHER_KB, LocalDate.of(2024, 1, 9), 1);
        cluster.put(Names.STORE_RELEASE_PROGRESS, OTHER_KB, OTHER_KB + "|" + other.getDay(), other);
        alert("KB5034441|500-650MB|lt250MB|on-tpm", Records.alert("a-1", KB, AlertState.FIRING, Records.T0));
        alert("KB5034441|650MB+|lt250MB|off", Records.alert("a-2", KB, AlertState.RESOLVED, Records.T0));
        alert("KB5034440|500-650MB|lt250MB|off",
                Records.alert("a-3", OTHER_KB, AlertState.FIRING, Records.T0.plusSeconds(7200)));
    }

    @AfterEach
    void stop() {
        servers.forEach(QueryServer::close);
    }

    @Test
    void shouldAnswerADeviceOnEveryInstanceFromTheInstanceThatOwnsIt() throws Exception {
        for (HostInfo owner : List.of(a, b)) {
            String device = deviceOwnedBy(owner);

            HttpResponse<String> onA = get(a, "/v1/devices/" + device);
            HttpResponse<String> onB = get(b, "/v1/devices/" + device);

            assertThat(onA.statusCode()).isEqualTo(200);
            assertThat(onA.body()).isEqualTo(onB.body());
            assertThat(onA.headers().firstValue(QueryServer.SERVED_BY)).contains(address(owner));
            assertThat(onB.headers().firstValue(QueryServer.SERVED_BY)).contains(address(owner));
            JsonNode body = JSON.readTree(onA.body());
            assertThat(body.get("deviceId").asText()).isEqualTo(device);
            assertThat(body.get("statuses")).extracting(status -> status.get("kb").asText())
                    .containsExactly(OTHER_KB, KB);
            assertThat(body.get("statuses").get(1).get("updatedAt").asText()).isEqualTo("2024-01-09T19:00:00Z");
        }
    }

    @Test
    void shouldAnswerAnUnknownDeviceWithTheSame404ProblemOnEveryInstance() throws Exception {
        for (HostInfo owner : List.of(a, b)) {
            String unknown = IntStream.range(0, 1000).mapToObj(i -> "ghost-" + i)
                    .filter(id -> cluster.ownerOf(cluster.partitionOf(id)).equals(owner)).findFirst().orElseThrow();

            HttpResponse<String> onA = get(a, "/v1/devices/" + unknown);
            HttpResponse<String> onB = get(b, "/v1/devices/" + unknown);

            assertThat(onA.statusCode()).isEqualTo(404);
            assertThat(onB.statusCode()).isEqualTo(404);
            assertThat(onA.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(onA.body()).isEqualTo(onB.body());
            JsonNode problem = JSON.readTree(onA.body());
            assertThat(problem.get("status").asInt()).isEqualTo(404);
            assertThat(problem.get("detail").asText()).contains(unknown);
            assertThat(problem.get("instance").asText()).isEqualTo("/v1/devices/" + unknown);
        }
    }

    @Test
    void shouldListAReleasesDaysOldestFirstWithTheLatestAsCurrent() throws Exception {
        HttpResponse<String> onA = get(a, "/v1/releases/" + KB + "/progress");
        HttpResponse<String> onB = get(b, "/v1/releases/" + KB + "/progress");

        assertThat(onA.statusCode()).isEqualTo(200);
        assertThat(onA.body()).isEqualTo(onB.body());
        JsonNode body = JSON.readTree(onA.body());
        assertThat(body.get("days")).extracting(day -> day.get("day").asText())
                .containsExactly("2024-01-09", "2024-01-10", "2024-01-11", "2024-01-12");
        assertThat(body.get("current").get("day").asText()).isEqualTo("2024-01-12");
        assertThat(body.get("current").get("devicesFailing").asLong()).isEqualTo(12);
        assertThat(get(b, "/v1/releases/KB5057589/progress").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldCountExposedDevicesFleetWideAndPageThemInDeviceIdOrder() throws Exception {
        List<String> expected = published.stream().filter(status -> status.getKb().equals(KB) && status.getExposed())
                .map(DeviceStatus::getDeviceId).sorted().toList();

        for (HostInfo asked : List.of(a, b)) {
            List<String> seen = new ArrayList<>();
            String after = null;
            int pages = 0;
            do {
                HttpResponse<String> page = get(asked, "/v1/cohorts/exposed?kb=" + KB + "&limit=7"
                        + (after == null ? "" : "&after=" + after));
                HttpResponse<String> samePageElsewhere = get(asked.equals(a) ? b : a, page.uri().getRawPath()
                        + "?" + page.uri().getRawQuery());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.body()).isEqualTo(samePageElsewhere.body());
                JsonNode body = JSON.readTree(page.body());
                assertThat(body.get("count").asLong()).isEqualTo(expected.size());
                body.get("devices").forEach(device -> {
                    assertThat(device.get("exposed").asBoolean()).isTrue();
                    assertThat(device.get("kb").asText()).isEqualTo(KB);
                    seen.add(device.get("deviceId").asText());
                });
                after = body.get("next").isNull() ? null : body.get("next").asText();
                pages++;
            } while (after != null && pages < 100);

            assertThat(seen).containsExactlyElementsOf(expected);
            assertThat(pages).isEqualTo((expected.size() + 6) / 7);
        }
    }

    @Test
    void shouldListAlertsByStateNewestFirst() throws Exception {
        JsonNode firing = JSON.readTree(get(a, "/v1/alerts").body());
        JsonNode resolved = JSON.readTree(get(b, "/v1/alerts?state=resolved").body());
        JsonNode all = JSON.readTree(get(b, "/v1/alerts?state=all").body());

        assertThat(firing.get("state").asText()).isEqualTo("firing");
        assertThat(firing.get("alerts")).extracting(alert -> alert.get("alertId").asText()).containsExactly("a-3", "a-1");
        assertThat(resolved.get("alerts")).extracting(alert -> alert.get("alertId").asText()).containsExactly("a-2");
        assertThat(all.get("count").asInt()).isEqualTo(3);
        assertThat(get(b, "/v1/alerts").body()).isEqualTo(get(a, "/v1/alerts").body());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/v1/cohorts/exposed                          | kb",
        "/v1/cohorts/exposed?kb=5034441               | kb",
        "/v1/cohorts/exposed?kb=KB50344               | kb",
        "/v1/cohorts/exposed?kb=KB5034441&limit=0     | limit",
        "/v1/cohorts/exposed?kb=KB5034441&limit=1001  | limit",
        "/v1/cohorts/exposed?kb=KB5034441&limit=ten   | limit",
        "/v1/cohorts/exposed?kb=KB5034441&after=      | after",
        "/v1/releases/kb5034441/progress              | kb",
        "/v1/alerts?state=open                        | state",
        "/v1/devices/a%7Cb                            | id"})
    void shouldRefuseBadInputWithAProblemNamingTheParameter(String path, String parameter) throws Exception {
        HttpResponse<String> answer = get(b, path);

        assertThat(answer.statusCode()).isEqualTo(400);
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("invalid-params").get(0).get("name").asText()).isEqualTo(parameter);
        assertThat(problem.get("detail").asText()).startsWith(parameter + ":");
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileAStoreIsRebalancing() throws Exception {
        cluster.rebalancing(Names.STORE_DEVICE_STATUS);

        for (String path : List.of("/v1/devices/" + deviceOwnedBy(b), "/v1/cohorts/exposed?kb=" + KB)) {
            HttpResponse<String> answer = get(a, path);

            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).contains("2");
            assertThat(JSON.readTree(answer.body()).get("detail").asText()).contains("rebalancing");
        }
    }

    @Test
    void shouldAnswer503WhenTheInstancesDoNotCoverEveryPartitionExactlyOnce() throws Exception {
        // a believes b holds every partition; b answers for its own two: partitions 0 and 2 are read by nobody.
        cluster.staleView(a, Map.of(b, Set.of(0, 1, 2, 3)));

        HttpResponse<String> answer = get(a, "/v1/cohorts/exposed?kb=" + KB);

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(answer.body()).get("detail").asText()).contains("do not add up");
    }

    @Test
    void shouldAnswer502NamingAPeerThatCannotBeReached() throws Exception {
        HostInfo gone = new HostInfo("127.0.0.1", freePort());
        cluster.join(gone);
        String device = IntStream.range(0, DEVICES).mapToObj(i -> String.format("dev-%03d", i))
                .filter(id -> cluster.ownerOf(cluster.partitionOf(id)).equals(gone)).findFirst().orElseThrow();

        HttpResponse<String> lookup = get(a, "/v1/devices/" + device);
        HttpResponse<String> gather = get(b, "/v1/alerts?state=all");

        for (HttpResponse<String> answer : List.of(lookup, gather)) {
            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(JSON.readTree(answer.body()).get("detail").asText()).contains(address(gone));
        }
    }

    @Test
    void shouldAnswer503UntilTheStoresAreAttachedAnd404ForUnknownPaths() throws Exception {
        HostInfo starting = start();

        assertThat(get(starting, "/v1/devices/dev-001").statusCode()).isEqualTo(503);
        HttpResponse<String> unknown = get(a, "/v1/nothing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("detail").asText()).contains("no such endpoint");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://" + address(a) + "/v1/alerts"))
                .header("Authorization", "Bearer " + BOTH).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isIn(404, 405);
    }

    @Test
    void shouldRefuseEveryRouteWithoutATokenOfScopeRead() throws Exception {
        AccessProbe probe = new AccessProbe("http://" + address(a));

        probe.assertEveryRouteGuarded(servers.get(0).routes(), READER, WRITER);

        assertThat(servers.get(0).routes()).hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void shouldForwardTheCallersTokenToTheOwnerAndNoOtherToken() throws Exception {
        String device = deviceOwnedBy(b);
        String onlyA = Tokens.newToken();
        HostInfo c = start(Tokens.parse(List.of(Tokens.entry("reader", READER, Set.of(Scope.READ)),
                Tokens.entry("only-c", onlyA, Set.of(Scope.READ)))), Optional.empty(), null);
        servers.get(2).attach(cluster.stores(c));

        HttpResponse<String> forwarded = get(c, "/v1/devices/" + device, READER);
        HttpResponse<String> unknownToOwner = get(c, "/v1/devices/" + device, onlyA);

        assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
        assertThat(forwarded.headers().firstValue(QueryServer.SERVED_BY)).hasValue(address(b));
        assertThat(unknownToOwner.statusCode()).as("the owner does not know this token").isEqualTo(401);
    }

    @Test
    void shouldServeOnlyHttpsAndAskPeersOverHttpsWhenTlsIsConfigured() throws Exception {
        TestKeystore keys = TestKeystore.create(java.nio.file.Path.of("target", "tls-" + System.nanoTime()));
        Optional<Tls> tls = Tls.fromSettings(keys.keystore().toString(), "file:" + keys.passwordFile(), "t");
        HostInfo c = start(TOKENS, tls, keys.clientContext());
        HostInfo d = start(TOKENS, tls, keys.clientContext());
        FakeCluster secure = new FakeCluster(4).join(c).join(d);
        servers.get(2).attach(secure.stores(c));
        servers.get(3).attach(secure.stores(d));
        String device = "dev-tls";
        String owned = IntStream.range(0, 100).mapToObj(i -> device + i)
                .filter(id -> secure.ownerOf(secure.partitionOf(id)).equals(d)).findFirst().orElseThrow();
        DeviceStatus status = Records.status(owned, KB, true);
        secure.put(Names.STORE_DEVICE_STATUS, owned, owned + "|" + KB, status);
        AccessProbe probe = new AccessProbe("https://" + address(c), keys.clientContext());

        probe.assertEveryRouteGuarded(servers.get(2).routes(), READER, WRITER);
        HttpResponse<String> forwarded = probe.send("GET", "/v1/devices/" + owned, READER);

        assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
        assertThat(forwarded.headers().firstValue(QueryServer.SERVED_BY)).hasValue(address(d));
        assertThat(servers.get(2).tls()).isTrue();
        assertThatThrownBy(() -> new AccessProbe("http://" + address(c)).send("GET", "/v1/alerts", READER))
                .isInstanceOf(IOException.class);
    }

    private HostInfo start() {
        return start(TOKENS, Optional.empty(), null);
    }

    private HostInfo start(Tokens tokens, Optional<Tls> tls, javax.net.ssl.SSLContext trust) {
        QueryServer server = QueryServer.start(new HostInfo("127.0.0.1", 0), tokens, tls, trust);
        servers.add(server);
        return new HostInfo("127.0.0.1", server.port());
    }

    private void publish(DeviceStatus status) {
        published.add(status);
        cluster.put(Names.STORE_DEVICE_STATUS, status.getDeviceId(), status.getDeviceId() + "|" + status.getKb(),
                status);
    }

    private void alert(String key, SpikeAlert alert) {
        cluster.put(Names.STORE_SPIKE_ALERTS, key, key, alert);
    }

    private String deviceOwnedBy(HostInfo owner) {
        return published.stream().map(DeviceStatus::getDeviceId)
                .filter(id -> cluster.ownerOf(cluster.partitionOf(id)).equals(owner)).findFirst().orElseThrow();
    }

    private HttpResponse<String> get(HostInfo host, String path) throws IOException, InterruptedException {
        return get(host, path, BOTH);
    }

    private HttpResponse<String> get(HostInfo host, String path, String token)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + address(host) + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String address(HostInfo host) {
        return host.host() + ":" + host.port();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
