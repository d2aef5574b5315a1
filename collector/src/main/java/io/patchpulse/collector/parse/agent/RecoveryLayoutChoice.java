package io.patchpulse.collector.parse.agent;

import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.WinreStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Which partition holds WinRE and where it sits, the fact that decides whether KB5028997's manual resize works.
 *
 * <p>The WinRE partition is the one reagentc's location names ({@code harddisk0\partition4}: disk 0, partition 4),
 * never chosen by type alone: OEM tool partitions carry the Recovery type too. Only when reagentc gives no location
 * (not run, failed, unreadable) and WinRE is not disabled is the single Recovery-type partition taken, and the
 * {@link #note} says so. Layout, on the WinRE partition's disk in {@code Offset} order (partition number when offsets
 * are missing):
 * <ul>
 *   <li>{@code AFTER_OS}: directly after the OS partition (the one with {@code IsBoot}, else the one with the system
 *       drive letter, else the largest basic-data partition of that disk);</li>
 *   <li>{@code LAST_ON_DISK}: otherwise last on its disk;</li>
 *   <li>{@code OTHER}: anywhere else, including WinRE on the OS partition itself;</li>
 *   <li>{@code NONE}: WinRE is disabled, so it has no partition;</li>
 *   <li>{@code UNKNOWN}: the partition cannot be told (not listed, several candidates, nothing reported).</li>
 * </ul>
 *
 * @param partition the WinRE partition, or null
 * @param note      how the choice was made when it was not by reagentc's location, or null
 */
record RecoveryLayoutChoice(Partition partition, RecoveryLayout layout, PartitionStyle style, String note) {

    private static final Comparator<Partition> DISK_ORDER = Comparator
            .comparing(Partition::offset, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Partition::number, Comparator.nullsLast(Comparator.naturalOrder()));

    /**
     * Chooses the WinRE partition among {@code partitions}.
     *
     * @param reagentc    what reagentc said ({@link ReagentcInfo#UNKNOWN} when not reported)
     * @param systemDrive the letter of the system drive ({@code C} almost always), or null
     */
    static RecoveryLayoutChoice choose(List<Partition> partitions, ReagentcInfo reagentc, Character systemDrive) {
        Objects.requireNonNull(partitions, "partitions");
        Objects.requireNonNull(reagentc, "reagentc");
        if (reagentc.status() == WinreStatus.DISABLED && !reagentc.hasLocation()) {
            Partition os = osPartition(partitions, null, systemDrive);
            return new RecoveryLayoutChoice(null, RecoveryLayout.NONE, style(os), null);
        }
        if (reagentc.hasLocation()) {
            for (Partition partition : partitions) {
                if (partition.is(reagentc.disk(), reagentc.partition())) {
                    return of(partition, partitions, systemDrive, null);
                }
            }
            return new RecoveryLayoutChoice(null, RecoveryLayout.UNKNOWN, PartitionStyle.UNKNOWN,
                    "reagentc points at disk " + reagentc.disk() + " partition " + reagentc.partition()
                            + ", which the report does not list");
        }
        List<Partition> recovery = partitions.stream().filter(Partition::isRecovery).toList();
        if (recovery.size() == 1) {
            return of(recovery.get(0), partitions, systemDrive,
                    "reagentc gives no WinRE location: took the only Recovery-type partition");
        }
        String note;
        if (recovery.isEmpty()) {
            note = partitions.isEmpty() ? null
                    : "reagentc gives no WinRE location and no partition is of Recovery type";
        } else {
            note = "reagentc gives no WinRE location and " + recovery.size()
                    + " partitions are of Recovery type: cannot tell which holds WinRE";
        }
        return new RecoveryLayoutChoice(null, RecoveryLayout.UNKNOWN, style(osPartition(partitions, null, systemDrive)),
                note);
    }

    private static RecoveryLayoutChoice of(Partition winre, List<Partition> all, Character systemDrive, String note) {
        List<Partition> disk = all.stream()
                .filter(p -> Objects.equals(p.disk(), winre.disk()))
                .sorted(DISK_ORDER)
                .toList();
        Partition os = osPartition(all, winre.disk(), systemDrive);
        int index = disk.indexOf(winre);
        RecoveryLayout layout;
        if (os == winre) {
            layout = RecoveryLayout.OTHER; // WinRE lives on the OS partition itself
        } else if (os != null && index > 0 && disk.get(index - 1) == os) {
            layout = RecoveryLayout.AFTER_OS;
        } else if (index == disk.size() - 1) {
            layout = RecoveryLayout.LAST_ON_DISK;
        } else {
            layout = RecoveryLayout.OTHER;
        }
        return new RecoveryLayoutChoice(winre, layout, style(winre), note);
    }

    /**
     * The partition Windows runs from: {@code IsBoot}, else the system drive letter, else the largest basic-data
     * partition (of {@code disk} when given).
     */
    static Partition osPartition(List<Partition> all, Integer disk, Character systemDrive) {
        for (Partition partition : all) {
            if (Boolean.TRUE.equals(partition.isBoot())) {
                return partition;
            }
        }
        if (systemDrive != null) {
            for (Partition partition : all) {
                if (systemDrive.equals(partition.driveLetter())) {
                    return partition;
                }
            }
        }
        return all.stream()
                .filter(p -> disk == null || disk.equals(p.disk()))
                .filter(Partition::isBasicData)
                .filter(p -> p.size() != null)
                .max(Comparator.comparingLong(Partition::size))
                .orElse(null);
    }

    private static PartitionStyle style(Partition partition) {
        if (partition == null) {
            return PartitionStyle.UNKNOWN;
        }
        if (partition.gptType() != null) {
            return PartitionStyle.GPT;
        }
        return partition.mbrType() != null && partition.mbrType() != 0 ? PartitionStyle.MBR : PartitionStyle.UNKNOWN;
    }
}
