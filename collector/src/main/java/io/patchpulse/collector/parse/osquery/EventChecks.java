package io.patchpulse.collector.parse.osquery;

import io.patchpulse.collector.parse.BadField;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.validate.EventValidator;
import io.patchpulse.schemas.validate.Violation;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The pipeline's event rules ({@link EventValidator}), applied before the result builder applies them again, so that
 * a refused row names the JSON path it came from ({@code $.snapshot[2].date}) instead of the record field
 * ({@code occurredAt}).
 */
final class EventChecks {

    private EventChecks() {
    }

    /**
     * Throws a {@link BadField} at the path {@code paths} gives for the record field at fault (the record field
     * itself when none is given) when {@code event} breaks a rule as of {@code now}.
     */
    static void check(InstallEvent event, Instant now, Map<String, String> paths) {
        Optional<Violation> violation = EventValidator.check(event.getDeviceId(), event, now);
        if (violation.isPresent()) {
            String field = violation.get().field();
            throw new BadField(paths.getOrDefault(field, field), violation.get().detail());
        }
    }
}
