package io.patchpulse.collector.parse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.WinreStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryLayoutChoiceTest {

    private static final long MIB = 1L << 20;
    private static final String ESP = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
    private static final String MSR = "e3c9e316-0b5c-4db8-817d-f92df00215ae";

    private static Partition gpt(int number, String gptType, long sizeMib, long offsetMib) {
        return new Partition("$.partitions[" + (number - 1) + "]", 0, number, null, gptType, null, sizeMib * MIB,
                offsetMib * MIB, null, null);
    }

    private static Partition withBoot(Partition p) {
        return new Partition(p.path(), p.disk(), p.number(), p.type(), p.gptType(), p.mbrType(), p.size(), p.offset(),
                p.driveLetter(), true);
    }

    private static ReagentcInfo pointingAt(int disk, int partition) {
        return new ReagentcInfo(WinreStatus.ENABLED, "\\\\?\\GLOBALROOT\\device\\harddisk" + disk + "\\partition"
                + partition + "\\Recovery\\WindowsRE", disk, partition, "5b8f2e1c-64a7-11ee-8c1d-a4bb6d3f90e2");
    }

    private static final Partition P1_ESP = gpt(1, ESP, 260, 1);
    private static final Partition P2_MSR = gpt(2, MSR, 16, 261);
    private static final Partition P3_OS = gpt(3, Partition.GPT_BASIC_DATA, 400_000, 277);
    private static final Partition P4_WINRE = gpt(4, Partition.GPT_RECOVERY, 572, 400_277);

    @Test
    void shouldFindWinreDirectlyAfterTheOsPartition() {
        RecoveryLayoutChoice choice = RecoveryLayoutChoice.choose(List.of(P1_ESP, P2_MSR, P3_OS, P4_WINRE),
                pointingAt(0, 4), 'C');

        assertThat(choice).isEqualTo(new RecoveryLayoutChoice(P4_WINRE, RecoveryLayout.AFTER_OS, PartitionStyle.GPT,
                null));
    }

    @Test
    void shouldPickThePartitionReagentcPointsAtAmongSeveralRecoveryPartitions() {
        // Dell-style: WinRE tools (4) after the OS, the factory image (5) also typed Recovery, last on disk.
        Partition p5Image = gpt(5, Partition.GPT_RECOVERY, 13_312, 400_849);
        List<Partition> partitions = List.of(P1_ESP, P2_MSR, P3_OS, P4_WINRE, p5Image);

        assertThat(RecoveryLayoutChoice.choose(partitions, pointingAt(0, 4), 'C'))
                .isEqualTo(new RecoveryLayoutChoice(P4_WINRE, RecoveryLayout.AFTER_OS, PartitionStyle.GPT, null));
        assertThat(RecoveryLayoutChoice.choose(partitions, pointingAt(0, 5), 'C'))
                .isEqualTo(new RecoveryLayoutChoice(p5Image, RecoveryLayout.LAST_ON_DISK, PartitionStyle.GPT, null));
    }

    @Test
    void shouldOrderByOffsetNotByPartitionNumber() {
        // D: (5) was created later in space taken from C:, so it sits between the OS and WinRE (4).
        Partition os = gpt(3, Partition.GPT_BASIC_DATA, 300_000, 277);
        Partition data = gpt(5, Partition.GPT_BASIC_DATA, 100_000, 300_277);
        Partition winre = gpt(4, Partition.GPT_RECOVERY, 750, 400_277);

        RecoveryLayoutChoice choice = RecoveryLayoutChoice.choose(List.of(P1_ESP, P2_MSR, withBoot(os), winre, data),
                pointingAt(0, 4), 'C');

        assertThat(choice.layout()).isEqualTo(RecoveryLayout.LAST_ON_DISK);
    }

    @Test
    void shouldCallWinreBeforeTheOsPartitionOther() {
        // Windows 8-era layout: WinRE first, then ESP, MSR, OS.
        Partition winre = gpt(1, Partition.GPT_RECOVERY, 450, 1);
        Partition esp = gpt(2, ESP, 100, 451);
        Partition msr = gpt(3, MSR, 16, 551);
        Partition os = gpt(4, Partition.GPT_BASIC_DATA, 400_000, 567);

        assertThat(RecoveryLayoutChoice.choose(List.of(winre, esp, msr, os), pointingAt(0, 1), 'C').layout())
                .isEqualTo(RecoveryLayout.OTHER);
    }

    @Test
    void shouldCallWinreOnTheOsPartitionItselfOther() {
        assertThat(RecoveryLayoutChoice.choose(List.of(P1_ESP, P2_MSR, withBoot(P3_OS)), pointingAt(0, 3), 'C')
                .layout()).isEqualTo(RecoveryLayout.OTHER);
    }

    @Test
    void shouldFindTheOsPartitionByIsBootThenDriveLetterThenLargestBasicData() {
        Partition small = gpt(3, Partition.GPT_BASIC_DATA, 100_000, 277);
        Partition winre = gpt(4, Partition.GPT_RECOVERY, 572, 100_277);
        Partition big = gpt(5, Partition.GPT_BASIC_DATA, 300_000, 100_849);
        Partition smallC = new Partition(small.path(), 0, 3, "Basic", small.gptType(), null, small.size(),
                small.offset(), 'C', null);
        List<Partition> byLetter = List.of(P1_ESP, P2_MSR, smallC, winre, big);

        assertThat(RecoveryLayoutChoice.osPartition(List.of(P1_ESP, small, winre, big), 0, null)).isSameAs(big);
        assertThat(RecoveryLayoutChoice.osPartition(byLetter, 0, 'C')).isSameAs(smallC);
        assertThat(RecoveryLayoutChoice.osPartition(List.of(P1_ESP, small, winre, withBoot(winre)), 0, 'C').number())
                .isEqualTo(4);
        assertThat(RecoveryLayoutChoice.choose(byLetter, pointingAt(0, 4), 'C').layout())
                .isEqualTo(RecoveryLayout.AFTER_OS);
    }

    @Test
    void shouldFallBackToTheOnlyRecoveryPartitionWhenReagentcGivesNoLocationAndSaySo() {
        RecoveryLayoutChoice choice = RecoveryLayoutChoice.choose(List.of(P1_ESP, P2_MSR, P3_OS, P4_WINRE),
                ReagentcInfo.UNKNOWN, 'C');

        assertThat(choice).isEqualTo(new RecoveryLayoutChoice(P4_WINRE, RecoveryLayout.AFTER_OS, PartitionStyle.GPT,
                "reagentc gives no WinRE location: took the only Recovery-type partition"));
    }

    @Test
    void shouldNotGuessAmongSeveralRecoveryPartitionsWithoutALocation() {
        Partition p5 = gpt(5, Partition.GPT_RECOVERY, 13_312, 400_849);

        RecoveryLayoutChoice choice = RecoveryLayoutChoice.choose(List.of(P1_ESP, P2_MSR, P3_OS, P4_WINRE, p5),
                ReagentcInfo.UNKNOWN, 'C');

        assertThat(choice).isEqualTo(new RecoveryLayoutChoice(null, RecoveryLayout.UNKNOWN, PartitionStyle.GPT,
                "reagentc gives no WinRE location and 2 partitions are of Recovery type: cannot tell which holds WinRE"));
    }

    @Test
    void shouldHaveNoPartitionWhenWinreIsDisabled() {
        ReagentcInfo disabled = new ReagentcInfo(WinreStatus.DISABLED, null, null, null,
                "00000000-0000-0000-0000-000000000000");
        Partition mbrOs = new Partition("$.partitions[1]", 0, 2, "IFS", null, 7, 400_000 * MIB, 501 * MIB, 'C', true);
        Partition mbrRecovery = new Partition("$.partitions[2]", 0, 3, "Unknown", null, 0x27, 530 * MIB,
                400_501 * MIB, null, false);

        assertThat(RecoveryLayoutChoice.choose(List.of(mbrOs, mbrRecovery), disabled, 'C'))
                .isEqualTo(new RecoveryLayoutChoice(null, RecoveryLayout.NONE, PartitionStyle.MBR, null));
    }

    @Test
    void shouldReadMbrRecoveryPartitionsByType0x27() {
        Partition mbrOs = new Partition("$.partitions[1]", 0, 2, "IFS", null, 7, 400_000 * MIB, 501 * MIB, null, null);
        Partition mbrRecovery = new Partition("$.partitions[2]", 0, 3, null, null, 0x27, 530 * MIB, 400_501 * MIB,
                null, null);

        RecoveryLayoutChoice choice = RecoveryLayoutChoice.choose(List.of(mbrOs, mbrRecovery), ReagentcInfo.UNKNOWN,
                'C');

        assertThat(choice.partition()).isSameAs(mbrRecovery);
        assertThat(choice.layout()).isEqualTo(RecoveryLayout.AFTER_OS);
        assertThat(choice.style()).isEqualTo(PartitionStyle.MBR);
    }

    @Test
    void shouldBeUnknownWhenReagentcPointsAtAPartitionTheReportDoesNotList() {
        assertThat(RecoveryLayoutChoice.choose(List.of(P1_ESP, P2_MSR, P3_OS), pointingAt(0, 4), 'C'))
                .isEqualTo(new RecoveryLayoutChoice(null, RecoveryLayout.UNKNOWN, PartitionStyle.UNKNOWN,
                        "reagentc points at disk 0 partition 4, which the report does not list"));
        assertThat(RecoveryLayoutChoice.choose(List.of(P4_WINRE), pointingAt(1, 4), 'C').layout())
                .isEqualTo(RecoveryLayout.UNKNOWN);
    }

    @Test
    void shouldOrderByPartitionNumberWhenOffsetsAreMissing() {
        Partition os = new Partition("$.partitions[0]", 0, 3, "Basic", null, null, 400_000 * MIB, null, 'C', null);
        Partition winre = new Partition("$.partitions[1]", 0, 4, "Recovery", null, null, 572 * MIB, null, null, null);

        assertThat(RecoveryLayoutChoice.choose(List.of(winre, os), pointingAt(0, 4), 'C').layout())
                .isEqualTo(RecoveryLayout.AFTER_OS);
    }

    @Test
    void shouldBeUnknownWithoutAnyPartitions() {
        assertThat(RecoveryLayoutChoice.choose(List.of(), ReagentcInfo.UNKNOWN, 'C'))
                .isEqualTo(new RecoveryLayoutChoice(null, RecoveryLayout.UNKNOWN, PartitionStyle.UNKNOWN, null));
    }
}
