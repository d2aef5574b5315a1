package io.patchpulse.collector.simulate;

/**
 * The changing part of a device: its recovery partition, WinRE image version and KB5034957 flag. A new state is a
 * new inventory record.
 *
 * @param partitionSizeBytes recovery partition size (the real one, also when the inventory cannot report it)
 * @param freeBytes          free space in it
 * @param winreVersion       WinRE image version
 * @param scriptPatched      KB5034957 script applied successfully
 */
record DeviceState(long partitionSizeBytes, long freeBytes, String winreVersion, boolean scriptPatched) {

    DeviceState withPartition(long newSizeBytes, long newFreeBytes) {
        return new DeviceState(newSizeBytes, newFreeBytes, winreVersion, scriptPatched);
    }

    DeviceState withWinre(String newVersion, long newFreeBytes, boolean newScriptPatched) {
        return new DeviceState(partitionSizeBytes, newFreeBytes, newVersion, newScriptPatched);
    }
}
