package io.patchpulse.collector.parse.windows;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import java.time.Instant;
import java.util.List;

/** Expected install events from Windows events, compared without their hash-derived ids (formats sharing the mapper). */
public final class ExpectedEvents {

    private ExpectedEvents() {
    }

    /** An expected event with every field but the event id. */
    public static InstallEvent.Builder expected(EventSource source, Instant received, String device,
                                                String occurredAt, Outcome outcome) {
        return InstallEvent.newBuilder()
                .setEventId("?")
                .setDeviceId(device)
                .setOccurredAt(Instant.parse(occurredAt))
                .setReceivedAt(received)
                .setSource(source)
                .setOutcome(outcome);
    }

    /** {@code builder} with the update's title, its KB and GUID. */
    public static InstallEvent.Builder update(InstallEvent.Builder builder, String title, String guid) {
        return builder.setKb("KB" + title.replaceAll(".*\\(KB(\\d+)\\).*", "$1")).setUpdateTitle(title)
                .setUpdateGuid(guid);
    }

    /** The events of {@code result} with their ids blanked, after checking each id is a hash. */
    public static List<InstallEvent> events(ParseResult result) {
        return result.collected().stream()
                .map(record -> ((CollectedRecord.Event) record).event())
                .peek(event -> assertThat(event.getEventId()).matches("w-[0-9a-f]{32}"))
                .map(event -> InstallEvent.newBuilder(event).setEventId("?").build())
                .toList();
    }
}
