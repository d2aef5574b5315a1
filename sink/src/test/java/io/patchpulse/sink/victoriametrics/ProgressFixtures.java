package io.patchpulse.sink.victoriametrics;

import io.patchpulse.schemas.avro.ReleaseProgress;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/** Test data: {@code release-progress} values built field by field. */
final class ProgressFixtures {

    private ProgressFixtures() {
    }

    /** One day of one release; {@code updatedAt} is the day's noon (UTC). */
    static ReleaseProgress progress(String kb, LocalDate day, long tracked, long attempted, long failing, long fixed,
            long falseFailure, Map<String, Long> fixedByCause, long atFixedWinre, Double shareAtFixedWinre,
            long exposed) {
        return io.patchpulse.sink.TrendFixtures.progress(kb, day, tracked, attempted, failing, fixed, falseFailure,
                fixedByCause, atFixedWinre, shareAtFixedWinre, exposed, day.atTime(12, 0).toInstant(ZoneOffset.UTC));
    }
}
