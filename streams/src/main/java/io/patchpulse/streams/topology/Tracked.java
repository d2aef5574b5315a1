package io.patchpulse.streams.topology;

import io.patchpulse.schemas.avro.DeviceStatus;
import io.patchpulse.schemas.avro.ReleaseProgress;
import io.patchpulse.schemas.avro.Remediation;

/**
 * Output of the device tracker: a new device status, a remediation, or a change to a release's totals (a
 * {@link ReleaseProgress} used as a delta: counts may be negative, keyed by KB). Exactly one field is set.
 */
record Tracked(DeviceStatus status, Remediation remediation, ReleaseProgress progressDelta) {

    static Tracked status(DeviceStatus status) {
        return new Tracked(status, null, null);
    }

    static Tracked remediation(Remediation remediation) {
        return new Tracked(null, remediation, null);
    }

    static Tracked progress(ReleaseProgress delta) {
        return new Tracked(null, null, delta);
    }
}
