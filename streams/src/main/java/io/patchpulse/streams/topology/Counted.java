package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.FailureTrend;

/**
 * Output of step 3: an admitted event (not late, not a replay: for the device tracker), a trend delta under its
 * trend key, or a late record for the dead-letter topic.
 */
record Counted(String trendKey, FailureTrend delta, Checked rejected, Checked admitted) {

    static Counted delta(String trendKey, FailureTrend delta) {
        return new Counted(trendKey, delta, null, null);
    }

    static Counted rejected(Checked rejected) {
        return new Counted(null, null, rejected, null);
    }

    static Counted admitted(Checked admitted) {
        return new Counted(null, null, null, admitted);
    }

    boolean isAdmitted() {
        return admitted != null;
    }

    boolean isRejected() {
        return rejected != null;
    }
}
