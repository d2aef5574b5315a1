package io.patchpulse.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.schemas.avro.Release;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each catalog release stands and which alerts fired, read from the streams REST API as a user would ask it
 * (not from the pipeline's memory): the demo's closing lines.
 */
final class ReleaseReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String api;
    private final String token;

    /** Reads {@code api} with {@code token} (scope read). */
    ReleaseReport(String api, String token) {
        this.api = api;
        this.token = token;
    }

    void print(PrintWriter out, List<Release> catalog) {
        out.println("Releases (streams API " + api + "/v1/releases/{kb}/progress):");
        out.printf("  %-10s %8s %9s %8s %8s  %-44s %10s %8s%n", "kb", "tracked", "attempted", "failing", "fixed",
                "fixed after failing, by cause", "at fixed", "exposed");
        for (Release release : catalog) {
            JsonNode body = get("/v1/releases/" + release.getKb() + "/progress");
            if (body == null) {
                continue;
            }
            JsonNode now = body.path("current");
            List<String> causes = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> byCause = now.path("fixedByCause").fields();
            byCause.forEachRemaining(cause -> causes.add(cause.getKey().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + " " + cause.getValue().asLong()));
            JsonNode share = now.path("shareAtFixedWinre");
            out.printf(Locale.ROOT, "  %-10s %,8d %,9d %,8d %,8d  %-44s %10s %,8d%n", release.getKb(),
                    now.path("devicesTracked").asLong(), now.path("devicesAttempted").asLong(),
                    now.path("devicesFailing").asLong(), now.path("devicesFixed").asLong(),
                    causes.isEmpty() ? "-" : String.join(", ", causes),
                    share.isNumber() ? String.format(Locale.ROOT, "%.1f %%", 100 * share.asDouble()) : "unknown",
                    now.path("exposedDevices").asLong());
        }
        JsonNode alerts = get("/v1/alerts?state=all");
        if (alerts != null) {
            out.printf("Spike alerts: %d (firing and resolved; %s/v1/alerts?state=firing)%n",
                    alerts.path("count").asLong(), api);
        }
        out.println("  exposed = BitLocker protection on and WinRE not fixed; per device: " + api
                + "/v1/cohorts/exposed?kb=KB5034441");
    }

    /** The JSON body of a 200 answer; null (with nothing printed) for anything else. */
    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + path))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
