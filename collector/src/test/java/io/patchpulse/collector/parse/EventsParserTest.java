package io.patchpulse.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.simulate.FleetSimulator;
import io.patchpulse.collector.simulate.SimulationSettings;
import io.patchpulse.schemas.serde.CanonicalJson;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventsParserTest {

    private static final DeviceIds HMAC = DeviceIds.hmac(new byte[32]);
    private final List<CollectedRecord> simulated = new FleetSimulator(SimulationSettings.of(3, 5).withDays(2))
            .simulate().stream().limit(20).toList();

    @Test
    void shouldHashRawDeviceIdsSoNoHostNameGetsPastTheEdgeThroughCanonicalRecords() throws Exception {
        List<CollectedRecord> parsed = parse(withDeviceId("DESKTOP-ALICE.corp.example"), HMAC);

        assertThat(parsed).hasSize(simulated.size());
        assertThat(parsed).allSatisfy(record -> {
            assertThat(record.deviceId()).isEqualTo(HMAC.of("DESKTOP-ALICE"));
            assertThat(DeviceIds.isPseudonym(record.deviceId())).isTrue();
        });
    }

    @Test
    void shouldKeepIdsThatAreAlreadyPseudonymsSoARecordedRunReplaysUnchanged() throws Exception {
        String pseudonym = HMAC.of("laptop-7");

        assertThat(parse(withDeviceId(pseudonym), HMAC)).extracting(CollectedRecord::deviceId).containsOnly(pseudonym);
    }

    @Test
    void shouldKeepIdsAsGivenWhenTheCollectorIsToldToKeepRawIds() throws Exception {
        assertThat(parse(withDeviceId("DESKTOP-ALICE"), DeviceIds.raw())).extracting(CollectedRecord::deviceId)
                .containsOnly("DESKTOP-ALICE");
    }

    private String withDeviceId(String deviceId) {
        return simulated.stream().map(record -> {
            ObjectNode tree = CanonicalJson.toTree(record.value()).put("deviceId", deviceId);
            if (tree.get("inventory") instanceof ObjectNode inventory) {
                inventory.put("deviceId", deviceId);
            }
            return tree.toString();
        }).collect(Collectors.joining("\n"));
    }

    private static List<CollectedRecord> parse(String body, DeviceIds ids) throws Exception {
        ParseResult result = new EventsParser().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                new ParseContext(ids, Instant.parse("2024-01-20T00:00:00Z"), "test"));
        assertThat(result.problems()).isEmpty();
        return result.collected();
    }
}
