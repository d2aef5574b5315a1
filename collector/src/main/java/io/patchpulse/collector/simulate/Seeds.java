package io.patchpulse.collector.simulate;

import java.util.HexFormat;
import java.util.UUID;

/** Seed derivation: every id and every per-device random stream is a pure function of the settings' seed. */
final class Seeds {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final HexFormat HEX = HexFormat.of();

    private Seeds() {
    }

    /** SplitMix64's finalizer: a bijective, well-mixing 64-bit hash. */
    static long mix(long z) {
        long x = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /** A hash of the seed and three numbers. */
    static long hash(long seed, long a, long b, long c) {
        long h = mix(seed + GOLDEN);
        h = mix(h ^ (a * GOLDEN + 1));
        h = mix(h ^ (b * GOLDEN + 2));
        return mix(h ^ (c * GOLDEN + 3));
    }

    /** Seed of one device's random stream. */
    static long deviceSeed(long seed, int deviceIndex) {
        return hash(seed, deviceIndex, 0x5EED, 0);
    }

    /** Pseudonymous device id: a hash, never a host name. */
    static String deviceId(long seed, int deviceIndex) {
        return "dev-" + HEX.toHexDigits(hash(seed, deviceIndex, 0xDE71CE, 0));
    }

    /** Event id of the {@code sequence}-th record of a device, shaped as a version-8 (custom) UUID. */
    static String eventId(long seed, int deviceIndex, int sequence) {
        long msb = hash(seed, deviceIndex, sequence, 1);
        long lsb = hash(seed, deviceIndex, sequence, 2);
        msb = (msb & ~0xF000L) | 0x8000L;
        lsb = (lsb & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
