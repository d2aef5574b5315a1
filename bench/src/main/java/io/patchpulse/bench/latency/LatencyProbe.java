package io.patchpulse.bench.latency;

import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.topics.Topics;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.TrendTables;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end latency under a steady load: event accepted (the broker acknowledged it to the producer) to its trend
 * row visible in QuestDB, on a pipeline the caller started.
 *
 * <p>A generator publishes install results at a target rate for a duration (event times = the wall clock, so windows
 * and grace behave as with live data). Spread evenly among them are the probes: each is a failed install on a KB of
 * its own ({@code KB<firstProbeKb + i>}), so its trend row is the only row of that KB and "visible" is a one-row
 * question. A poller asks QuestDB every {@code pollInterval} for the rows of the probes still outstanding (one query
 * for all of them); a probe's visible time is the start of the first poll that returned its row. Latency is visible
 * minus acknowledged, per probe; the result gives p50 / p99 / max over the probes. The same is measured to the probe's
 * trend record on the {@code failure-trends} topic (read committed), which splits the time between the streams app
 * and the sink with QuestDB.
 *
 * <p>What dominates: the streams app emits the summed trends on commit (commit interval, and under exactly-once the
 * repartition hop and the output are readable only once the transaction commits), the sink polls and writes in
 * batches, and QuestDB applies its WAL asynchronously. The caller states these settings in {@code pipelineSettings};
 * they are copied into the result.
 *
 * <p>Every probe must be seen: after the load, the probe waits up to {@code drainTimeout} and otherwise throws
 * {@link ProbeIncompleteException}. Nothing is printed; the command prints the result.
 */
public final class LatencyProbe {

    private static final Logger LOG = LoggerFactory.getLogger(LatencyProbe.class);
    /** Devices the background load cycles through. */
    private static final int LOAD_DEVICES = 50_000;
    private static final int QUERY_CHUNK = 200;

    /**
     * How to load and probe.
     *
     * @param eventsPerSecond target publish rate of the whole stream (load and probes)
     * @param duration        how long to publish
     * @param probes          probe events spread evenly over the run (at most one per 2 events of the stream)
     * @param pollInterval    pause between two polls of QuestDB (20-50 ms keeps the resolution below the pipeline's
     *                        own steps)
     * @param drainTimeout    how long after the load the last probes may take to show up
     * @param firstProbeKb    KB number of the first probe (7 digits); the probes use the next {@code probes} numbers,
     *                        which must not be in the store yet
     * @param warmup          load at the same rate before {@code duration}, without probes: a pipeline just started
     *                        (first transactions, caches, JIT) answers slower for some seconds
     */
    public record Settings(double eventsPerSecond, Duration duration, int probes, Duration pollInterval,
            Duration drainTimeout, long firstProbeKb, Duration warmup) {

        /** The first KB number {@link #of} uses; a second run on the same store needs another one. */
        public static final long DEFAULT_FIRST_PROBE_KB = 8_000_000L;

        public Settings {
            if (!(eventsPerSecond > 0)) {
                throw new IllegalArgumentException("events per second must be positive, got " + eventsPerSecond);
            }
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(drainTimeout, "drainTimeout");
            Objects.requireNonNull(warmup, "warmup");
            if (warmup.isNegative()) {
                throw new IllegalArgumentException("warm-up must not be negative, got " + warmup);
            }
            if (duration.isNegative() || duration.isZero() || pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("duration and poll interval must be positive");
            }
            if (probes < 1 || probes * 2L > totalEvents(eventsPerSecond, duration)) {
                throw new IllegalArgumentException("probes must be 1 to half the events of the run ("
                        + totalEvents(eventsPerSecond, duration) + "), got " + probes);
            }
            ProbeEvents.kb(firstProbeKb);
            ProbeEvents.kb(firstProbeKb + probes - 1);
        }

        /**
         * Polls every 25 ms, waits up to 60 s for the last probes, probe KBs from {@value #DEFAULT_FIRST_PROBE_KB},
         * no warm-up.
         */
        public static Settings of(double eventsPerSecond, Duration duration, int probes) {
            return new Settings(eventsPerSecond, duration, probes, Duration.ofMillis(25), Duration.ofSeconds(60),
                    DEFAULT_FIRST_PROBE_KB, Duration.ZERO);
        }

        /** The same with the probes' KB numbers starting at {@code first}. */
        public Settings withFirstProbeKb(long first) {
            return new Settings(eventsPerSecond, duration, probes, pollInterval, drainTimeout, first, warmup);
        }

        /** The same with {@code warmup} of load without probes first. */
        public Settings withWarmup(Duration warmup) {
            return new Settings(eventsPerSecond, duration, probes, pollInterval, drainTimeout, firstProbeKb, warmup);
        }

        /** The same waiting up to {@code drainTimeout} for the last probes after the load. */
        public Settings withDrainTimeout(Duration drainTimeout) {
            return new Settings(eventsPerSecond, duration, probes, pollInterval, drainTimeout, firstProbeKb, warmup);
        }

        long totalEvents() {
            return totalEvents(eventsPerSecond, duration);
        }

        long warmupEvents() {
            return totalEvents(eventsPerSecond, warmup);
        }

        private static long totalEvents(double rate, Duration duration) {
            return Math.round(rate * duration.toNanos() / 1e9);
        }
    }

