package io.patchpulse.bench.endtoend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.patchpulse.deploy.cli.ProgressLine;
import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.sink.local.OpsBinaries;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The end-to-end measurement: builds the records once, runs B_raw, then P for each guarantee, each phase on a
 * fresh embedded stack under its own directory, and reports R = P / B_raw with the resources each phase used.
 */
public final class EndToEndBench {

    /** What heap and RSS figures can and cannot say: every component shares one JVM. */
    public static final String MEMORY_NOTE = "Broker, streams app, sink and QuestDB run in one JVM: peak heap and "
            + "peak RSS are for all of them together (QuestDB and RocksDB memory is off-heap, in RSS only); only CPU "
            + "is split by component (thread CPU times grouped by thread name; native is the process CPU no Java "
            + "thread accounts for: JIT compiler and GC threads, RocksDB's flush and compaction threads).";

    /**
     * What to run.
     *
     * @param events           records to send (install events and inventory snapshots, the simulator's mix)
     * @param devices          simulated devices
     * @param seed             simulation seed
     * @param guarantees       processing guarantees to measure P for, in order
     * @param commitIntervalMs the streams app's commit.interval.ms
     * @param streamsSettings  further streams settings every P phase runs with (over the guarantee and commit
     *                         interval)
     * @param dataDir          where each phase keeps its broker, QuestDB and state (one subdirectory each)
     * @param timeout          how long one phase may take
     * @param latency          the latency phase after the last P, or {@code null} for none
     */
    public record Settings(long events, int devices, long seed, List<String> guarantees, long commitIntervalMs,
            Map<String, String> streamsSettings, Path dataDir, Duration timeout, Latency latency,
            long warmupRecords) {

        public Settings {
            if (events < 1) {
                throw new IllegalArgumentException("events must be at least 1, was " + events);
            }
            if (guarantees.isEmpty()) {
                throw new IllegalArgumentException("at least one guarantee");
            }
            guarantees = List.copyOf(guarantees);
            streamsSettings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(streamsSettings));
            Objects.requireNonNull(dataDir, "dataDir");
        }

