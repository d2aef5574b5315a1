package io.patchpulse.deploy.embedded;

import io.patchpulse.deploy.kafka.ConsumerLag;
import io.patchpulse.streams.topology.Names;
import io.patchpulse.schemas.topics.DlqHeaders;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches the all-in-one pipeline until everything published is processed and visible in the store: the streams
 * app has committed past every input and repartition record (its output is committed in the same transaction), the
 * sink has committed past every trend record (it commits after the store acknowledged the rows), and QuestDB has
 * applied its write-ahead log.
 */
public final class PipelineProgress {

    private static final Duration POLL = Duration.ofMillis(500);

    private final AllInOne pipeline;
    private String last = "not checked yet";

    public PipelineProgress(AllInOne pipeline) {
        this.pipeline = pipeline;
    }

    /** Waits until drained; reports a progress line about twice a second. False when {@code timeout} passed. */
    public boolean awaitDrained(Duration timeout, Consumer<String> report) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean wasCaughtUp = false;
        while (System.nanoTime() < deadline) {
            failIfStopped();
            // Every input and repartition partition counts, also those the group has not committed on yet: a
            // repartition topic whose first offsets are still uncommitted holds records not yet summed.
            List<String> streamsTopics = new ArrayList<>(Names.repartitionTopics(AllInOne.STREAMS_APP_ID));
            streamsTopics.add(pipeline.topics().installEvents.name());
            streamsTopics.add(pipeline.topics().deviceInventory.name());
            long streamsLag = ConsumerLag.of(pipeline.admin(), AllInOne.STREAMS_APP_ID,
                    streamsTopics.toArray(String[]::new));
            long sinkLag = streamsLag > 0 ? -1 : ConsumerLag.of(pipeline.admin(), AllInOne.SINK_GROUP,
                    pipeline.topics().failureTrends.name());
            last = String.format("processing: streams behind by %,d records, sink behind by %s, %,d trend rows written",
                    streamsLag, sinkLag < 0 ? "?" : String.format("%,d", sinkLag), pipeline.sink().recordsWritten());
            report.accept(last);
            boolean caughtUp = streamsLag == 0 && sinkLag == 0;
            // Two observations in a row, one poll apart: a single one could fall between two steps of a commit.
            if (caughtUp && wasCaughtUp) {
                for (String table : List.of("failure_trends", "failure_errors")) {
                    pipeline.questDbHttp().awaitWalApplied(table, Duration.ofSeconds(30));
                }
                return true;
            }
            wasCaughtUp = caughtUp;
            Thread.sleep(POLL.toMillis());
        }
        return false;
    }

    /** The last progress line. */
    public String describe() {
        return last;
    }

    /** Sum of attempts over all trend rows in the store; 0 when the table is empty. */
    public long storedAttempts() {
        return number(pipeline.questDbHttp().query("SELECT sum(attempts) attempts FROM failure_trends"), "attempts");
    }

    /** Records in the dead-letter topic. */
    public long deadLetters() {
        return deadLettersByReason().values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Records in the dead-letter topic by their reason header, read with a read_committed consumer (offsets alone
     * would also count the transactions' commit markers).
     */
    public Map<String, Long> deadLettersByReason() {
        Map<String, Object> config = pipeline.kafkaClientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Long> byReason = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            String dlq = pipeline.topics().installEventsDlq.name();
            List<TopicPartition> partitions = consumer.partitionsFor(dlq).stream()
                    .map(info -> new TopicPartition(dlq, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    Header reason = record.headers().lastHeader(DlqHeaders.REASON);
                    byReason.merge(reason == null ? "?" : new String(reason.value(), StandardCharsets.UTF_8), 1L,
                            Long::sum);
                }
            }
        }
        return byReason;
    }

    /**
     * Compares the store with what was published: every install result published in this run must be counted
     * exactly once. Only meaningful when the store held nothing before the run ({@code countedBefore == 0}); the
     * dead-letter topic counts too (transactional markers aside, a record there was not counted).
     */
    public Reconciliation reconcile(long countedBefore, long publishedResults) {
        return new Reconciliation(countedBefore, publishedResults, storedAttempts() - countedBefore, deadLetters());
    }

    /** Peak heap and peak resident memory of this process. */
    public static String memory() {
        long heapPeak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(PipelineProgress::peak).sum();
        String rss = "n/a";
        try {
            rss = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmHWM:")).map(line -> line.substring(6).strip())
                    .findFirst().orElse("n/a");
        } catch (IOException | RuntimeException e) {
            // not Linux: the heap figure alone is still useful
        }
        return String.format("peak heap %,d MiB (sum of pool peaks), peak RSS %s", heapPeak >> 20, rss);
    }

    private static long peak(MemoryPoolMXBean pool) {
        return pool.getPeakUsage() == null ? 0 : pool.getPeakUsage().getUsed();
    }

    /** Throws, naming the cause, when the streams app or the sink has stopped on a failure. */
    public void failIfStopped() {
        Throwable streams = pipeline.streams().failure();
        if (streams != null) {
            throw new IllegalStateException("the streams app stopped: " + streams, streams);
        }
        pipeline.sink().failure().ifPresent(sink -> {
            throw new IllegalStateException("the sink stopped: " + sink.getMessage(), sink);
        });
    }

    private static long number(List<Map<String, Object>> rows, String column) {
        if (rows.isEmpty() || rows.get(0).get(column) == null) {
            return 0;
        }
        return ((Number) rows.get(0).get(column)).longValue();
    }

    /** The outcome of {@link #reconcile}. */
    public record Reconciliation(long countedBefore, long published, long counted, long deadLetters) {

        /** True when the store started empty and now counts every published install result exactly once. */
        public boolean reconciled() {
            return countedBefore == 0 && deadLetters == 0 && counted == published;
        }

        /** A run is fine when it reconciled, or when the store held earlier runs (nothing to reconcile against). */
        public boolean ok() {
            return countedBefore != 0 || reconciled();
        }

        public String describe() {
            if (countedBefore != 0) {
                return String.format("the store held %,d attempts from earlier runs: this run added %,d for %,d "
                        + "published install results (replayed events are de-duplicated); start from an empty "
                        + "--data-dir to reconcile", countedBefore, counted, published);
            }
            return String.format("%s: %,d install results published, %,d counted in failure_trends, %,d records in "
                    + "the dead-letter topic", reconciled() ? "reconciled" : "NOT RECONCILED", published, counted,
                    deadLetters);
        }
    }
}
