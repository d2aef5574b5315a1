package io.patchpulse.collector.simulate;

import java.util.Comparator;
import java.util.List;

/**
 * Everything one device does during the simulation, planned up front: its profile, its successive states and its
 * steps sorted by receive time (ties by sequence).
 */
final class DeviceTimeline {

    static final Comparator<Step> RECEIVE_ORDER = Comparator.comparingLong(Step::receivedAt)
            .thenComparingInt(Step::sequence);

    private final DeviceProfile profile;
    private final List<DeviceState> states;
    private final Step[] steps;

    DeviceTimeline(DeviceProfile profile, List<DeviceState> states, List<Step> steps) {
        this.profile = profile;
        this.states = List.copyOf(states);
        this.steps = steps.toArray(new Step[0]);
        java.util.Arrays.sort(this.steps, RECEIVE_ORDER);
    }

    DeviceProfile profile() {
        return profile;
    }

    List<DeviceState> states() {
        return states;
    }

    int size() {
        return steps.length;
    }

    Step step(int position) {
        return steps[position];
    }
}
