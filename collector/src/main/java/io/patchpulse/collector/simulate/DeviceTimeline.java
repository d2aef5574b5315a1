package io.patchpulse.collector.simulate;

import java.util.Comparator;
import java.util.List;

/**
 * Everything one device does during the simulation, planned up front: its profile, its successive states and its
 * steps sorted by receive time (ties by sequence), and what the planner decided per update.
 */
final class DeviceTimeline {

    static final Comparator<Step> RECEIVE_ORDER = Comparator.comparingLong(Step::receivedAt)
            .thenComparingInt(Step::sequence);

    private final DeviceProfile profile;
    private final List<DeviceState> states;
    private final Step[] steps;
    private final List<KbPlan> plans;

    DeviceTimeline(DeviceProfile profile, List<DeviceState> states, List<Step> steps, List<KbPlan> plans) {
        this.profile = profile;
        this.states = List.copyOf(states);
        this.plans = List.copyOf(plans);
        this.steps = steps.toArray(new Step[0]);
        java.util.Arrays.sort(this.steps, RECEIVE_ORDER);
    }

    DeviceProfile profile() {
        return profile;
    }

    List<DeviceState> states() {
        return states;
    }

    /** What the planner decided per update this device was offered (the truth's source). */
    List<KbPlan> plans() {
        return plans;
    }

    /** The device's state at the end. */
    DeviceState lastState() {
        return states.get(states.size() - 1);
    }

    int size() {
        return steps.length;
    }

    Step step(int position) {
        return steps[position];
    }
}
