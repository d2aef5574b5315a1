package io.patchpulse.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CohortPartitionerTest {

    private static final String COHORT = "KB5034441|500-750MB|<250MB|on-tpm";

    @Test
    void shouldSendEveryWindowOfACohortToTheSamePartition() {
        CohortPartitioner<Object> partitioner = CohortPartitioner.forTrendKeys();
        Set<Optional<Set<Integer>>> partitions = new HashSet<>();
        for (int hour = 0; hour < 24 * 14; hour++) {
            String window = java.time.Instant.parse("2024-01-09T00:00:00Z").plusSeconds(3600L * hour).toString();
            partitions.add(partitioner.partitions("t", window + "|" + COHORT, null, 12));
        }

        assertThat(partitions).hasSize(1);
    }

    @Test
    void shouldPlaceAStoreKeyWhereItsTrendKeysGoSoQueriesFindTheOwner() {
        Optional<Set<Integer>> ofTrend = CohortPartitioner.forTrendKeys()
                .partitions("t", "2024-01-09T18:00:00Z|" + COHORT, null, 12);
        Optional<Set<Integer>> ofStoreKey = CohortPartitioner.forCohortKeys().partitions("t", COHORT, null, 12);

        assertThat(ofTrend).isEqualTo(ofStoreKey).contains(Set.of(CohortPartitioner.partition(COHORT, 12)));
    }

    @Test
    void shouldSpreadCohortsOverPartitions() {
        Set<Integer> used = new HashSet<>();
        for (String size : new String[] {"<500MB", "500-750MB", "750MB-1GB", ">=1GB", "unknown"}) {
            for (String bitlocker : new String[] {"off", "on-tpm", "on-preboot", "suspended", "converting"}) {
                used.add(CohortPartitioner.partition("KB5034441|" + size + "|<250MB|" + bitlocker, 6));
            }
        }

        assertThat(used).hasSizeGreaterThan(3);
    }
}