    private final String bootstrapServers;
    private final Topics topics;
    private final QuestDbHttp sql;
    private final String trendsTable;
    private final Settings settings;
    private final Map<String, String> pipelineSettings;

    /**
     * A probe of {@code pipeline} (started, sink writing to QuestDB), its settings as the caller states them (e.g.
     * {@link PipelineSettings#allInOneDefaults()}).
     */
    public LatencyProbe(AllInOne pipeline, Settings settings, Map<String, String> pipelineSettings) {
        this(pipeline.bootstrapServers(), pipeline.topics(), pipeline.questDbHttp(),
                TrendTables.DEFAULT_FAILURE_TRENDS, settings, pipelineSettings);
    }

    /** A probe of the pipeline reading {@code topics} on {@code bootstrapServers} and writing to {@code sql}. */
    public LatencyProbe(String bootstrapServers, Topics topics, QuestDbHttp sql, String trendsTable, Settings settings,
            Map<String, String> pipelineSettings) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.sql = Objects.requireNonNull(sql, "sql");
        this.trendsTable = Objects.requireNonNull(trendsTable, "trendsTable");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.pipelineSettings = Map.copyOf(pipelineSettings);
    }

    /**
     * Runs the load with its probes and waits for every probe's row.
     *
     * @throws ProbeIncompleteException when a probe's row did not show up within the drain time-out
     * @throws IllegalStateException    when a probe KB is already in the store, or publishing failed
     */
    public LatencyResult run() throws InterruptedException {
        int probes = settings.probes();
        List<String> kbs = new ArrayList<>(probes);
        for (int i = 0; i < probes; i++) {
            kbs.add(ProbeEvents.kb(settings.firstProbeKb() + i));
        }
        requireUnused(kbs);

        long warmupEvents = settings.warmupEvents();
        long measured = settings.totalEvents();
        long total = warmupEvents + measured;
        long[] probeAt = new long[probes]; // index in the stream of each probe, evenly spread after the warm-up
        for (int i = 0; i < probes; i++) {
            probeAt[i] = warmupEvents + (long) ((i + 0.5) * measured / probes);
        }
        AtomicLongArray acked = new AtomicLongArray(probes);
        AtomicLongArray seen = new AtomicLongArray(probes);
        AtomicLongArray onTopic = new AtomicLongArray(probes);
        Map<String, Integer> outstanding = new ConcurrentHashMap<>();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < probes; i++) {
            index.put(kbs.get(i), i);
        }
        // The intermediate step: the probe's trend record committed to failure-trends (streams done, sink not yet).
        TopicWatcher<FailureTrend> trendsTopic = new TopicWatcher<>(bootstrapServers, topics.failureTrends.name(),
                topics.failureTrends.valueSerde().deserializer(), (trend, nanos) -> {
                    Integer probe = index.get(trend.getKb());
                    if (probe != null) {
                        onTopic.compareAndSet(probe, 0, nanos);
                    }
                });
        Poller poller = new Poller(outstanding, seen);
        String runId = Long.toString(System.currentTimeMillis(), 36);

        ScheduledExecutorService polls = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "latency-probe-poller");
            thread.setDaemon(true);
            return thread;
        });
        Instant startedAt = Instant.now();
        long start;
        long sendEnd;
        trendsTopic.start(settings.drainTimeout());
        AckTimedProducer producer = new AckTimedProducer(bootstrapServers, topics);
        try {
            polls.scheduleWithFixedDelay(poller::poll, 0, settings.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
            double nanosPerEvent = 1e9 / settings.eventsPerSecond();
            int nextProbe = 0;
            start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = start + (long) (i * nanosPerEvent);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(Math.min(wait, 1_000_000L));
                }
                Instant now = Instant.now();
                if (nextProbe < probes && i == probeAt[nextProbe]) {
                    int probe = nextProbe++;
                    String kb = kbs.get(probe);
                    outstanding.put(kb, probe);
                    producer.send(ProbeEvents.installResult(runId + "-p" + probe, "bench-probe-" + kb, kb, true, 0,
                            now, now), ackNanos -> acked.set(probe, ackNanos));
                } else {
                    int device = (int) (i % LOAD_DEVICES);
                    InstallEvent event = ProbeEvents.installResult(runId + "-" + i, "bench-load-" + device,
                            ProbeEvents.LOAD_KB, i % 10 == 0, device % 4, now, now);
                    producer.send(event, null);
                }
            }
            sendEnd = System.nanoTime();
            producer.flush();
            awaitSeen(outstanding);
        } finally {
            polls.shutdownNow();
            polls.awaitTermination(10, TimeUnit.SECONDS);
            producer.close();
            trendsTopic.close();
        }

        List<String> missing = outstanding.keySet().stream().sorted().collect(Collectors.toList());
        List<Long> latencies = new ArrayList<>(probes);
        List<Long> toTopic = new ArrayList<>(probes);
        List<Double> inSendOrder = new ArrayList<>(probes);
        for (int i = 0; i < probes; i++) {
            if (seen.get(i) != 0 && acked.get(i) != 0) {
                // The poll started before the callback ran on the producer thread: visible at acknowledgement.
                long nanos = Math.max(0, seen.get(i) - acked.get(i));
                latencies.add(nanos);
                inSendOrder.add(Math.round(nanos / 1_000.0) / 1_000.0);
            } else {
                inSendOrder.add(null);
            }
            if (onTopic.get(i) != 0 && acked.get(i) != 0) {
                toTopic.add(Math.max(0, onTopic.get(i) - acked.get(i)));
            }
        }
        double sendSeconds = (sendEnd - start) / 1e9;
        LatencyResult result = new LatencyResult(startedAt.toString(), settings.eventsPerSecond(),
                settings.duration().toNanos() / 1e9, settings.warmup().toNanos() / 1e9, sendSeconds, producer.sent(),
                producer.acknowledged(), producer.acknowledged() / sendSeconds, probes, probes - missing.size(),
                missing,
                latencies.isEmpty() ? null : LatencyStats.ofNanos(latencies.stream().mapToLong(Long::longValue)
                        .toArray()),
                toTopic.isEmpty() ? null : LatencyStats.ofNanos(toTopic.stream().mapToLong(Long::longValue).toArray()),
                inSendOrder, settings.pollInterval().toMillis(), poller.polls.get(),
                poller.polls.get() == 0 ? 0 : poller.pollNanos.get() / 1e6 / poller.polls.get(),
                poller.errors.get(), AckTimedProducer.reportedSettings(), pipelineSettings);
        if (!result.complete()) {
            throw new ProbeIncompleteException(missing.size() + " of " + probes + " probes never reached "
                    + trendsTable + " within " + settings.drainTimeout() + " after the load: " + missing
                    + (poller.lastError == null ? "" : "; last poll error: " + poller.lastError), result);
        }
        return result;
    }

    private void awaitSeen(Map<String, Integer> outstanding) throws InterruptedException {
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (!outstanding.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(Math.max(1, settings.pollInterval().toMillis()));
        }
    }

    /** Refuses KB ids that already have rows: their probes would be "seen" before they were sent. */
    private void requireUnused(List<String> kbs) {
        for (int from = 0; from < kbs.size(); from += QUERY_CHUNK) {
            List<String> chunk = kbs.subList(from, Math.min(kbs.size(), from + QUERY_CHUNK));
            List<Map<String, Object>> rows = sql.query("SELECT DISTINCT kb FROM " + trendsTable + " WHERE kb IN ("
                    + quoted(chunk) + ")");
            if (!rows.isEmpty()) {
                throw new IllegalStateException("probe KBs already in " + trendsTable + " (" + rows.size()
                        + ", e.g. " + rows.get(0).get("kb") + "): choose another first probe KB");
            }
        }
    }

    private static String quoted(List<String> kbs) {
        return kbs.stream().map(kb -> "'" + kb + "'").collect(Collectors.joining(","));
    }

    /** Asks QuestDB for the rows of the outstanding probes; marks each found one seen at the poll's start. */
    private final class Poller {

        private final Map<String, Integer> outstanding;
        private final AtomicLongArray seen;
        private final AtomicLong polls = new AtomicLong();
        private final AtomicLong pollNanos = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private volatile String lastError;

        Poller(Map<String, Integer> outstanding, AtomicLongArray seen) {
            this.outstanding = outstanding;
            this.seen = seen;
        }

        void poll() {
            List<String> waiting = List.copyOf(outstanding.keySet());
            if (waiting.isEmpty()) {
                return;
            }
            long began = System.nanoTime();
            try {
                for (int from = 0; from < waiting.size(); from += QUERY_CHUNK) {
                    List<String> chunk = waiting.subList(from, Math.min(waiting.size(), from + QUERY_CHUNK));
                    for (Map<String, Object> row : sql.query("SELECT DISTINCT kb FROM " + trendsTable
                            + " WHERE kb IN (" + quoted(chunk) + ")")) {
                        Integer probe = outstanding.remove(String.valueOf(row.get("kb")));
                        if (probe != null) {
                            seen.set(probe, began);
                        }
                    }
                }
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                lastError = e.toString();
                LOG.debug("latency poll failed: {}", e.toString());
            } finally {
                polls.incrementAndGet();
                pollNanos.addAndGet(System.nanoTime() - began);
            }
        }
    }
}
