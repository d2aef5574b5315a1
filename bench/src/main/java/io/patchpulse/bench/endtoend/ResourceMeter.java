package io.patchpulse.bench.endtoend;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Resources one phase used, all in this JVM: process CPU, CPU per component (thread CPU times grouped by thread
 * name), peak heap (pool peaks, reset at the start) and peak resident memory (VmRSS sampled).
 *
 * <p>Thread CPU is sampled every {@value #SAMPLE_MILLIS} ms and at the end, keeping each thread's last value, so a
 * thread that ends between two samples loses at most one interval. GC and JIT threads are not Java threads: their
 * share is what remains of the process CPU ({@code jvm}). Heap is one pool for every component, so it is not split.
 */
final class ResourceMeter implements AutoCloseable {

    static final long SAMPLE_MILLIS = 250;
    /** Component names, in report order. */
    static final String BROKER = "kafka-broker";
    static final String STREAMS = "streams";
    static final String SINK = "sink";
    static final String QUESTDB = "questdb";
    static final String CLIENTS = "bench-clients";
    static final String OTHER = "other-threads";
    /** Process CPU outside every Java thread: JIT compiler and GC threads, RocksDB's native flush and compaction. */
    static final String JVM = "native";

    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final Map<Long, Long> lastCpu = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "patchpulse-bench-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final long processCpuStart;
    private final long startNanos;
    private long peakRss;
    private Usage result;

    /**
     * What a phase used.
     *
     * @param seconds              wall time measured
     * @param processCpuSeconds    CPU time of the whole process
     * @param componentCpuSeconds  CPU seconds by component ({@code jvm} = process minus all Java threads)
     * @param peakHeapBytes        sum of the heap pools' peaks during the phase (every component together)
     * @param peakRssBytes         highest VmRSS sampled during the phase (every component together); -1 off Linux
     * @param otherThreads         CPU seconds of the busiest threads no component claimed, by name (to refine the
     *                             grouping)
     */
    record Usage(double seconds, double processCpuSeconds, Map<String, Double> componentCpuSeconds,
            long peakHeapBytes, long peakRssBytes, Map<String, Double> otherThreads) {

        /** The same with another wall time (the phase's exact end, known to the caller). */
        Usage withSeconds(double exactSeconds) {
            return new Usage(exactSeconds, processCpuSeconds, componentCpuSeconds, peakHeapBytes, peakRssBytes,
                    otherThreads);
        }
    }

    /** Starts measuring now: resets the heap peaks, reads the CPU clocks, starts sampling. */
    ResourceMeter() {
        ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .forEach(MemoryPoolMXBean::resetPeakUsage);
        sampleThreads(startCpu);
        lastCpu.putAll(startCpu);
        peakRss = rss();
        processCpuStart = os.getProcessCpuTime();
        startNanos = System.nanoTime();
        sampler.scheduleAtFixedRate(this::sample, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void sample() {
        sampleThreads(lastCpu);
        peakRss = Math.max(peakRss, rss());
    }

    private void sampleThreads(Map<Long, Long> into) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                into.put(info.getThreadId(), cpu);
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
    }

    /** Stops measuring and returns what the phase used; later calls return the same. */
    synchronized Usage stop() {
        if (result != null) {
            return result;
        }
        sampler.shutdownNow();
        long processCpu = os.getProcessCpuTime() - processCpuStart;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        sampleThreads(lastCpu);
        peakRss = Math.max(peakRss, rss());
        Map<String, Double> byComponent = new LinkedHashMap<>();
        for (String component : new String[] {BROKER, STREAMS, SINK, QUESTDB, CLIENTS, OTHER, JVM}) {
            byComponent.put(component, 0.0);
        }
        long threadTotal = 0;
        Map<String, Double> other = new HashMap<>();
        for (Map.Entry<Long, Long> entry : lastCpu.entrySet()) {
            long used = entry.getValue() - startCpu.getOrDefault(entry.getKey(), 0L);
            threadTotal += used;
            String name = names.get(entry.getKey());
            String component = component(name);
            byComponent.merge(component, used / 1e9, Double::sum);
            if (component.equals(OTHER) && used > 0) {
                other.merge(name.replaceAll("\\d+", "#"), used / 1e9, Double::sum);
            }
        }
        Map<String, Double> busiestOther = new LinkedHashMap<>();
        other.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(10)
                .forEach(entry -> busiestOther.put(entry.getKey(), entry.getValue()));
        byComponent.put(JVM, Math.max(0, processCpu - threadTotal) / 1e9);
        long heapPeak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        result = new Usage(seconds, processCpu / 1e9, byComponent, heapPeak, peakRss, busiestOther);
        return result;
    }

    @Override
    public void close() {
        stop();
    }

    /** The component a thread belongs to, by its name. */
    static String component(String threadName) {
        String name = threadName == null ? "" : threadName.toLowerCase(Locale.ROOT);
        // The bench's producer network thread, its consumer thread, and main, which sends and polls the store.
        if (name.contains("patchpulse-bench-producer") || name.contains("patchpulse-bench-consumer")
                || name.equals("main")) {
            return CLIENTS;
        }
        if (name.contains("patchpulse-sink")) {
            return SINK;
        }
        // Stream threads, their producer/consumer network threads ("... | patchpulse-streams-...-StreamThread-1-producer")
        // and the state cleaner.
        if (name.contains("streamthread") || name.contains("patchpulse-streams") || name.contains("kafka-streams")
                || name.contains("statedir")) {
            return STREAMS;
        }
        // QuestDB's worker pools are named for their role: shared-network_0, shared-write_0, mat-view-refresh_0 ...
        if (name.contains("questdb") || name.startsWith("qdb") || name.startsWith("shared-")
                || name.startsWith("mat-view") || name.startsWith("export_") || name.startsWith("logging_")
                || name.contains("wal") && !name.contains("kafka")) {
            return QUESTDB;
        }
        if (name.contains("kafka") || name.contains("broker") || name.contains("controller") || name.contains("raft")
                || name.contains("data-plane") || name.contains("expirationreaper") || name.contains("log-cleaner")
                || name.contains("logdir") || name.contains("group-coordinator") || name.contains("transaction")
                || name.contains("quorum") || name.contains("metadata") || name.contains("share-coordinator")
                || name.contains("scheduler") || name.contains("request-handler") || name.contains("socket")
                || name.contains("processor") || name.contains("acceptor") || name.contains("executor-")
                || name.contains("addpartitionstotxn") || name.contains("reaper")) {
            return BROKER;
        }
        return OTHER;
    }

    /** The resident set now, from /proc/self/status; -1 where that does not exist. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
