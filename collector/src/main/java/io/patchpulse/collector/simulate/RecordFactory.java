package io.patchpulse.collector.simulate;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.avro.WinreStatus;
import io.patchpulse.schemas.values.ErrorCode;
import io.patchpulse.schemas.values.KbId;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Builds the Avro records of planned steps. Stateless; each call returns fresh objects. */
final class RecordFactory {

    private final long seed;

    RecordFactory(long seed) {
        this.seed = seed;
    }

    CollectedRecord record(DeviceTimeline timeline, Step step) {
        DeviceProfile profile = timeline.profile();
        DeviceInventory inventory = inventory(profile, timeline.states().get(step.stateIndex()), step.occurredAt());
        if (step.isInventory()) {
            return new CollectedRecord.Inventory(inventory, Instant.ofEpochMilli(step.receivedAt()));
        }
        WinreUpdate update = step.updateOn(profile.os());
        String title = update.title(profile.os(), profile.language());
        String rawError = step.hresult() == 0 ? null
                // WinREAgent 4502 reports Errorcode as a signed decimal (DOMAIN.md section 3).
                : step.outcome() == Outcome.WINRE_SERVICING_FAILED ? ErrorSpelling.SIGNED.spell(step.hresult())
                : profile.spelling().spell(step.hresult());
        boolean serviced = step.outcome() == Outcome.WINRE_SERVICING_SUCCEEDED
                || step.outcome() == Outcome.SUCCEEDED && profile.winreStatus() == WinreStatus.ENABLED;
        InstallEvent event = InstallEvent.newBuilder()
                .setEventId(Seeds.eventId(seed, profile.index(), step.sequence()))
                .setDeviceId(profile.deviceId())
                .setOccurredAt(Instant.ofEpochMilli(step.occurredAt()))
                .setReceivedAt(Instant.ofEpochMilli(step.receivedAt()))
                .setSource(EventSource.SIMULATOR)
                // Titles are localized: the KB number is found by pattern, as a parser would (DOMAIN.md section 3).
                .setKb(KbId.extract(title).orElseThrow())
                .setUpdateGuid(update.updateGuid(profile.os()))
                .setUpdateTitle(title)
                .setOutcome(step.outcome())
                .setErrorCode(rawError == null ? null : ErrorCode.normalize(rawError).orElseThrow())
                .setRawErrorCode(rawError)
                .setWinreErrorPhase(step.winreErrorPhase() == 0 ? null : step.winreErrorPhase())
                .setWinreVersion(serviced ? inventory.getWinre().getVersion() : null)
                // Only install results say whether a restart was pending (the April 2025 false failures).
                .setRebootPending(step.isResult() ? step.rebootPending() : null)
                .setInventory(inventory)
                .build();
        return new CollectedRecord.Event(event);
    }

    static DeviceInventory inventory(DeviceProfile profile, DeviceState state, long observedAt) {
        BitLockerState bitlocker = profile.bitlocker();
        Map<String, String> tags = new TreeMap<>();
        tags.put("ring", profile.ring());
        tags.put("site", profile.site());
        return DeviceInventory.newBuilder()
                .setDeviceId(profile.deviceId())
                .setObservedAt(Instant.ofEpochMilli(observedAt))
                .setOs(OsInfo.newBuilder()
                        .setProduct(profile.product())
                        .setVersion(profile.os().version())
                        .setBuild(profile.os().build())
                        .setUbr(profile.ubr())
                        .build())
                .setRecovery(RecoveryPartition.newBuilder()
                        .setPartitionSizeBytes(profile.partitionReported() ? state.partitionSizeBytes() : null)
                        .setFreeBytes(profile.partitionReported() ? state.freeBytes() : null)
                        .setLayout(profile.layout())
                        .setPartitionStyle(profile.style())
                        .build())
                .setWinre(WinreInfo.newBuilder()
                        .setStatus(profile.winreStatus())
                        .setVersion(state.winreVersion())
                        .setLocation(profile.winreLocation())
                        .build())
                .setBitlocker(BitLockerInfo.newBuilder()
                        .setProtection(bitlocker.protection())
                        .setVolumeStatus(bitlocker.volumeStatus())
                        .setEncryptionMethod(bitlocker.encryptionMethod())
                        .setProtectorClass(bitlocker.protectorClass())
                        .build())
                .setScriptPatched(state.scriptPatched())
                .setTags(tags)
                .build();
    }
}
