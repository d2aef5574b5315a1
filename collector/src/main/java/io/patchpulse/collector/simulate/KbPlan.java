package io.patchpulse.collector.simulate;

import io.patchpulse.schemas.avro.RemediationCause;

/**
 * What the planner decided about one device and one update: the source of the truth (never re-derived from the
 * records).
 *
 * @param update       the update
 * @param results      install results (FAILED or SUCCEEDED events) on it
 * @param failures     FAILED events on it
 * @param succeeded    a SUCCEEDED event on it was planned
 * @param falseFailure every failure was planned while a reboot was pending, and the success planned within the
 *                     false-failure time of the first one
 * @param cause        when the device failed and was then fixed (by a success, or by a WinRE version another
 *                     release brought): what the planner made fix it; null otherwise
 */
record KbPlan(WinreUpdate update, int results, int failures, boolean succeeded, boolean falseFailure,
              RemediationCause cause) {
}
