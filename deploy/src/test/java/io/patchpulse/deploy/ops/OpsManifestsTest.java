package io.patchpulse.deploy.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.patchpulse.schemas.topics.Topic;
import io.patchpulse.schemas.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Static checks of everything in {@code deploy/ops} (no Docker or Kubernetes here): every YAML and JSON file
 * parses, and the files agree with each other and with the code: topics with {@link Topics}, scrape targets with
 * the services' metrics ports, dashboards with their provisioning, and every metric name with what PatchPulse
 * really renders.
 */
class OpsManifestsTest {

    static final Path OPS = Path.of("ops");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** Series no service renders: the scraper's own, and vmalert's record of its alerts. */
    static final Set<String> SCRAPER_SERIES = Set.of("up", "ALERTS");

    @Test
    void everyYamlAndJsonFileParses() throws IOException {
        List<Path> files = files(OPS, ".yml", ".yaml", ".json");
        assertThat(files).hasSizeGreaterThan(15);
        for (Path file : files) {
            List<JsonNode> documents = file.toString().endsWith(".json") ? List.of(JSON.readTree(file.toFile()))
                    : yamlDocuments(file);
            assertThat(documents).as(file.toString()).isNotEmpty().allSatisfy(doc -> assertThat(doc.isObject())
                    .as(file + " holds a mapping").isTrue());
        }
    }

