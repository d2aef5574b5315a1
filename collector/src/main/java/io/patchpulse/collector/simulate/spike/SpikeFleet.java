package io.patchpulse.collector.simulate.spike;

import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.OsInfo;
import io.patchpulse.schemas.avro.PartitionStyle;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryLayout;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.avro.WinreInfo;
import io.patchpulse.schemas.avro.WinreStatus;
import io.patchpulse.schemas.values.Cohort;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/** The devices of the spike scenario: what each runs and how its disk and BitLocker look. */
final class SpikeFleet {

    private static final long MIB = 1_048_576L;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final HexFormat HEX = HexFormat.of();
    private static final Set<String> WINRE_UPDATES = Set.of("KB5034441", "KB5034440", "KB5034439");
    private static final String[] SITES = {"ams", "ber", "lon", "muc", "nyc", "sgp"};

    private SpikeFleet() {
    }

    /** An update offered to a line: KB, update id, English title. */
    record Update(String kb, String guid, String title) {

        static Update of(String kb, String title) {
            return new Update(kb, UUID.nameUUIDFromBytes(("patchpulse-spike:" + kb).getBytes(StandardCharsets.UTF_8))
                    .toString(), title);
        }
    }

    /**
     * An OS line with its January 2024 WinRE update and cumulative update (Microsoft KB pages: KB5034441 /
     * KB5034122 for Windows 10 22H2, KB5034440 / KB5034121 for Windows 11 21H2, KB5034439 / KB5034129 for Server
     * 2022), and its WinRE version before the fix.
     */
    enum Os {
        WINDOWS_10("Windows 10 Pro", "22H2", 19045, 3803, "10.0.19041.3636",
                Update.of("KB5034441", "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems"
                        + " (KB5034441)"),
                Update.of("KB5034122", "2024-01 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems"
                        + " (KB5034122)")),
        WINDOWS_11("Windows 11 Enterprise", "21H2", 22000, 2652, "10.0.22000.2538",
                Update.of("KB5034440", "2024-01 Security Update for Windows 11 for x64-based Systems (KB5034440)"),
                Update.of("KB5034121", "2024-01 Cumulative Update for Windows 11 for x64-based Systems (KB5034121)")),
        SERVER_2022("Windows Server 2022 Standard", "21H2", 20348, 2113, "10.0.20348.2031",
                Update.of("KB5034439", "2024-01 Security Update for Microsoft server operating system version 21H2"
                        + " for x64-based Systems (KB5034439)"),
                Update.of("KB5034129", "2024-01 Cumulative Update for Microsoft server operating system version 21H2"
                        + " for x64-based Systems (KB5034129)"));

        private final String product;
        private final String version;
        private final int build;
        private final int ubr;
        private final String winre;
        private final List<Update> updates;

        Os(String product, String version, int build, int ubr, String winre, Update winreUpdate, Update cumulative) {
            this.product = product;
            this.version = version;
            this.build = build;
            this.ubr = ubr;
            this.winre = winre;
            this.updates = List.of(winreUpdate, cumulative);
        }

        List<Update> updates() {
            return updates;
        }
    }

    /** BitLocker states, one per cohort, with how often a device is in it. */
    private enum BitLocker {
        OFF(BitLockerProtection.OFF, BitLockerVolumeStatus.FULLY_DECRYPTED, ProtectorClass.NONE, 0.30),
        TPM(BitLockerProtection.ON, BitLockerVolumeStatus.FULLY_ENCRYPTED, ProtectorClass.TPM_ONLY, 0.45),
        PREBOOT(BitLockerProtection.ON, BitLockerVolumeStatus.FULLY_ENCRYPTED, ProtectorClass.TPM_PREBOOT, 0.10),
        SUSPENDED(BitLockerProtection.OFF, BitLockerVolumeStatus.FULLY_ENCRYPTED, ProtectorClass.TPM_ONLY, 0.07),
        CONVERTING(BitLockerProtection.OFF, BitLockerVolumeStatus.ENCRYPTION_IN_PROGRESS, ProtectorClass.TPM_ONLY,
                0.03),
        UNKNOWN(BitLockerProtection.UNKNOWN, BitLockerVolumeStatus.UNKNOWN, ProtectorClass.UNKNOWN, 0.05);

        final BitLockerProtection protection;
        final BitLockerVolumeStatus volume;
        final ProtectorClass protector;
        final double share;

        BitLocker(BitLockerProtection protection, BitLockerVolumeStatus volume, ProtectorClass protector,
                double share) {
            this.protection = protection;
            this.volume = volume;
            this.protector = protector;
            this.share = share;
        }
    }

