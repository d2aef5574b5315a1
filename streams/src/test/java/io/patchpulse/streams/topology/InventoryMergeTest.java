package io.patchpulse.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.ProtectorClass;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InventoryMergeTest {

    @Test
    void shouldKeepTheSectionsAPartialReportDoesNotCarry() {
        DeviceInventory agent = Events.inventory("d-1", 572, 80, false);
        DeviceInventory osqueryBitLocker = DeviceInventory.newBuilder()
                .setDeviceId("d-1")
                .setObservedAt(agent.getObservedAt().plusSeconds(3600))
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED)
                        .setProtectorClass(ProtectorClass.UNKNOWN).build())
                .setTags(Map.of("site", "berlin"))
                .build();

        DeviceInventory merged = InventoryMerge.merge(agent, osqueryBitLocker);

        assertThat(merged.getRecovery()).isEqualTo(agent.getRecovery());
        assertThat(merged.getWinre()).isEqualTo(agent.getWinre());
        assertThat(merged.getOs()).isEqualTo(agent.getOs());
        assertThat(merged.getBitlocker()).isEqualTo(osqueryBitLocker.getBitlocker());
        assertThat(merged.getObservedAt()).isEqualTo(osqueryBitLocker.getObservedAt());
        assertThat(merged.getTags()).containsEntry("site", "berlin");
    }

    @Test
    void shouldNotMoveObservedAtBackForAnOlderReport() {
        DeviceInventory newer = Events.inventory("d-1", 572, 80, true);
        DeviceInventory older = DeviceInventory.newBuilder(Events.inventory("d-1", 572, 300, true))
                .setObservedAt(newer.getObservedAt().minusSeconds(60)).build();

        assertThat(InventoryMerge.merge(newer, older).getObservedAt()).isEqualTo(newer.getObservedAt());
        assertThat(InventoryMerge.merge(null, older)).isSameAs(older);
    }
}
