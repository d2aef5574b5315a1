package io.patchpulse.collector.simulate;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.Outcome;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * A planned simulation: every device's history in compact form, read as records ordered by receive time (ties by
 * device, then by the device's own sequence). Avro objects are built lazily while iterating, so memory grows with
 * the number of planned steps (tens of bytes each), not with the records. Each {@link #iterator()} starts over and
 * yields the same records. Immutable; iterators are not thread-safe.
 */
public final class Simulation implements SimulatedRecords {

    private static final long BACKLOG_MS = 3_600_000L;

    private final SimulationSettings settings;
    private final List<DeviceTimeline> timelines;
    private final RecordFactory factory;
    private final SimulationSummary summary;

    Simulation(SimulationSettings settings, List<DeviceTimeline> timelines) {
        this.settings = settings;
        this.timelines = List.copyOf(timelines);
        this.factory = new RecordFactory(settings.seed());
        this.summary = summarize();
    }

    /** The settings this simulation was planned from. */
    public SimulationSettings settings() {
        return settings;
    }

    @Override
    public long size() {
        return summary.records();
    }

    @Override
    public int devices() {
        return settings.devices();
    }

    @Override
    public long seed() {
        return settings.seed();
    }

    @Override
    public Instant start() {
        return settings.start();
    }

    @Override
    public Instant end() {
        return settings.end();
    }

    /** Counts of the planned records. */
    public SimulationSummary summary() {
        return summary;
    }

    /** The records in receive order. */
    @Override
    public Iterator<CollectedRecord> iterator() {
        return new MergingIterator();
    }

    private SimulationSummary summarize() {
        Map<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
        long records = 0;
        long inventories = 0;
        long failed = 0;
        long failedInstall = 0;
        long succeeded = 0;
        long remediated = 0;
        long backlog = 0;
        for (DeviceTimeline timeline : timelines) {
            boolean anyFailed = false;
            boolean anyInstallFailure = false;
            boolean anySuccess = false;
            for (int i = 0; i < timeline.size(); i++) {
                Step step = timeline.step(i);
                records++;
                if (step.receivedAt() - step.occurredAt() > BACKLOG_MS) {
                    backlog++;
                }
                if (step.isInventory()) {
                    inventories++;
                    continue;
                }
                byOutcome.merge(step.outcome(), 1L, Long::sum);
                if (step.outcome() == Outcome.FAILED) {
                    anyFailed = true;
                    anyInstallFailure |= step.hresult() == DevicePlanner.INSTALL_FAILURE;
                } else if (step.outcome() == Outcome.SUCCEEDED) {
                    anySuccess = true;
                }
            }
            DeviceState first = timeline.states().get(0);
            boolean wasRemediated = timeline.states().stream().anyMatch(state -> state.scriptPatched()
                    || state.partitionSizeBytes() > first.partitionSizeBytes());
            failed += anyFailed ? 1 : 0;
            failedInstall += anyInstallFailure ? 1 : 0;
            succeeded += anySuccess ? 1 : 0;
            remediated += wasRemediated ? 1 : 0;
        }
        return new SimulationSummary(timelines.size(), records, inventories, records - inventories, byOutcome,
                failed, failedInstall, succeeded, remediated, backlog);
    }

    /** A k-way merge of the devices' receive-ordered steps. */
    private final class MergingIterator implements Iterator<CollectedRecord> {

        private final PriorityQueue<Cursor> queue;

        MergingIterator() {
            queue = new PriorityQueue<>(Math.max(1, timelines.size()));
            for (int device = 0; device < timelines.size(); device++) {
                if (timelines.get(device).size() > 0) {
                    queue.add(new Cursor(device, timelines.get(device)));
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !queue.isEmpty();
        }

        @Override
        public CollectedRecord next() {
            Cursor cursor = queue.poll();
            if (cursor == null) {
                throw new NoSuchElementException("the simulation has no more records");
            }
            CollectedRecord record = factory.record(cursor.timeline, cursor.timeline.step(cursor.position));
            cursor.position++;
            if (cursor.position < cursor.timeline.size()) {
                queue.add(cursor);
            }
            return record;
        }
    }

    /** Position in one device's steps; ordered by the receive time of the step it points at, then device index. */
    private static final class Cursor implements Comparable<Cursor> {
        private final int device;
        private final DeviceTimeline timeline;
        private int position;

        Cursor(int device, DeviceTimeline timeline) {
            this.device = device;
            this.timeline = timeline;
        }

        @Override
        public int compareTo(Cursor other) {
            int byTime = Long.compare(timeline.step(position).receivedAt(),
                    other.timeline.step(other.position).receivedAt());
            return byTime != 0 ? byTime : Integer.compare(device, other.device);
        }
    }
}
