package io.patchpulse.deploy.cli;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.collector.simulate.ReplayPace;
import io.patchpulse.schemas.avro.Outcome;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;

/** Publishes a planned fleet at its pace with a progress line: what {@code demo} and {@code simulate} share. */
final class FleetReplay {

    private FleetReplay() {
    }

    /**
     * Publishes every record of {@code planned} in receive order, waiting between them where its pace says, and
     * flushes (which throws if any send failed, so nothing after it claims the records were published).
     *
     * @return how many install results (FAILED or SUCCEEDED) were published
     */
    static long publish(KafkaPublisher publisher, FleetOptions.Planned planned, PrintWriter out)
            throws InterruptedException {
        ReplayPace pace = planned.pace();
        if (pace.paces()) {
            out.printf("replaying %s at the given pace: the live part takes about %d s of wall time%n",
                    planned.truth() == null ? "the fleet" : "preset " + planned.truth().preset(),
                    pace.liveDuration(planned.simulation().end()).toSeconds());
            out.flush();
        }
        ProgressLine progress = new ProgressLine(out, "publishing", planned.simulation().size());
        long results = 0;
        for (CollectedRecord record : planned.simulation()) {
            if (pace.paces()) {
                pace.awaitTurnOf(record.receivedAt());
                progress.note("simulated time " + record.receivedAt().truncatedTo(ChronoUnit.MINUTES));
            }
            publisher.publish(record);
            if (record instanceof CollectedRecord.Event event && isResult(event.event().getOutcome())) {
                results++;
            }
            progress.advance();
        }
        publisher.flush();
        progress.done();
        return results;
    }

    private static boolean isResult(Outcome outcome) {
        return outcome == Outcome.FAILED || outcome == Outcome.SUCCEEDED;
    }
}
