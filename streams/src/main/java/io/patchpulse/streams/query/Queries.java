package io.patchpulse.streams.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.schemas.avro.AlertState;
import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.SpikeAlert;
import io.patchpulse.streams.topology.Names;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The queries behind the REST API, routed: a key's query is answered here when this instance holds the key's
 * partition actively, else by the instance that does (its {@code /v1/local/...} endpoint, which never forwards
 * again); a fleet-wide query asks every instance holding the store for its own partitions and merges, after
 * checking that every partition was read exactly once.
 */
final class Queries {

    static final String LOCAL = "/v1/local";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which alerts to list. */
    enum AlertFilter {
        FIRING, RESOLVED, ALL;

        boolean accepts(SpikeAlert alert) {
            return this == ALL || alert.getState() == (this == FIRING ? AlertState.FIRING : AlertState.RESOLVED);
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A JSON answer.
     *
     * @param servedBy the instance that read the store ({@code host:port}), or null for merged answers
     */
    record Answer(int status, JsonNode body, String servedBy, String retryAfter) {

        static Answer ok(JsonNode body, String servedBy) {
            return new Answer(200, body, servedBy, null);
        }
    }

    private final QueryableStores stores;
    private final Peers peers;

    Queries(QueryableStores stores, Peers peers) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.peers = Objects.requireNonNull(peers, "peers");
    }

    /** The same queries, asking peers with the caller's {@code Authorization} header (null: none). */
    Queries forCaller(String authorization) {
        return new Queries(stores, peers.as(authorization));
    }

    // ---- GET /v1/devices/{id}

    Answer device(String deviceId) {
        return routed(Names.STORE_DEVICE_STATUS, deviceId, LOCAL + "/devices/" + pathSegment(deviceId),
                partition -> deviceBody(deviceId, partition));
    }

    Answer localDevice(String deviceId) {
        return local(Names.STORE_DEVICE_STATUS, deviceId, partition -> deviceBody(deviceId, partition));
    }

