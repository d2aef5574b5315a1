package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.CollectorService;
import io.patchpulse.collector.CollectorSettings;
import io.patchpulse.collector.identity.DeviceIdKey;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.Parsers;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.deploy.embedded.PipelineProgress;
import io.patchpulse.deploy.metrics.MetricsEndpoint;
import io.patchpulse.deploy.metrics.ServiceMeters;
import io.patchpulse.security.Scope;
import io.patchpulse.security.Tokens;
import io.patchpulse.streams.query.QueryServer;
import io.patchpulse.streams.query.QueryableStores;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device ids are pseudonymized at the edge: the whole pipeline, fed through the ingest API with the collector's
 * sample files of every format (real shapes, real-looking host names and Entra / global device ids, broken items
 * included), writes no raw host name or hardware id to any log line, metric or Kafka topic but the dead letters'
 * payload (kept as received, by design: see {@code collector.dlq.payload}), and no pseudonymous id to any log line or
 * metric. Every line the JVM logs is captured; every meter is scraped; every topic is read back.
 */
class DeviceIdPrivacyIT {

    private static final Path SAMPLES = Path.of("..", "collector", "src", "test", "resources", "samples");
    private static final Pattern PSEUDONYM = Pattern.compile("d-[0-9a-f]{32}");
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldKeepRawNamesOutOfLogsMetricsAndTopicsAndPseudonymsOutOfLogsAndMetrics() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            PrometheusMeterRegistry meters = ServiceMeters.create("demo");
            String dlq;
            Map<String, TopicText> topics;
            Set<String> names;
            Set<String> namesInText;
            Set<String> pseudonyms;
            String metricsText;
            String token;
            String key;
            try (AllInOne pipeline = AllInOne.start(dir.resolve("data"), meters);
                    MetricsEndpoint metrics = MetricsEndpoint.start("127.0.0.1:0", meters, pipeline.tokens(),
                            Optional.empty())) {
                token = pipeline.token();
                // Given every sample file, plus WUfB rows that name devices by hardware id only, sent to the API
                List<Sample> samples = samples();
                names = rawNames(samples);
                namesInText = namesInText(samples);
                for (Sample sample : samples) {
                    HttpResponse<String> answer = post(pipeline.ingestUrl() + "/v1/ingest/" + sample.format().id(),
                            token, sample.contentType(), sample.body());
                    assertThat(answer.statusCode()).as(sample.name() + ": " + answer.body()).isIn(202, 400);
                }
                Path keyFile = dir.resolve("data").resolve("collector").resolve(DeviceIdKey.FILE_NAME);
                DeviceIds ids = DeviceIds.hmac(DeviceIdKey.read(keyFile));
                key = Files.readString(keyFile).strip();
                pseudonyms = new TreeSet<>();
                for (String name : names) {
                    pseudonyms.add(ids.of(name));
                }
                // and the query API asked about devices by pseudonym and by raw name
                HttpClient http = HttpClient.newHttpClient();
                for (String id : List.of(pseudonyms.iterator().next(), names.iterator().next())) {
                    http.send(HttpRequest.newBuilder(URI.create(pipeline.queryUrl() + "/v1/devices/"
                            + URLEncoder.encode(id, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString());
                }

                // When the pipeline has drained
                assertThat(new PipelineProgress(pipeline).awaitDrained(Duration.ofMinutes(5), line -> { })).isTrue();
                HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(URI.create(metrics.url()))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(scraped.statusCode()).as(scraped.body()).isEqualTo(200);
                metricsText = scraped.body();
                topics = readAllTopics(pipeline);
                dlq = pipeline.topics().installEventsDlq.name();
            }
            String logText = logs.text();

            // Then the checks can see what they look for: names were sent, logs captured, pseudonyms in Kafka keys
            assertThat(names).hasSizeGreaterThan(10);
            // and the text scan found every device a parser named (so its field list is not missing one)
            assertThat(names).allSatisfy(parsed -> assertThat(namesInText).as("spelled names holding %s", parsed)
                    .anySatisfy(spelled -> assertThat(spelled.toLowerCase(java.util.Locale.ROOT))
                            .contains(parsed.toLowerCase(java.util.Locale.ROOT))));
            assertThat(logText).contains("Ingest API listening");
            assertThat(metricsText).contains("patchpulse_collector_items_total");
            String installEvents = topics.get("patchpulse.install-events").keys();
            assertThat(pseudonyms).anySatisfy(id -> assertThat(installEvents).contains(id));

            // and no raw name or hardware id is in a log line, a metric, or any topic but the dead letters' payload:
            // neither as the parsers read it nor as the samples spell it
            Map<String, List<String>> leaks = new TreeMap<>();
            Set<String> searched = new TreeSet<>(names);
            searched.addAll(namesInText);
            for (String name : searched) {
                find(leaks, "log", logText, name);
                find(leaks, "metrics", metricsText, name);
                topics.forEach((topic, text) -> {
                    find(leaks, topic + " keys", text.keys(), name);
                    find(leaks, topic + " headers", text.headers(), name);
                    if (!topic.equals(dlq)) {
                        find(leaks, topic + " values", text.values(), name);
                    }
                });
            }
            // and no pseudonymous id is in a log line or a metric label
            for (String id : pseudonyms) {
                find(leaks, "log", logText, id);
                find(leaks, "metrics", metricsText, id);
            }
            find(leaks, "log", logText, PSEUDONYM);
            find(leaks, "metrics", metricsText, PSEUDONYM);
            // and neither the ingest token nor the device-id key is logged or exported
            find(leaks, "log", logText, token);
            find(leaks, "log", logText, key);
            find(leaks, "metrics", metricsText, token);
            find(leaks, "metrics", metricsText, key);
            // The figures SECURITY.md quotes, written before the verdict so a failing run leaves them too
            Map<String, Object> figures = new java.util.LinkedHashMap<>();
            figures.put("rawNamesChecked", searched.size());
            figures.put("rawNamesAsParsed", names.size());
            figures.put("rawNamesAsSpelledInTheSamples", namesInText.size());
            figures.put("rawNamesOnlyAsSpelled", namesInText.stream().filter(name -> !names.contains(name)).count());
            figures.put("pseudonymsChecked", pseudonyms.size());
            figures.put("logLinesScanned", logText.lines().count());
            figures.put("metricLinesScanned", metricsText.lines().count());
            figures.put("topicsRead", topics.size());
            figures.put("leaks", leaks);
            Path report = Path.of("target", "security-report");
            Files.createDirectories(report);
            JSON.writerWithDefaultPrettyPrinter().writeValue(report.resolve("device-id-privacy.json").toFile(),
                    figures);
            assertThat(leaks).as("where raw names, pseudonyms or secrets appear").isEmpty();
        }
    }

    @Test
    void shouldWarnOnceWhenPseudonymizationIsTurnedOffAndNeverWhenLeftOn() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", "127.0.0.1:1",
                    CollectorSettings.HTTP_PORT_CONFIG, "0"));
            settings.put(CollectorSettings.DATA_DIR_CONFIG, dir.resolve("hmac").toString());
            try (CollectorService collector = CollectorService.start(new CollectorSettings(settings), List.of())) {
                assertThat(collector.port()).isPositive();
            }
            assertThat(logs.text()).doesNotContain("collector.device.ids=raw");

            settings.put(CollectorSettings.DATA_DIR_CONFIG, dir.resolve("raw").toString());
            settings.put(CollectorSettings.DEVICE_IDS_CONFIG, "raw");
            try (CollectorService collector = CollectorService.start(new CollectorSettings(settings), List.of())) {
                assertThat(collector.port()).isPositive();
            }
            assertThat(logs.text().lines().filter(line -> line.contains("WARN")
                    && line.contains("collector.device.ids=raw"))).hasSize(1);
            assertThat(Files.exists(dir.resolve("raw").resolve(DeviceIdKey.FILE_NAME))).isFalse();
        }
    }

    private static final String TOKEN = Tokens.newToken();

    @Test
    void shouldLogTheRouteNotTheDeviceIdWhenAQueryFails() throws Exception {
        String device = "d-0123456789abcdef0123456789abcdef";
        try (LogCapture logs = LogCapture.start();
                QueryServer server = QueryServer.start(new HostInfo("127.0.0.1", 0),
                        Tokens.parse(List.of(Tokens.entry("it", TOKEN, Set.of(Scope.READ)))))) {
            server.attach(new QueryableStores() {
                @Override
                public HostInfo self() {
                    return new HostInfo("127.0.0.1", server.port());
                }

                @Override
                public KeyOwner owner(String store, String routingKey) {
                    throw new IllegalStateException("a bug in the store layer");
                }

                @Override
                public Map<HostInfo, Set<Integer>> partitions(String store) {
                    throw new IllegalStateException("a bug in the store layer");
                }

                @Override
                public <V> void scan(String store, int partition, String prefix,
                        java.util.function.BiConsumer<String, V> visitor) {
                    throw new IllegalStateException("a bug in the store layer");
                }
            });

            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.port() + "/v1/devices/" + device)).header("Authorization",
                    "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(logs.text()).contains("query GET /v1/devices/{id} failed").doesNotContain(device);
        }
    }

    private static void find(Map<String, List<String>> leaks, String where, String text, String needle) {
        if (text.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT))) {
            leaks.computeIfAbsent(where, w -> new ArrayList<>()).add(needle + " in: " + context(text, needle));
        }
    }

    private static void find(Map<String, List<String>> leaks, String where, String text, Pattern pattern) {
        Matcher matcher = pattern.matcher(text);
        if (matcher.find()) {
            leaks.computeIfAbsent(where, w -> new ArrayList<>()).add(matcher.group() + " in: "
                    + context(text, matcher.group()));
        }
    }

    private static String context(String text, String needle) {
        int at = text.toLowerCase(Locale.ROOT).indexOf(needle.toLowerCase(Locale.ROOT));
        return text.substring(Math.max(0, at - 160), Math.min(text.length(), at + needle.length() + 80))
                .replace('\n', ' ');
    }

    /** A sample file and how it is posted. */
    private record Sample(String name, InputFormat format, String contentType, byte[] body) {
    }

    private static List<Sample> samples() throws Exception {
        List<Sample> samples = new ArrayList<>();
        for (InputFormat format : List.of(InputFormat.DEVICE_REPORT, InputFormat.OSQUERY, InputFormat.WINLOGBEAT,
                InputFormat.EVENTLOG_XML, InputFormat.WUFB)) {
            try (Stream<Path> files = Files.list(SAMPLES.resolve(format.id()))) {
                for (Path file : files.filter(f -> !f.getFileName().toString().endsWith(".md")).sorted().toList()) {
                    samples.add(new Sample(file.getFileName().toString(), format, contentType(file),
                            Files.readAllBytes(file)));
                }
            }
        }
        // Rows whose device is named only by its Entra id: the hardware id is the name to hash.
        String csv = Files.readString(SAMPLES.resolve("wufb").resolve("ucupdatealert-kusto.csv"));
        StringBuilder hidden = new StringBuilder(csv.lines().findFirst().orElseThrow()).append('\n');
        csv.lines().skip(1).forEach(line -> {
            String[] fields = line.split(",", 4);
            hidden.append(fields[0]).append(",#,").append(fields[2].substring(0, 24))
                    .append("7e57da7a1d00").append(',').append(fields[3]).append('\n');
        });
        samples.add(new Sample("entra-ids-only.csv", InputFormat.WUFB, "text/csv",
                hidden.toString().getBytes(StandardCharsets.UTF_8)));
        return samples;
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".xml")) {
            return "application/xml";
        }
        if (name.endsWith(".csv")) {
            return "text/csv";
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        return "application/x-ndjson";
    }

    /**
     * The raw names of the samples: what each parser hashes (parsed here with raw ids), plus every Entra and global
     * device id in the WUfB files, used as the id or not.
     */
    private static Set<String> rawNames(List<Sample> samples) throws Exception {
        Set<String> names = new TreeSet<>();
        for (Sample sample : samples) {
            var result = Parsers.of(sample.format()).parse(new ByteArrayInputStream(sample.body()),
                    new ParseContext(DeviceIds.raw(), Instant.now(), "privacy-test"));
            for (CollectedRecord record : result.collected()) {
                names.add(record.deviceId());
            }
            if (sample.format() == InputFormat.WUFB) {
                String text = new String(sample.body(), StandardCharsets.UTF_8);
                if (sample.name().endsWith(".json")) {
                    JsonNode tree = JSON.readTree(text);
                    for (String field : List.of("AzureADDeviceId", "GlobalDeviceId")) {
                        tree.findValuesAsText(field).forEach(names::add);
                    }
                } else {
                    List<String> header = List.of(text.lines().findFirst().orElseThrow().split(","));
                    for (String field : List.of("AzureADDeviceId", "GlobalDeviceId")) {
                        int column = header.indexOf(field);
                        if (column >= 0) {
                            text.lines().skip(1).map(line -> line.split(",")).filter(cells -> cells.length > column)
                                    .map(cells -> cells[column].strip())
                                    .filter(cell -> GUID.matcher(cell).matches()) // a quoted comma shifts columns
                                    .forEach(names::add);
                        }
                    }
                }
            }
        }
        // Too short to search for without false alarms, or the all-zero id WUfB writes for "none".
        names.removeIf(name -> name.length() < 6 || (GUID.matcher(name).matches() && name.startsWith("00000000")));
        return names;
    }

    /** The fields that name a device in the sample formats, read from the samples' text with no parser. */
    private static final List<Pattern> NAME_FIELDS = List.of(
            Pattern.compile("\"(?:host|hostIdentifier|hostname|computer_name|MachineName|ComputerName|CsName"
                    + "|CsDNSHostName|DeviceName|AzureADDeviceId|GlobalDeviceId)\"\\s*:\\s*\"([^\"]+)\""),
            Pattern.compile("\"host\"\\s*:\\s*\\{[^{}]*\"name\"\\s*:\\s*\"([^\"]+)\""),
            Pattern.compile("<Computer>([^<]+)</Computer>"));

    /**
     * The device names as the samples spell them (host names with their domain and case, hardware ids), found in
     * their text by field name, independently of the parsers, so a name a parser overlooks is still searched for.
     */
    private static Set<String> namesInText(List<Sample> samples) {
        Set<String> names = new TreeSet<>();
        for (Sample sample : samples) {
            byte[] body = sample.body();
            boolean utf16 = body.length > 1 && (body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xFE;
            String text = new String(body, utf16 ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_8);
            for (Pattern field : NAME_FIELDS) {
                Matcher matcher = field.matcher(text);
                while (matcher.find()) {
                    names.add(matcher.group(1).strip());
                }
            }
            if (sample.format() == InputFormat.WUFB && !sample.name().endsWith(".json")) {
                List<String> header = csvCells(text.lines().findFirst().orElseThrow());
                for (String field : List.of("DeviceName", "AzureADDeviceId", "GlobalDeviceId")) {
                    int column = header.indexOf(field);
                    if (column >= 0) {
                        text.lines().skip(1).map(DeviceIdPrivacyIT::csvCells).filter(cells -> cells.size() > column)
                                .map(cells -> cells.get(column).strip()).forEach(names::add);
                    }
                }
            }
        }
        // Too short to search for without false alarms, or the all-zero id WUfB writes for "none".
        names.removeIf(name -> name.length() < 6 || (GUID.matcher(name).matches() && name.startsWith("00000000")));
        return names;
    }

    /** The cells of one CSV line, a quoted cell's commas and doubled quotes read as text. */
    private static List<String> csvCells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"' && quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cell.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    private static HttpResponse<String> post(String url, String token, String contentType, byte[] body)
            throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Content-Type", contentType)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** What one topic holds: keys, values and headers (names and values), as Latin-1 text to search bytes. */
    private record TopicText(String keys, String values, String headers) {
    }

    private static Map<String, TopicText> readAllTopics(AllInOne pipeline) throws Exception {
        Map<String, StringBuilder[]> text = new TreeMap<>();
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : pipeline.admin().listTopics().names().get()) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("reading every topic").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    StringBuilder[] parts = text.computeIfAbsent(record.topic(),
                            t -> new StringBuilder[] {new StringBuilder(), new StringBuilder(), new StringBuilder()});
                    parts[0].append(latin1(record.key())).append('\n');
                    parts[1].append(latin1(record.value())).append('\n');
                    for (Header header : record.headers()) {
                        parts[2].append(header.key()).append('=').append(latin1(header.value())).append('\n');
                    }
                }
            }
        }
        Map<String, TopicText> topics = new TreeMap<>();
        text.forEach((topic, parts) -> topics.put(topic, new TopicText(parts[0].toString(), parts[1].toString(),
                parts[2].toString())));
        return topics;
    }

    private static String latin1(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