    /**
     * One device.
     *
     * @param sizeMib recovery partition size, or -1 when the inventory cannot read it
     * @param freeMib its free space, or -1
     */
    record Device(int index, String deviceId, Os os, long sizeMib, long freeMib, BitLockerState bitlocker,
                  String site) {

        Cohort cohort(String kb) {
            return Cohort.of(kb, inventory(0));
        }

        /** A fresh inventory snapshot observed at {@code observedAt}. */
        DeviceInventory inventory(long observedAt) {
            boolean known = sizeMib >= 0;
            return DeviceInventory.newBuilder()
                    .setDeviceId(deviceId)
                    .setObservedAt(Instant.ofEpochMilli(observedAt))
                    .setOs(OsInfo.newBuilder().setProduct(os.product).setVersion(os.version).setBuild(os.build)
                            .setUbr(os.ubr).build())
                    .setRecovery(RecoveryPartition.newBuilder()
                            .setPartitionSizeBytes(known ? sizeMib * MIB : null)
                            .setFreeBytes(known ? freeMib * MIB : null)
                            .setLayout(known ? RecoveryLayout.AFTER_OS : RecoveryLayout.UNKNOWN)
                            .setPartitionStyle(PartitionStyle.GPT)
                            .build())
                    .setWinre(WinreInfo.newBuilder().setStatus(WinreStatus.ENABLED).setVersion(os.winre)
                            .setLocation("\\\\?\\GLOBALROOT\\device\\harddisk0\\partition4\\Recovery\\WindowsRE")
                            .build())
                    .setBitlocker(BitLockerInfo.newBuilder().setProtection(bitlocker.protection())
                            .setVolumeStatus(bitlocker.volume()).setProtectorClass(bitlocker.protector())
                            .setEncryptionMethod(bitlocker.protection() == BitLockerProtection.ON ? "XtsAes128" : null)
                            .build())
                    .setScriptPatched(Boolean.FALSE)
                    .setTags(Map.of("site", site, "ring", "broad"))
                    .build();
        }
    }

    /** The BitLocker fields of a device. */
    record BitLockerState(BitLockerProtection protection, BitLockerVolumeStatus volume, ProtectorClass protector) {
    }

    static boolean isWinreUpdate(String kb) {
        return WINRE_UPDATES.contains(kb);
    }

    /** Device {@code index} of the fleet of {@code seed}. */
    static Device draw(long seed, int index) {
        Random random = new Random(hash(seed, index, 0xF1EE7));
        double os = random.nextDouble();
        Os line = os < 0.65 ? Os.WINDOWS_10 : os < 0.90 ? Os.WINDOWS_11 : Os.SERVER_2022;
        long size;
        long free;
        double partition = random.nextDouble();
        if (partition < 0.03) {
            size = -1; // the inventory could not read the recovery partition
            free = -1;
        } else {
            // OEM images: many 500-750 MB partitions (the seed article's 572 and 607 MB), some small, some large.
            double pick = random.nextDouble();
            size = pick < 0.25 ? 450 + random.nextInt(49)
                    : pick < 0.73 ? 500 + random.nextInt(250)
                    : pick < 0.88 ? 750 + random.nextInt(274) : 1024 + random.nextInt(1024);
            double shortOfSpace = size < 500 ? 0.8 : size < 750 ? 0.5 : size < 1024 ? 0.2 : 0.05;
            free = random.nextDouble() < shortOfSpace ? 40 + random.nextInt(200)
                    : Math.min(size - 100, 250 + random.nextInt(400));
        }
        BitLocker bitlocker = BitLocker.UNKNOWN;
        double b = random.nextDouble();
        double sum = 0;
        for (BitLocker candidate : BitLocker.values()) {
            sum += candidate.share;
            if (b < sum) {
                bitlocker = candidate;
                break;
            }
        }
        return new Device(index, "dev-" + HEX.toHexDigits(hash(seed, index, 0xDE71CE)), line, size, free,
                new BitLockerState(bitlocker.protection, bitlocker.volume, bitlocker.protector),
                SITES[random.nextInt(SITES.length)]);
    }

    /** SplitMix64's finalizer: a bijective, well-mixing 64-bit hash. */
    static long mix(long z) {
        long x = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    static long hash(long seed, long a, long b) {
        long h = mix(seed + GOLDEN);
        h = mix(h ^ (a * GOLDEN + 1));
        return mix(h ^ (b * GOLDEN + 2));
    }

    /** Event id of a device's {@code sequence}-th record, shaped as a version-8 (custom) UUID. */
    static String eventId(long seed, int device, int sequence) {
        long msb = (hash(seed, device, ((long) sequence << 8) | 1) & ~0xF000L) | 0x8000L;
        long lsb = (hash(seed, device, ((long) sequence << 8) | 2) & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
