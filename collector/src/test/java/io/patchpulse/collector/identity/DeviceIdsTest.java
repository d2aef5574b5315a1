package io.patchpulse.collector.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceIdsTest {

    @TempDir
    Path dir;

    @Test
    void shouldGiveOneDeviceOneIdWhateverSpellingTheSourceUses() {
        DeviceIds ids = DeviceIds.hmac(new byte[32]);

        String id = ids.of("DESKTOP-1.corp.example.com");

        assertThat(id).matches("d-[0-9a-f]{32}");
        assertThat(ids.of("DESKTOP-1")).isEqualTo(id);
        assertThat(ids.of("  desktop-1 ")).isEqualTo(id);
        assertThat(ids.of("desktop-2")).isNotEqualTo(id);
        assertThat(ids.of("10.1.2.3")).isNotEqualTo(ids.of("10.1.2.4"));
    }

    @Test
    void shouldNotBeReversibleWithoutTheKey() {
        byte[] other = new byte[32];
        other[0] = 1;

        assertThat(DeviceIds.hmac(other).of("DESKTOP-1")).isNotEqualTo(DeviceIds.hmac(new byte[32]).of("DESKTOP-1"));
        assertThat(DeviceIds.hmac(new byte[32]).of("DESKTOP-1")).doesNotContainIgnoringCase("desktop");
    }

    @Test
    void shouldKeepNormalizedNamesOnlyInRawMode() {
        assertThat(DeviceIds.raw().of("DESKTOP-1.corp.example.com")).isEqualTo("desktop-1");
        assertThat(DeviceIds.raw().pseudonymous()).isFalse();
        assertThatThrownBy(() -> DeviceIds.raw().of(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceIds.hmac(new byte[8])).hasMessageContaining("at least 16 bytes");
    }

    @Test
    void shouldCreateTheKeyOnceOwnerOnlyAndReadTheSameKeyBack() throws Exception {
        Path file = dir.resolve("data").resolve(DeviceIdKey.FILE_NAME);

        byte[] created = DeviceIdKey.loadOrCreate(file);
        byte[] again = DeviceIdKey.loadOrCreate(file);

        assertThat(created).hasSize(32).isEqualTo(again);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing).containsExactly(file);
        }
        Files.writeString(file, "not base64!");
        assertThatThrownBy(() -> DeviceIdKey.read(file)).hasMessageContaining("Base64");
    }
}