    @Test
    void everyTopicHasAKafkaTopicWithItsCleanupPolicy() throws IOException {
        Map<String, JsonNode> kafkaTopics = new HashMap<>();
        for (JsonNode doc : yamlDocuments(OPS.resolve("k8s/topics.yaml"))) {
            assertThat(doc.path("kind").asText()).isEqualTo("KafkaTopic");
            assertThat(doc.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo("patchpulse");
            kafkaTopics.put(doc.at("/spec/topicName").asText(), doc.path("spec"));
        }
        Topics topics = Topics.defaults();
        assertThat(kafkaTopics.keySet()).containsExactlyInAnyOrderElementsOf(
                topics.all().stream().map(Topic::name).toList());
        for (Topic<?, ?> topic : topics.all()) {
            JsonNode config = kafkaTopics.get(topic.name()).path("config");
            if (topics.compacted().contains(topic)) {
                assertThat(config.path("cleanup.policy").asText()).as(topic.name()).isEqualTo("compact");
            } else {
                // TopicSetup: records carry event time, so no time-based retention; bounded by size instead.
                assertThat(config.path("cleanup.policy").asText()).as(topic.name()).isEqualTo("delete");
                assertThat(config.path("retention.ms").asText()).as(topic.name()).isEqualTo("-1");
                assertThat(config.path("retention.bytes").asLong()).as(topic.name()).isPositive();
            }
        }
        // The topology joins these two without a shuffle: they must be co-partitioned.
        assertThat(kafkaTopics.get(topics.installEvents.name()).path("partitions").asInt())
                .isEqualTo(kafkaTopics.get(topics.deviceInventory.name()).path("partitions").asInt());
    }

    @Test
    void strimziKafkaRunsInKraftWithANodePool() throws IOException {
        List<JsonNode> docs = yamlDocuments(OPS.resolve("k8s/kafka.yaml"));
        JsonNode kafka = docs.stream().filter(d -> d.path("kind").asText().equals("Kafka")).findFirst().orElseThrow();
        JsonNode pool = docs.stream().filter(d -> d.path("kind").asText().equals("KafkaNodePool")).findFirst()
                .orElseThrow();
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1kraft").asText()).isEqualTo("enabled");
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1node-pools").asText()).isEqualTo("enabled");
        assertThat(pool.at("/metadata/labels/strimzi.io~1cluster").asText())
                .isEqualTo(kafka.at("/metadata/name").asText());
        assertThat(texts(pool.at("/spec/roles"))).contains("controller", "broker");
        assertThat(kafka.at("/spec/entityOperator/topicOperator").isObject()).isTrue();
    }

    @Test
    void streamsRunAsAStatefulSetWithStateOnAPersistentVolume() throws IOException {
        JsonNode statefulSet = yamlDocuments(OPS.resolve("k8s/streams.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("StatefulSet")).findFirst().orElseThrow();
        String claim = statefulSet.at("/spec/volumeClaimTemplates/0/metadata/name").asText();
        JsonNode container = statefulSet.at("/spec/template/spec/containers/0");
        String stateMount = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("name").asText().equals(claim)) {
                stateMount = mount.path("mountPath").asText();
            }
        }
        String properties = yamlDocuments(OPS.resolve("k8s/config.yaml")).get(0)
                .at("/data/streams.properties").asText();
        assertThat(stateMount).isNotNull();
        assertThat(properties).contains("state.dir=" + stateMount);
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        JsonNode kustomization = yamlDocuments(OPS.resolve("k8s/kustomization.yaml")).get(0);
        Set<String> listed = new TreeSet<>(texts(kustomization.path("resources")));
        Set<String> present = new TreeSet<>();
        for (Path file : files(OPS.resolve("k8s"), ".yaml")) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                present.add(file.getFileName().toString());
            }
        }
        assertThat(listed).isEqualTo(present);
    }

    @Test
    void composeMetricsPortsMatchTheScrapeConfig() throws IOException {
        JsonNode compose = yamlDocuments(OPS.resolve("compose/docker-compose.yml")).get(0);
        Set<String> metricsEndpoints = new TreeSet<>();
        Pattern listen = Pattern.compile("--metrics-listen=0\\.0\\.0\\.0:(\\d+)");
        for (String service : List.of("collector", "streams", "sink")) {
            List<String> command = texts(compose.at("/services/" + service + "/command"));
            assertThat(command.get(0)).isEqualTo(service);
            String port = command.stream().map(listen::matcher).filter(Matcher::matches).map(m -> m.group(1))
                    .findFirst().orElseThrow(() -> new AssertionError(service + " has no --metrics-listen"));
            metricsEndpoints.add(service + ":" + port);
        }
        // The CLI's defaults (MetricsOptions): collector 9401, streams 9402, sink 9403.
        assertThat(metricsEndpoints).containsExactly("collector:9401", "sink:9403", "streams:9402");

        JsonNode scrape = yamlDocuments(OPS.resolve("compose/scrape.yml")).get(0);
        Set<String> targets = new TreeSet<>();
        for (JsonNode job : scrape.path("scrape_configs")) {
            assertThat(job.path("job_name").asText()).startsWith("patchpulse-"); // PatchPulseTargetDown's selector
            for (JsonNode config : job.path("static_configs")) {
                targets.addAll(texts(config.path("targets")));
            }
        }
        assertThat(targets).isEqualTo(metricsEndpoints);
    }

    @Test
    void composeRunsTheWholeStackWithItsFilesMounted() throws IOException {
        Path composeDir = OPS.resolve("compose");
        JsonNode services = yamlDocuments(composeDir.resolve("docker-compose.yml")).get(0).path("services");
        assertThat(iterable(services.fieldNames())).contains("kafka", "questdb", "victoriametrics", "vmagent",
                "vmalert", "alertmanager", "grafana", "patchpulse-init", "collector", "streams", "sink");
        assertThat(services.at("/kafka/image").asText()).startsWith("apache/kafka:");
        assertThat(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(texts(services.at("/victoriametrics/command")))
                .contains("-retentionPeriod=100y", "-dedup.minScrapeInterval=1m");
        String init = String.join(" ", texts(services.at("/patchpulse-init/command")));
        assertThat(init).contains("patchpulse topics").contains("patchpulse releases load");
        for (String service : List.of("collector", "streams", "sink")) {
            assertThat(services.at("/" + service + "/depends_on/patchpulse-init/condition").asText())
                    .isEqualTo("service_completed_successfully");
        }
        assertThat(texts(services.at("/sink/command"))).anyMatch(a -> a.startsWith("--set=questdb.sender.config="))
                .anyMatch(a -> a.startsWith("--set=questdb.http.url=")).anyMatch(a -> a.startsWith(
                        "--set=victoriametrics.url=")).anyMatch(a -> a.startsWith("--set=alertmanager.url="));
        // Every bind mount names a file or directory of the repository.
        for (JsonNode service : iterable(services.elements())) {
            for (String volume : texts(service.path("volumes"))) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(composeDir.resolve(source)).as(volume).exists();
                }
            }
        }
        // The services share the image through the x-patchpulse anchor (merge keys, which Jackson does not expand).
        JsonNode shared = yamlDocuments(composeDir.resolve("docker-compose.yml")).get(0).path("x-patchpulse");
        Path context = composeDir.resolve(shared.at("/build/context").asText());
        assertThat(context.resolve(shared.at("/build/dockerfile").asText())).isRegularFile();
        assertThat(context.resolve("patchpulse")).as("the build context is the repository root").isRegularFile();
    }

    /** Each service's setting of a file of token entries (who may read its /metrics, among others). */
    static final Map<String, String> TOKENS_FILE_SETTINGS = Map.of("collector", "collector.tokens.file",
            "streams", "query.tokens.file", "sink", "http.tokens.file");

    @Test
    void composeScraperSendsAReadTokenEveryServiceAdmits() throws IOException {
        Path composeDir = OPS.resolve("compose");
        JsonNode services = yamlDocuments(composeDir.resolve("docker-compose.yml")).get(0).path("services");
        JsonNode scrape = yamlDocuments(composeDir.resolve("scrape.yml")).get(0);
        Map<String, String> vmagentMounts = mounts(services.path("vmagent"));
        for (JsonNode job : scrape.path("scrape_configs")) {
            // /metrics answers 401 to a scrape without a token: every job carries one, from a file vmagent has.
            String file = job.at("/authorization/credentials_file").asText();
            assertThat(file).as(job.path("job_name").asText() + " authorization.credentials_file").isNotEmpty();
            assertThat(job.at("/authorization/type").asText("Bearer")).isEqualTo("Bearer");
            assertThat(mountedFrom(vmagentMounts, file)).as(file + " is mounted into vmagent").isNotNull();
        }
        String scrapeDir = mountedFrom(vmagentMounts, scrape.at("/scrape_configs/0/authorization/credentials_file")
                .asText());
        for (Map.Entry<String, String> service : TOKENS_FILE_SETTINGS.entrySet()) {
            String prefix = "--set=" + service.getValue() + "=";
            String file = texts(services.at("/" + service.getKey() + "/command")).stream()
                    .filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).findFirst()
                    .orElseThrow(() -> new AssertionError(service.getKey() + " sets no " + service.getValue()));
            assertThat(mountedFrom(mounts(services.path(service.getKey())), file))
                    .as(service.getKey() + " reads its tokens from the directory vmagent's token comes from")
                    .isEqualTo(scrapeDir);
        }
        assertThat(composeDir.resolve(scrapeDir).resolve(".gitignore")).as("tokens are never committed")
                .content().contains("*");
    }

    @Test
    void kubernetesServicesReadTheirTokensFromTheSecretAndProbeWithoutHttp() throws IOException {
        JsonNode secret = yamlDocuments(OPS.resolve("k8s/config.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("Secret")).findFirst().orElseThrow();
        assertThat(secret.at("/stringData").has("tokens")).isTrue();
        for (Map.Entry<String, String> service : TOKENS_FILE_SETTINGS.entrySet()) {
            JsonNode workload = yamlDocuments(OPS.resolve("k8s/" + service.getKey() + ".yaml")).stream()
                    .filter(d -> d.path("kind").asText().matches("Deployment|StatefulSet")).findFirst().orElseThrow();
            JsonNode pod = workload.at("/spec/template/spec");
            JsonNode container = pod.at("/containers/0");
            String prefix = "--set=" + service.getValue() + "=";
            String file = texts(container.path("args")).stream().filter(a -> a.startsWith(prefix))
                    .map(a -> a.substring(prefix.length())).findFirst()
                    .orElseThrow(() -> new AssertionError(service.getKey() + " sets no " + service.getValue()));
            String volume = null;
            for (JsonNode mount : container.path("volumeMounts")) {
                if (file.startsWith(mount.path("mountPath").asText() + "/")) {
                    volume = mount.path("name").asText();
                }
            }
            assertThat(volume).as(service.getKey() + " mounts " + file).isNotNull();
            for (JsonNode podVolume : pod.path("volumes")) {
                if (podVolume.path("name").asText().equals(volume)) {
                    assertThat(podVolume.at("/secret/secretName").asText())
                            .isEqualTo(secret.at("/metadata/name").asText());
                }
            }
            // A probe sends no token: an HTTP probe of /metrics would be refused and restart the pod forever.
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(container.at("/" + probe + "/httpGet/path").asText()).as(service.getKey() + " " + probe)
                        .isNotEqualTo("/metrics");
            }
        }
    }

    private static Map<String, String> mounts(JsonNode service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (String volume : texts(service.path("volumes"))) {
            String[] parts = volume.split(":");
            if (parts.length >= 2) {
                mounts.put(parts[1], parts[0]);
            }
        }
        return mounts;
    }

    /** The host source of the mount that holds {@code file} in the container, or null. */
    private static String mountedFrom(Map<String, String> mounts, String file) {
        for (Map.Entry<String, String> mount : mounts.entrySet()) {
            if (file.startsWith(mount.getKey() + "/")) {
                return mount.getValue();
            }
        }
        return null;
    }

    @Test
    void everyProvisionedDashboardExistsWithUniquePanelIdsAndKnownDataSources() throws IOException {
        Path grafana = OPS.resolve("grafana");
        Set<String> dataSourceUids = new HashSet<>();
        for (Path file : files(grafana.resolve("provisioning/datasources"), ".yml")) {
            for (JsonNode ds : yamlDocuments(file).get(0).path("datasources")) {
                dataSourceUids.add(ds.path("uid").asText());
            }
        }
        assertThat(dataSourceUids).contains("patchpulse-questdb", "patchpulse-victoriametrics");

        // Compose mounts grafana/dashboards where the provider looks.
        JsonNode compose = yamlDocuments(OPS.resolve("compose/docker-compose.yml")).get(0);
        Map<String, String> mounts = new LinkedHashMap<>();
        for (String volume : texts(compose.at("/services/grafana/volumes"))) {
            String[] parts = volume.split(":");
            mounts.put(parts[1], parts[0]);
        }
        List<Path> dashboards = new ArrayList<>();
        for (Path file : files(grafana.resolve("provisioning/dashboards"), ".yml")) {
            for (JsonNode provider : yamlDocuments(file).get(0).path("providers")) {
                String path = provider.at("/options/path").asText();
                assertThat(mounts).as("compose mounts " + path).containsKey(path);
                dashboards.addAll(files(OPS.resolve("compose").resolve(mounts.get(path)), ".json"));
            }
        }
        assertThat(dashboards).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("patchpulse-questdb.json", "patchpulse-victoriametrics.json");
        Set<String> dashboardUids = new HashSet<>();
        for (Path file : dashboards) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            assertThat(dashboardUids.add(dashboard.path("uid").asText())).as(file + " uid is unique").isTrue();
            List<Integer> ids = new ArrayList<>();
            List<JsonNode> panels = panels(dashboard);
            for (JsonNode panel : panels) {
                ids.add(panel.path("id").asInt());
            }
            assertThat(ids).as(file + " panel ids").doesNotHaveDuplicates().doesNotContain(0);
            for (JsonNode node : datasourceRefs(dashboard)) {
                String uid = node.path("uid").asText();
                if (!uid.equals("-- Grafana --")) {
                    assertThat(dataSourceUids).as(file + " data source").contains(uid);
                }
            }
        }
        JsonNode questDb = JSON.readTree(grafana.resolve("dashboards/patchpulse-questdb.json").toFile());
        assertThat(texts(questDb.at("/templating/list")).toString()).isNotNull();
        assertThat(questDb.at("/templating/list/0/name").asText()).isEqualTo("kb");
        assertThat(sqlOf(questDb)).anyMatch(sql -> sql.contains("size_bucket") && sql.contains("bitlocker")
                && sql.contains("FROM failure_trends") && sql.contains("'$kb'"))
                .anyMatch(sql -> sql.contains("FROM release_progress"));
    }

    @Test
    void questDbQueriesUseOnlyTablesTheSinkCreates() throws IOException {
        Set<String> tables = Set.of("failure_trends", "failure_errors", "release_progress", "remediations", "alerts",
                "device_status");
        Pattern from = Pattern.compile("FROM\\s+(\\w+)");
        for (Path file : files(OPS.resolve("grafana/dashboards"), ".json")) {
            for (String sql : sqlOf(JSON.readTree(file.toFile()))) {
                Matcher matcher = from.matcher(sql);
                while (matcher.find()) {
                    assertThat(tables).as(file + ": " + sql).contains(matcher.group(1));
                }
            }
        }
    }

    @Test
    void everyMetricNameInRulesAndDashboardsReallyExists() throws IOException {
        Set<String> known = new HashSet<>(renderedMeterNames());
        known.addAll(documentedVictoriaMetricsSeries());
        known.addAll(SCRAPER_SERIES);
        Map<String, Set<String>> used = new LinkedHashMap<>();
        for (Path rules : List.of(AlertRulesTest.PROMETHEUS_RULES, AlertRulesTest.VMALERT_RULES)) {
            for (JsonNode group : yamlDocuments(rules).get(0).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    used.computeIfAbsent(rules.toString(), k -> new TreeSet<>())
                            .addAll(PromQl.metricNames(rule.path("expr").asText()));
                }
            }
        }
        for (Path file : files(OPS.resolve("grafana/dashboards"), ".json")) {
            for (JsonNode panel : panels(JSON.readTree(file.toFile()))) {
                for (JsonNode target : panel.path("targets")) {
                    if (target.has("expr")) {
                        used.computeIfAbsent(file.toString(), k -> new TreeSet<>())
                                .addAll(PromQl.metricNames(target.path("expr").asText()));
                    }
                }
            }
        }
        assertThat(used).hasSize(3); // both rule files and the VictoriaMetrics dashboard (the other is SQL)
        used.forEach((file, names) -> assertThat(names).as(file).isNotEmpty().allSatisfy(name -> assertThat(known)
                .as(file + " uses " + name).contains(name)));
        // The spike and the health rules watch what the brief names.
        assertThat(used.get(AlertRulesTest.PROMETHEUS_RULES.toString())).contains("patchpulse_cohort_failure_rate",
                "patchpulse_cohort_devices_attempted_devices", "patchpulse_sink_write_retries_total",
                "kafka_consumer_fetch_manager_records_lag_max", "patchpulse_sink_skipped_records_total",
                "patchpulse_collector_spool_depth_records", "patchpulse_collector_delivery_failures_total",
                "patchpulse_collector_last_delivery_age_seconds", "kafka_stream_thread_thread_state",
                "kafka_stream_thread_process_total", "up");
    }

    @Test
    void vmalertCarriesEveryPrometheusRuleUnchanged() throws IOException {
        Map<String, JsonNode> prometheus = rulesByName(AlertRulesTest.PROMETHEUS_RULES);
        Map<String, JsonNode> vmalert = rulesByName(AlertRulesTest.VMALERT_RULES);
        assertThat(vmalert).containsAllEntriesOf(prometheus);
    }

    @Test
    void everyRuleHasSeverityTextsAndAnExistingRunbook() throws IOException {
        Path repository = Path.of("..");
        for (Path rules : List.of(AlertRulesTest.PROMETHEUS_RULES, AlertRulesTest.VMALERT_RULES)) {
            for (Map.Entry<String, JsonNode> entry : rulesByName(rules).entrySet()) {
                JsonNode rule = entry.getValue();
                String what = rules + " " + entry.getKey();
                assertThat(rule.at("/labels/severity").asText()).as(what).isIn("critical", "warning");
                assertThat(rule.at("/annotations/summary").asText()).as(what).isNotBlank();
                assertThat(rule.at("/annotations/description").asText()).as(what).isNotBlank();
                String runbook = rule.at("/annotations/runbook_url").asText();
                assertThat(runbook).as(what).startsWith("deploy/runbooks/");
                assertThat(repository.resolve(runbook)).as(what).isRegularFile();
            }
        }
    }

    @Test
    void metricNameExtractionSkipsFunctionsLabelsAndKeywords() {
        assertThat(PromQl.metricNames("sum by (service, instance) (rate(kafka_stream_thread_process_total[10m])) == 0"
                + " and on (service) max by (service) (lag_max{client_id=~\"a.*b\"} offset 1h) > 0"))
                .containsExactlyInAnyOrder("kafka_stream_thread_process_total", "lag_max");
        assertThat(PromQl.metricNames("avg_over_time((x >= 0)[24h:5m] offset 1h) >= 3 * y"))
                .containsExactlyInAnyOrder("x", "y");
    }

    /** Just enough PromQL to find the metric names of an expression. */
    static final class PromQl {
        private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
                "group_left", "group_right", "offset", "bool", "inf", "nan");
        private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
        private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
        private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
        private static final Pattern GROUPING = Pattern.compile(
                "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", Pattern.CASE_INSENSITIVE);
        private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

        static Set<String> metricNames(String expr) {
            String text = STRINGS.matcher(expr).replaceAll("\"\"");
            text = MATCHERS.matcher(text).replaceAll(" ");
            text = RANGES.matcher(text).replaceAll(" ");
            text = GROUPING.matcher(text).replaceAll(" ");
            text = text.replaceAll("\\b\\d+(\\.\\d+)?([smhdwy]|ms)?\\b", " ");
            Set<String> names = new TreeSet<>();
            Matcher matcher = IDENTIFIER.matcher(text);
            while (matcher.find()) {
                String token = matcher.group();
                int next = matcher.end();
                while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
                    next++;
                }
                boolean function = next < text.length() && text.charAt(next) == '(';
                if (!function && !KEYWORDS.contains(token.toLowerCase(java.util.Locale.ROOT))) {
                    names.add(token);
                }
            }
            return names;
        }
    }

    static Set<String> renderedMeterNames() throws IOException {
        try (InputStream in = OpsManifestsTest.class.getResourceAsStream("demo-metric-names.txt")) {
            assertThat(in).as("demo-metric-names.txt").isNotNull();
            Set<String> names = new TreeSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.strip());
                }
            }
            return names;
        }
    }

    /** The series names the sink's Javadoc documents (what VictoriaMetrics holds beside the scraped meters). */
    static Set<String> documentedVictoriaMetricsSeries() throws IOException {
        Path dir = Path.of("../sink/src/main/java/io/patchpulse/sink/victoriametrics");
        Set<String> names = new TreeSet<>();
        Pattern full = Pattern.compile("\\{@code (patchpulse_[a-z_]+)(?:\\{[^}]*})?}");
        Pattern suffix = Pattern.compile("\\{@code (_[a-z_]+)}");
        for (String file : List.of("TrendSeries.java", "ReleaseProgressSeries.java")) {
            String source = Files.readString(dir.resolve(file));
            String javadoc = source.substring(0, source.indexOf("public final class"));
            Matcher m = full.matcher(javadoc);
            while (m.find()) {
                names.add(m.group(1));
            }
            Matcher s = suffix.matcher(javadoc);
            while (s.find()) {
                names.add("patchpulse_release_progress" + s.group(1)); // "{@code _devices_attempted}, ..."
            }
        }
        assertThat(names).contains("patchpulse_trend_devices_failed", "patchpulse_release_progress_devices_fixed",
                "patchpulse_release_fixed_by_cause_devices");
        return names;
    }

    private static Map<String, JsonNode> rulesByName(Path file) throws IOException {
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        for (JsonNode group : yamlDocuments(file).get(0).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rules.put(rule.path("alert").asText(), rule)).as(file + " unique alert names").isNull();
            }
        }
        return rules;
    }

    private static List<String> sqlOf(JsonNode dashboard) {
        List<String> sql = new ArrayList<>();
        for (JsonNode node : dashboard.findValues("rawSql")) {
            sql.add(node.asText());
        }
        return sql;
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add); // collapsed rows hold their panels
        }
        return all;
    }

    private static List<JsonNode> datasourceRefs(JsonNode dashboard) {
        List<JsonNode> refs = new ArrayList<>();
        for (JsonNode node : dashboard.findValues("datasource")) {
            if (node.isObject()) {
                refs.add(node);
            }
        }
        return refs;
    }

    static List<JsonNode> yamlDocuments(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            var iterator = YAML.readValues(parser, JsonNode.class);
            while (iterator.hasNext()) {
                JsonNode doc = iterator.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    documents.add(doc);
                }
            }
        }
        return documents;
    }

    private static List<Path> files(Path dir, String... suffixes) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .sorted().toList();
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        if (array.isTextual()) {
            texts.add(array.asText());
        }
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
        return () -> iterator;
    }
}