    private ObjectNode deviceBody(String deviceId, int partition) {
        TreeMap<String, DeviceStatus> byKey = new TreeMap<>();
        stores.<DeviceStatus>scan(Names.STORE_DEVICE_STATUS, partition, deviceId + "|", byKey::put);
        if (byKey.isEmpty()) {
            throw new ProblemException(404, "no status is known for device " + deviceId);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("deviceId", deviceId);
        ArrayNode statuses = body.putArray("statuses");
        byKey.values().forEach(status -> statuses.add(RecordJson.toTree(status)));
        return body;
    }

    // ---- GET /v1/releases/{kb}/progress

    Answer releaseProgress(String kb) {
        return routed(Names.STORE_RELEASE_PROGRESS, kb, LOCAL + "/releases/" + pathSegment(kb) + "/progress",
                partition -> progressBody(kb, partition));
    }

    Answer localReleaseProgress(String kb) {
        return local(Names.STORE_RELEASE_PROGRESS, kb, partition -> progressBody(kb, partition));
    }

    private ObjectNode progressBody(String kb, int partition) {
        // Keys are kb|YYYY-MM-DD: in key order is in day order.
        TreeMap<String, ReleaseProgress> byKey = new TreeMap<>();
        stores.<ReleaseProgress>scan(Names.STORE_RELEASE_PROGRESS, partition, kb + "|", byKey::put);
        if (byKey.isEmpty()) {
            throw new ProblemException(404, "no progress is known for release " + kb);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("kb", kb);
        ArrayNode days = body.putArray("days");
        byKey.values().forEach(day -> days.add(RecordJson.toTree(day)));
        body.set("current", days.get(days.size() - 1).deepCopy());
        return body;
    }

    // ---- GET /v1/cohorts/exposed

    Answer exposed(String kb, int limit, String after) {
        String query = "?kb=" + queryValue(kb) + "&limit=" + limit
                + (after == null ? "" : "&after=" + queryValue(after));
        List<JsonNode> parts = gather(Names.STORE_DEVICE_STATUS, LOCAL + "/cohorts/exposed" + query,
                () -> localExposed(kb, limit, after));
        long count = 0;
        long remaining = 0;
        List<JsonNode> devices = new ArrayList<>();
        for (JsonNode part : parts) {
            count += part.path("count").asLong();
            remaining += part.path("remaining").asLong();
            part.path("devices").forEach(devices::add);
        }
        devices.sort(Comparator.comparing(device -> device.path("deviceId").asText()));
        List<JsonNode> page = devices.subList(0, Math.min(limit, devices.size()));
        ObjectNode body = JSON.createObjectNode();
        body.put("kb", kb);
        body.put("count", count);
        body.put("limit", limit);
        body.put("after", after);
        body.putArray("devices").addAll(page);
        body.put("next", remaining > page.size() ? page.get(page.size() - 1).path("deviceId").asText() : null);
        return Answer.ok(body, null);
    }

    /** This instance's part: its partitions, its exposed count, how many sort after the cursor, and the first page. */
    ObjectNode localExposed(String kb, int limit, String after) {
        Set<Integer> partitions = localPartitions(Names.STORE_DEVICE_STATUS);
        long[] counts = new long[2];
        TreeMap<String, DeviceStatus> page = new TreeMap<>();
        for (int partition : partitions) {
            stores.<DeviceStatus>scan(Names.STORE_DEVICE_STATUS, partition, null, (key, status) -> {
                if (status == null || !status.getExposed() || !kb.equals(status.getKb())) {
                    return;
                }
                counts[0]++;
                String deviceId = status.getDeviceId();
                if (after == null || deviceId.compareTo(after) > 0) {
                    counts[1]++;
                    page.put(deviceId, status);
                    if (page.size() > limit) {
                        page.pollLastEntry();
                    }
                }
            });
        }
        ObjectNode body = JSON.createObjectNode();
        partitions.forEach(body.putArray("partitions")::add);
        body.put("count", counts[0]);
        body.put("remaining", counts[1]);
        ArrayNode devices = body.putArray("devices");
        page.values().forEach(status -> devices.add(RecordJson.toTree(status)));
        return body;
    }

    // ---- GET /v1/alerts

    Answer alerts(AlertFilter filter) {
        List<JsonNode> parts = gather(Names.STORE_SPIKE_ALERTS, LOCAL + "/alerts?state=" + filter.label(),
                () -> localAlerts(filter));
        List<JsonNode> alerts = new ArrayList<>();
        parts.forEach(part -> part.path("alerts").forEach(alerts::add));
        // Newest episode first; the id breaks ties so every instance lists them in the same order.
        alerts.sort(Comparator.<JsonNode, String>comparing(alert -> alert.path("startsAt").asText()).reversed()
                .thenComparing(alert -> alert.path("alertId").asText()));
        ObjectNode body = JSON.createObjectNode();
        body.put("state", filter.label());
        body.put("count", alerts.size());
        body.putArray("alerts").addAll(alerts);
        return Answer.ok(body, null);
    }

    ObjectNode localAlerts(AlertFilter filter) {
        Set<Integer> partitions = localPartitions(Names.STORE_SPIKE_ALERTS);
        TreeMap<String, SpikeAlert> byKey = new TreeMap<>();
        for (int partition : partitions) {
            stores.<SpikeAlert>scan(Names.STORE_SPIKE_ALERTS, partition, null, (key, alert) -> {
                if (alert != null && filter.accepts(alert)) {
                    byKey.put(key, alert);
                }
            });
        }
        ObjectNode body = JSON.createObjectNode();
        partitions.forEach(body.putArray("partitions")::add);
        ArrayNode alerts = body.putArray("alerts");
        byKey.values().forEach(alert -> alerts.add(RecordJson.toTree(alert)));
        return body;
    }

    // ---- routing

    private Answer routed(String store, String routingKey, String localPath, IntFunction<ObjectNode> read) {
        QueryableStores.KeyOwner owner = stores.owner(store, routingKey);
        if (owner.active().equals(stores.self())) {
            return Answer.ok(read.apply(owner.partition()), Peers.address(stores.self()));
        }
        Peers.Reply reply = join(peers.get(owner.active(), localPath));
        JsonNode body = parse(reply);
        return new Answer(reply.status(), body, Peers.address(owner.active()), reply.retryAfter());
    }

    /** Answers only when this instance holds the key's partition: a forwarded request is never forwarded again. */
    private Answer local(String store, String routingKey, IntFunction<ObjectNode> read) {
        QueryableStores.KeyOwner owner = stores.owner(store, routingKey);
        if (!owner.active().equals(stores.self())) {
            throw new NotQueryableException("partition " + owner.partition() + " of " + store + " moved to "
                    + Peers.address(owner.active()) + " (rebalancing)");
        }
        return Answer.ok(read.apply(owner.partition()), Peers.address(stores.self()));
    }

    private Set<Integer> localPartitions(String store) {
        return stores.partitions(store).getOrDefault(stores.self(), Set.of());
    }

    /**
     * Asks every instance that holds {@code store} for its part (this one directly, the others over HTTP at
     * {@code localPathAndQuery}) and checks that together they read every partition exactly once.
     */
    private List<JsonNode> gather(String store, String localPathAndQuery, Supplier<JsonNode> self) {
        Map<HostInfo, Set<Integer>> view = stores.partitions(store);
        // The others are asked first, so they work while this instance reads its own part.
        List<CompletableFuture<JsonNode>> asked = new ArrayList<>();
        boolean selfHolds = false;
        for (HostInfo instance : view.keySet()) {
            if (instance.equals(stores.self())) {
                selfHolds = true;
            } else {
                asked.add(peers.get(instance, localPathAndQuery).thenApply(Queries::partOf));
            }
        }
        List<JsonNode> parts = new ArrayList<>();
        if (selfHolds) {
            parts.add(self.get());
        }
        for (CompletableFuture<JsonNode> part : asked) {
            parts.add(join(part));
        }
        Set<Integer> expected = new TreeSet<>();
        view.values().forEach(expected::addAll);
        Set<Integer> read = new TreeSet<>();
        Set<Integer> twice = new HashSet<>();
        for (JsonNode part : parts) {
            part.path("partitions").forEach(partition -> {
                if (!read.add(partition.asInt())) {
                    twice.add(partition.asInt());
                }
            });
        }
        if (!twice.isEmpty() || !read.equals(expected)) {
            throw new NotQueryableException("the instances' parts of " + store + " do not add up (partitions "
                    + expected + " expected, " + read + " read" + (twice.isEmpty() ? "" : ", " + twice + " twice")
                    + "): the group is rebalancing");
        }
        return parts;
    }

    /** A peer's part of a fleet-wide query, or the failure it reported. */
    private static JsonNode partOf(Peers.Reply reply) {
        if (reply.status() == 200) {
            return parse(reply);
        }
        String detail = parse(reply).path("detail").asText("status " + reply.status());
        if (reply.status() == 503) {
            throw new NotQueryableException("streams instance " + Peers.address(reply.peer()) + ": " + detail);
        }
        throw new ProblemException(502, "streams instance " + Peers.address(reply.peer()) + " answered "
                + reply.status() + ": " + detail);
    }

    private static JsonNode parse(Peers.Reply reply) {
        try {
            return JSON.readTree(reply.body());
        } catch (JsonProcessingException e) {
            throw new ProblemException(502, "streams instance " + Peers.address(reply.peer()) + " answered "
                    + reply.status() + " with a body that is not JSON");
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String queryValue(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
