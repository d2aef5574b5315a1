package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.FailureTrend;

/** Output of step 3: a trend delta under its trend key, or a late record for the dead-letter topic. */
record Counted(String trendKey, FailureTrend delta, Checked rejected) {

    static Counted delta(String trendKey, FailureTrend delta) {
        return new Counted(trendKey, delta, null);
    }

    static Counted rejected(Checked rejected) {
        return new Counted(null, null, rejected);
    }

    boolean isRejected() {
        return rejected != null;
    }
}