        /** Partitions of every PatchPulse topic, in B_raw as in P: the pipeline's. */
        public int partitions() {
            return AllInOne.PARTITIONS;
        }
    }

    /**
     * The latency phase on the warm pipeline of the last P: {@code LatencyProbe} at {@value #LOAD_FRACTION} of P's
     * records/s after {@value #WARMUP_SECONDS} s of warm-up, then {@code AlertDelayProbe} with {@value #SPIKES} spikes
     * when an Alertmanager is installed.
     *
     * @param duration how long the probed load lasts
     * @param probes   probes spread over it
     */
    public record Latency(Duration duration, int probes) {

        /** Share of P's records/s the probe sends install events at. */
        public static final double LOAD_FRACTION = 0.5;
        public static final long WARMUP_SECONDS = 20;
        public static final int SPIKES = 3;

        public Latency {
            Objects.requireNonNull(duration, "duration");
            if (probes < 1) {
                throw new IllegalArgumentException("at least one probe, got " + probes);
            }
        }
    }

    /** A finished run: every raw number, ready for JSON. */
    public record Report(Map<String, Object> json, String table, String markdown) {
    }

    private EndToEndBench() {
    }

    /** Runs every phase and returns the report; prints progress to {@code out}. */
    public static Report run(Settings settings, PrintWriter out) throws InterruptedException {
        Instant date = Instant.now();
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + settings.dataDir(), e);
        }
        out.printf("building %,d records from %,d simulated devices (seed %d), serialized once ...%n",
                settings.events(), settings.devices(), settings.seed());
        RecordFile file = RecordFile.build(settings.dataDir().resolve("records.bin"), settings.events(),
                settings.devices(), settings.seed(), Topics.defaults(),
                new ProgressLine(out, "serializing", settings.events(), "records"));
        RecordFile.Summary summary = file.summary();
        out.printf("  %,d install events (%,d results: FAILED or SUCCEEDED) and %,d inventory snapshots, %,d MB "
                + "serialized, in %.1f s%n", summary.installEvents(), summary.installResults(),
                summary.inventories(), (summary.keyBytes() + summary.valueBytes()) >> 20, summary.buildSeconds());

        if (settings.warmupRecords() > 0) {
            warmUp(settings, out);
        }
        out.println("B_raw: fresh broker, produce and consume with no processing ...");
        RawRoundTrip.Result raw = RawRoundTrip.run(fresh(settings.dataDir(), "raw"), file, settings.partitions(),
                settings.timeout(), out);
        out.printf("  B_raw %,.0f records/s%n", raw.eventsPerSecond());
        List<PipelineRun.Result> pipelines = new ArrayList<>();
        LatencyPhase.Result[] latency = new LatencyPhase.Result[1];
        for (int i = 0; i < settings.guarantees().size(); i++) {
            String guarantee = settings.guarantees().get(i);
            boolean last = i == settings.guarantees().size() - 1;
            out.printf("P %s: fresh pipeline (commit.interval.ms %d%s) ...%n", guarantee, settings.commitIntervalMs(),
                    settings.streamsSettings().isEmpty() ? "" : ", " + settings.streamsSettings());
            PipelineRun.Result result = last && settings.latency() != null
                    ? runWithLatency(settings, guarantee, file, out, latency)
                    : PipelineRun.run(fresh(settings.dataDir(), guarantee), file, guarantee,
                            settings.commitIntervalMs(), settings.streamsSettings(), null, settings.timeout(), out,
                            PipelineRun.Afterwards.NONE);
            out.printf("  P %s %,.0f records/s, R = %.3f%s%n", guarantee, result.eventsPerSecond(),
                    result.eventsPerSecond() / raw.eventsPerSecond(), result.reconciled() ? ""
                            : String.format(Locale.ROOT, " (NOT RECONCILED: %,d stored of %,d)",
                                    result.storedAttempts(), result.installResults()));
            pipelines.add(result);
        }
        Machine machine = Machine.current();
        Map<String, Object> json = json(settings, date, machine, summary, raw, pipelines, latency[0]);
        return new Report(json, table(settings, raw, pipelines, latency[0]), markdown(settings, date, machine,
                summary, raw, pipelines, latency[0]));
    }

    /**
     * The last P phase, then the latency phase on its warm pipeline, which posts to an Alertmanager when one is
     * installed.
     */
    private static PipelineRun.Result runWithLatency(Settings settings, String guarantee, RecordFile file,
            PrintWriter out, LatencyPhase.Result[] latency) throws InterruptedException {
        Path dir = fresh(settings.dataDir(), guarantee);
        LatencyPhase.Settings phase = new LatencyPhase.Settings(Latency.LOAD_FRACTION, settings.latency().duration(),
                Duration.ofSeconds(Latency.WARMUP_SECONDS), settings.latency().probes(), Latency.SPIKES);
        Map<String, String> overrides = PipelineRun.streamsOverrides(guarantee, settings.commitIntervalMs(),
                settings.streamsSettings());
        if (!OpsBinaries.installed()) {
            String reason = "no Alertmanager installed (" + OpsBinaries.ALERTMANAGER_BIN + ")";
            return PipelineRun.run(dir, file, guarantee, settings.commitIntervalMs(), settings.streamsSettings(),
                    null, settings.timeout(), out, (pipeline, p) -> latency[0] = LatencyPhase.run(pipeline, p,
                            overrides, null, reason, phase, out));
        }
        try (OpsBinaries.Running alertmanager = OpsBinaries.startAlertmanager(
                fresh(settings.dataDir(), "alertmanager"), OpsBinaries.SILENT_ALERTMANAGER_CONFIG)) {
            return PipelineRun.run(dir, file, guarantee, settings.commitIntervalMs(), settings.streamsSettings(),
                    alertmanager.baseUrl(), settings.timeout(), out, (pipeline, p) -> latency[0] = LatencyPhase.run(
                            pipeline, p, overrides, alertmanager.baseUrl(), null, phase, out));
        }
    }

    /** True when every P phase reconciled and the latency phase, if any, came back complete. */
    public static boolean complete(Report report) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> pipeline = (List<Map<String, Object>>) report.json().get("pipeline");
        boolean reconciled = pipeline.stream().allMatch(p -> Boolean.TRUE.equals(p.get("reconciled")));
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) report.json().get("latency");
        @SuppressWarnings("unchecked")
        Map<String, Object> alertDelay = (Map<String, Object>) report.json().get("alertDelay");
        return reconciled && (latency == null || Boolean.TRUE.equals(latency.get("complete")))
                && (alertDelay == null || alertDelay.containsKey("skipped")
                        || Boolean.TRUE.equals(alertDelay.get("complete")));
    }

    /**
     * An unmeasured pipeline run on other records (seed + 1), so that the JIT has compiled the broker, Kafka
     * Streams, RocksDB's JNI layer and QuestDB before anything is timed: in a short run that compilation otherwise
     * costs the first phase more CPU than the work itself (a 60,000-record run without it: 18 s of compilations of
     * 100 ms or more in 70 s).
     */
    private static void warmUp(Settings settings, PrintWriter out) throws InterruptedException {
        out.printf("warm-up (not measured): %,d records through a pipeline ...%n", settings.warmupRecords());
        Path dir = fresh(settings.dataDir(), "warmup");
        RecordFile warmup = RecordFile.build(dir.resolveSibling("warmup-records.bin"), settings.warmupRecords(),
                (int) Math.max(1_000, settings.warmupRecords() / 20), settings.seed() + 1, Topics.defaults(),
                new ProgressLine(out, "serializing", settings.warmupRecords(), "records"));
        PipelineRun.Result result = PipelineRun.run(dir, warmup, "exactly_once_v2", settings.commitIntervalMs(),
                settings.streamsSettings(), null, settings.timeout(), out, PipelineRun.Afterwards.NONE);
        out.printf("  warm-up done (%,.0f records/s, not reported)%n", result.eventsPerSecond());
    }

    /** Writes the report's JSON to {@code file} (parents created). */
    public static void writeJson(Report report, Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report.json());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Path fresh(Path dataDir, String phase) {
        Path dir = dataDir.resolve(phase);
        if (Files.exists(dir)) {
            throw new IllegalStateException(dir + " exists: every phase needs a fresh directory; give an empty "
                    + "--data-dir");
        }
        return dir;
    }

    private static Map<String, Object> json(Settings settings, Instant date, Machine machine,
            RecordFile.Summary summary, RawRoundTrip.Result raw, List<PipelineRun.Result> pipelines,
            LatencyPhase.Result latency) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("date", date.toString());
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("events", settings.events());
        run.put("devices", settings.devices());
        run.put("seed", settings.seed());
        run.put("partitions", settings.partitions());
        run.put("guarantees", settings.guarantees());
        run.put("commitIntervalMs", settings.commitIntervalMs());
        run.put("streamsSettings", settings.streamsSettings());
        if (settings.latency() != null) {
            Map<String, Object> latencyRun = new LinkedHashMap<>();
            latencyRun.put("loadFraction", Latency.LOAD_FRACTION);
            latencyRun.put("seconds", settings.latency().duration().toMillis() / 1000.0);
            latencyRun.put("warmupSeconds", Latency.WARMUP_SECONDS);
            latencyRun.put("probes", settings.latency().probes());
            latencyRun.put("spikes", Latency.SPIKES);
            run.put("latency", latencyRun);
        }
        run.put("storePollMs", PipelineRun.POLL_MILLIS);
        run.put("producer", RecordProducer.reported());
        run.put("rawConsumer", Map.of("isolation.level", "read_committed", "enable.auto.commit", false));
        run.put("heapMaxBytes", machine.maxHeapBytes());
        run.put("jvmArguments", machine.jvmArguments());
        json.put("settings", run);
        json.put("machine", Map.of("cores", machine.cores(), "memoryBytes", machine.memoryBytes(), "os", machine.os(),
                "cpuModel", machine.cpuModel(), "java", machine.java()));
        json.put("records", summary);
        Map<String, Object> rawJson = new LinkedHashMap<>();
        rawJson.put("measured", "first send to the last record consumed by a plain consumer (no processing)");
        rawJson.put("records", raw.consumed());
        rawJson.put("seconds", raw.usage().seconds());
        rawJson.put("eventsPerSecond", raw.eventsPerSecond());
        rawJson.put("produceSeconds", raw.produceSeconds());
        rawJson.put("resources", resources(raw.usage(), raw.consumed()));
        json.put("raw", rawJson);
        List<Map<String, Object>> pipelineJson = new ArrayList<>();
        for (PipelineRun.Result p : pipelines) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("guarantee", p.guarantee());
            one.put("commitIntervalMs", p.commitIntervalMs());
            one.put("measured", "first send to the first store poll where sum(attempts) in failure_trends equals "
                    + "the install results sent");
            one.put("records", p.records());
            one.put("installResults", p.installResults());
            one.put("storedAttempts", p.storedAttempts());
            one.put("reconciled", p.reconciled());
            one.put("seconds", p.usage().seconds());
            one.put("eventsPerSecond", p.eventsPerSecond());
            one.put("r", p.eventsPerSecond() / raw.eventsPerSecond());
            one.put("produceSeconds", p.produceSeconds());
            one.put("streamsSeconds", Double.isNaN(p.streamsSeconds()) ? null : p.streamsSeconds());
            one.put("streamsRecordsPerSecond", Double.isNaN(p.streamsSeconds()) ? null
                    : p.records() / p.streamsSeconds());
            one.put("resources", resources(p.usage(), p.records()));
            pipelineJson.add(one);
        }
        json.put("pipeline", pipelineJson);
        if (latency != null) {
            json.put("latency", LatencyPhase.latencyJson(latency));
            json.put("alertDelay", LatencyPhase.alertDelayJson(latency));
        }
        json.put("memoryNote", MEMORY_NOTE);
        return json;
    }

    private static Map<String, Object> resources(ResourceMeter.Usage usage, long events) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("processCpuSeconds", usage.processCpuSeconds());
        json.put("cpuSecondsPerMillionEvents", perMillion(usage.processCpuSeconds(), events));
        json.put("componentCpuSeconds", usage.componentCpuSeconds());
        Map<String, Double> perMillion = new LinkedHashMap<>();
        usage.componentCpuSeconds().forEach((component, seconds) -> perMillion.put(component,
                perMillion(seconds, events)));
        json.put("componentCpuSecondsPerMillionEvents", perMillion);
        json.put("peakHeapBytes", usage.peakHeapBytes());
        json.put("peakRssBytes", usage.peakRssBytes());
        json.put("unclaimedThreadsCpuSeconds", usage.otherThreads());
        return json;
    }

    private static double perMillion(double seconds, long events) {
        return seconds * 1e6 / Math.max(1, events);
    }

    private static String table(Settings settings, RawRoundTrip.Result raw, List<PipelineRun.Result> pipelines,
            LatencyPhase.Result latency) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%,d records, %d partitions, commit.interval.ms %d%s%n",
                settings.events(), settings.partitions(), settings.commitIntervalMs(), streamsNote(settings)));
        text.append(String.format(Locale.ROOT, "%-20s %12s %9s %7s %12s %10s %10s  %s%n", "phase", "records/s",
                "seconds", "R", "CPU s/M rec", "peak heap", "peak RSS", "reconciled"));
        text.append(row("B_raw", raw.eventsPerSecond(), raw.usage(), raw.consumed(), Double.NaN, "-"));
        for (PipelineRun.Result p : pipelines) {
            text.append(row("P " + p.guarantee(), p.eventsPerSecond(), p.usage(), p.records(),
                    p.eventsPerSecond() / raw.eventsPerSecond(), p.reconciled() ? "yes"
                            : String.format(Locale.ROOT, "NO (%,d of %,d)", p.storedAttempts(), p.installResults())));
        }
        text.append(stages(pipelines));
        text.append("CPU seconds per million records by component:\n");
        text.append(components("B_raw", raw.usage(), raw.consumed()));
        for (PipelineRun.Result p : pipelines) {
            text.append(components("P " + p.guarantee(), p.usage(), p.records()));
        }
        text.append(MEMORY_NOTE).append('\n');
        if (latency != null) {
            text.append(LatencyPhase.table(latency));
        }
        return text.toString();
    }

    /** Per P: when the streams app had committed all its input, and when the store held every result. */
    private static String stages(List<PipelineRun.Result> pipelines) {
        StringBuilder text = new StringBuilder("Stages (from the first send): the streams app had committed all of its "
                + "input topics, then the store held every result:\n");
        for (PipelineRun.Result p : pipelines) {
            text.append(Double.isNaN(p.streamsSeconds())
                    ? String.format(Locale.ROOT, "  P %s: streams not seen caught up before the store; store %.2f s%n",
                            p.guarantee(), p.usage().seconds())
                    : String.format(Locale.ROOT, "  P %s: streams %.2f s (%,.0f records/s), store %.2f s (%,.0f "
                            + "records/s)%n", p.guarantee(), p.streamsSeconds(), p.records() / p.streamsSeconds(),
                            p.usage().seconds(), p.eventsPerSecond()));
        }
        return text.toString();
    }

    private static String row(String phase, double rate, ResourceMeter.Usage usage, long events, double r,
            String reconciled) {
        return String.format(Locale.ROOT, "%-20s %,12.0f %9.2f %7s %12.2f %8d M %8d M  %s%n", phase, rate,
                usage.seconds(), Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r),
                perMillion(usage.processCpuSeconds(), events), usage.peakHeapBytes() >> 20,
                usage.peakRssBytes() >> 20, reconciled);
    }

    private static String components(String phase, ResourceMeter.Usage usage, long events) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-20s", phase));
        usage.componentCpuSeconds().forEach((component, seconds) -> line.append(String.format(Locale.ROOT,
                " %s %.2f", component, perMillion(seconds, events))));
        return line.append('\n').toString();
    }

    private static String markdown(Settings settings, Instant date, Machine machine, RecordFile.Summary summary,
            RawRoundTrip.Result raw, List<PipelineRun.Result> pipelines, LatencyPhase.Result latency) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Run of %s on %d cores (%s), %,d MiB memory, %s; Java %s, heap limit "
                + "%,d MiB.%n%n", date, machine.cores(), machine.cpuModel(), machine.memoryBytes() >> 20,
                machine.os(), machine.java(), machine.maxHeapBytes() >> 20));
        md.append(String.format(Locale.ROOT, "%,d records (%,d install events, %,d install results, %,d inventory "
                + "snapshots) from %,d simulated devices, seed %d; %d partitions; commit.interval.ms %d%s; producer "
                + "%s.%n%n", summary.records(), summary.installEvents(), summary.installResults(),
                summary.inventories(), summary.devices(), summary.seed(), settings.partitions(),
                settings.commitIntervalMs(), streamsNote(settings).replace(",", ";"), RecordProducer.reported()));
        md.append("| phase | records/s | seconds | R | CPU s per M records | peak heap MiB | peak RSS MiB | reconciled |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        md.append(mdRow("B_raw", raw.eventsPerSecond(), raw.usage(), raw.consumed(), "-", "-"));
        for (PipelineRun.Result p : pipelines) {
            md.append(mdRow("P " + p.guarantee(), p.eventsPerSecond(), p.usage(), p.records(),
                    String.format(Locale.ROOT, "%.3f", p.eventsPerSecond() / raw.eventsPerSecond()),
                    p.reconciled() ? "yes" : String.format(Locale.ROOT, "no (%,d of %,d)", p.storedAttempts(),
                            p.installResults())));
        }
        md.append('\n').append(stages(pipelines));
        md.append("\nCPU seconds per million records by component:\n\n| phase |");
        raw.usage().componentCpuSeconds().keySet().forEach(component -> md.append(' ').append(component).append(" |"));
        md.append("\n|---|");
        raw.usage().componentCpuSeconds().keySet().forEach(component -> md.append("---:|"));
        md.append('\n');
        md.append(mdComponents("B_raw", raw.usage(), raw.consumed()));
        for (PipelineRun.Result p : pipelines) {
            md.append(mdComponents("P " + p.guarantee(), p.usage(), p.records()));
        }
        md.append('\n').append(MEMORY_NOTE).append('\n');
        if (latency != null) {
            md.append('\n').append(LatencyPhase.markdown(latency));
        }
        return md.toString();
    }

    /** ", streams settings k=v, k=v" when a run has any, else "". */
    private static String streamsNote(Settings settings) {
        if (settings.streamsSettings().isEmpty()) {
            return "";
        }
        StringBuilder note = new StringBuilder(", streams settings");
        settings.streamsSettings().forEach((key, value) -> note.append(' ').append(key).append('=').append(value));
        return note.toString();
    }

    private static String mdRow(String phase, double rate, ResourceMeter.Usage usage, long events, String r,
            String reconciled) {
        return String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %s | %.2f | %d | %d | %s |%n", phase, rate,
                usage.seconds(), r, perMillion(usage.processCpuSeconds(), events), usage.peakHeapBytes() >> 20,
                usage.peakRssBytes() >> 20, reconciled);
    }

    private static String mdComponents(String phase, ResourceMeter.Usage usage, long events) {
        StringBuilder line = new StringBuilder("| " + phase + " |");
        usage.componentCpuSeconds().values().forEach(seconds -> line.append(String.format(Locale.ROOT, " %.2f |",
                perMillion(seconds, events))));
        return line.append('\n').toString();
    }
}
