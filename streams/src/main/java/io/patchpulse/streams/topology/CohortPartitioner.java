package io.patchpulse.streams.topology;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions by cohort only, so every window of a cohort lands in the same partition, hence the same task: the spike
 * detector right after the sum sees a cohort's whole history without another shuffle.
 *
 * <p>The partition is murmur2 of the UTF-8 cohort key {@code kb|sizeBucket|freeBucket|bitlocker}, the hash Kafka's
 * default partitioner uses for keys. {@link #forTrendKeys()} strips the window from a trend key
 * ({@code window|kb|size|free|bitlocker}) first; {@link #forCohortKeys()} takes the cohort key as it is, which is
 * what interactive queries on {@link Names#STORE_SPIKE_ALERTS} need to find the instance that owns a cohort
 * ({@code KafkaStreams#queryMetadataForKey(store, cohortKey, CohortPartitioner.forCohortKeys())}).
 *
 * @param <V> value type, ignored
 */
public final class CohortPartitioner<V> implements StreamPartitioner<String, V> {

    private final boolean trendKeys;

    private CohortPartitioner(boolean trendKeys) {
        this.trendKeys = trendKeys;
    }

    /** For keys {@code window|kb|size|free|bitlocker} (the repartition topic {@code trend-by-cohort}). */
    public static <V> CohortPartitioner<V> forTrendKeys() {
        return new CohortPartitioner<>(true);
    }

    /** For keys {@code kb|size|free|bitlocker} (the spike-alerts store). */
    public static <V> CohortPartitioner<V> forCohortKeys() {
        return new CohortPartitioner<>(false);
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
        if (key == null) {
            return Optional.empty(); // Kafka's default; never happens here (every trend delta has a key)
        }
        return Optional.of(Set.of(partition(trendKeys ? cohortOf(key) : key, numPartitions)));
    }

    /** The partition of cohort key {@code cohortKey} among {@code numPartitions}. */
    public static int partition(String cohortKey, int numPartitions) {
        return Utils.toPositive(Utils.murmur2(cohortKey.getBytes(StandardCharsets.UTF_8))) % numPartitions;
    }

    /** The cohort part of a trend key: everything after the window, the first {@code |}. */
    static String cohortOf(String trendKey) {
        int bar = trendKey.indexOf('|');
        return bar < 0 ? trendKey : trendKey.substring(bar + 1);
    }
}
