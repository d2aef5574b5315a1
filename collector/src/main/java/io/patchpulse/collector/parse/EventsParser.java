package io.patchpulse.collector.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.serde.CanonicalJson;
import io.patchpulse.schemas.validate.EventValidator;
import java.io.IOException;
import java.io.InputStream;

/**
 * Canonical JSON of {@code InstallEvent} and {@code DeviceInventory} (the shape {@link CanonicalJson} writes), one
 * object, an array, or NDJSON. An object with {@code eventId} is an install event, one with {@code observedAt} and
 * no {@code eventId} an inventory. Lines of a {@code --events-out} file ({@code {"topic", "key", "value"}}) are read
 * by their {@code value}, so a recorded run can be replayed through the ingest API.
 *
 * <p>Canonical records normally carry pseudonymous ids already (a replay of a recorded run). Any other id is a raw
 * name to this collector: while ids are keyed hashes ({@code collector.device.ids=hmac}) it is hashed like every other
 * format's, so a sender cannot slip host names past the edge through this format. Error codes are brought to the
 * canonical spelling ({@link EventValidator#normalized}).
 */
public final class EventsParser implements FormatParser {

    @Override
    public InputFormat format() {
        return InputFormat.EVENTS;
    }

    @Override
    public ParseResult parse(InputStream input, ParseContext context) throws IOException {
        ParseResult.Builder result = ParseResult.builder(context.receivedAt());
        JsonItems.read(input, result, (line, item) -> {
            JsonNode value = JsonFields.object(item, "$");
            String path = "$";
            if (value.has("value") && value.has("topic")) {
                value = JsonFields.object(value.get("value"), "$.value");
                path = "$.value";
            }
            result.accept(line, pseudonymize(read(value, path), context.deviceIds()));
        });
        return result.build();
    }

    /** The record with its device id hashed, unless ids are raw or it already is a pseudonym. */
    private static CollectedRecord pseudonymize(CollectedRecord record, DeviceIds deviceIds) {
        String id = record.deviceId();
        if (!deviceIds.pseudonymous() || id == null || id.isBlank() || DeviceIds.isPseudonym(id)) {
            // A missing id is left for the validator, which rejects it naming the field.
            return record;
        }
        String hashed = deviceIds.of(id);
        if (record instanceof CollectedRecord.Event event) {
            InstallEvent.Builder copy = InstallEvent.newBuilder(event.event()).setDeviceId(hashed);
            DeviceInventory embedded = event.event().getInventory();
            if (embedded != null && id.equals(embedded.getDeviceId())) {
                copy.setInventory(DeviceInventory.newBuilder(embedded).setDeviceId(hashed).build());
            }
            return new CollectedRecord.Event(copy.build());
        }
        CollectedRecord.Inventory inventory = (CollectedRecord.Inventory) record;
        DeviceInventory copy = DeviceInventory.newBuilder(inventory.inventory()).setDeviceId(hashed).build();
        return new CollectedRecord.Inventory(copy, inventory.receivedAt());
    }

    private static CollectedRecord read(JsonNode value, String path) {
        try {
            if (value.has("eventId")) {
                // An error code in another spelling becomes canonical, one in none moves to rawErrorCode
                // (DOMAIN.md rule 2): the pipeline groups by errorCode and trusts it to be canonical.
                return new CollectedRecord.Event(EventValidator.normalized(
                        CanonicalJson.fromTree(value, InstallEvent.getClassSchema())));
            }
            if (value.has("observedAt")) {
                DeviceInventory inventory = CanonicalJson.fromTree(value, DeviceInventory.getClassSchema());
                return new CollectedRecord.Inventory(inventory, inventory.getObservedAt());
            }
        } catch (IllegalArgumentException e) {
            // CanonicalJson names the path inside the record: "$.inventory.recovery.freeBytes: expected an integer".
            String message = e.getMessage() == null ? "does not match the schema" : e.getMessage();
            int colon = message.indexOf(": ");
            if (message.startsWith("$") && colon > 0) {
                throw new BadField(path + message.substring(1, colon), message.substring(colon + 2));
            }
            throw new BadField(path, message);
        }
        throw new BadField(path, "neither an install event (has eventId) nor a device inventory (has observedAt)");
    }
}
