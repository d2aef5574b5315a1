package io.patchpulse.collector.ingest;

import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.publish.Spool;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tls;
import io.patchpulse.security.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A real ingest server on a free port with a real spool, without Kafka: what was acknowledged stays in the spool.
 * Records over 8 KiB are refused.
 */
final class IngestApiFixture implements AutoCloseable {

    /** Scope write (an entry without scopes, as ingest-only configs have them). */
    static final String TOKEN = "test-token-0123456789";
    /** Scope read: the status, never a POST. */
    static final String READ_TOKEN = "test-read-token-0123456789";

    final Spool spool;
    final Topics topics = new Topics("test.");
    final Ingestor ingestor;
    final IngestServer server;
    final HttpClient http = HttpClient.newHttpClient();

    IngestApiFixture(Path dir, long maxRequestBytes, int requestsPerMinute) throws IOException {
        this(dir, maxRequestBytes, requestsPerMinute, Optional.empty());
    }

    IngestApiFixture(Path dir, long maxRequestBytes, int requestsPerMinute, Optional<Tls> tls) throws IOException {
        this(dir, maxRequestBytes, requestsPerMinute, 4, IngestServer.TimeLimits.DEFAULTS, tls);
    }

    /** With the server's time limits and its number of requests parsed at once. */
    IngestApiFixture(Path dir, long maxRequestBytes, int requestsPerMinute, int maxConcurrent,
                     IngestServer.TimeLimits limits) throws IOException {
        this(dir, maxRequestBytes, requestsPerMinute, maxConcurrent, limits, Optional.empty());
    }

    /** With time limits and TLS. */
    IngestApiFixture(Path dir, long maxRequestBytes, int requestsPerMinute, int maxConcurrent,
                     IngestServer.TimeLimits limits, Optional<Tls> tls) throws IOException {
        this.spool = Spool.open(dir.resolve("spool"));
        this.ingestor = new Ingestor(spool, topics, DeviceIds.hmac(new byte[32]), 1_000_000, 8 * 1024,
                Clock.systemUTC());
        this.server = new IngestServer(ingestor, Tokens.parse(List.of(Tokens.entry("test", TOKEN),
                Tokens.entry("reader", READ_TOKEN, Set.of(Scope.READ)))), tls, "127.0.0.1", 0,
                maxRequestBytes, requestsPerMinute, maxConcurrent, () -> Map.of("spooled", spool.size()), limits);
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
        spool.close();
    }
}
