package io.patchpulse.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

    @Test
    void shouldReadASecretFromAnEnvironmentVariableOrTheFirstLineOfAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "s3cret\nignored\n");

        assertThat(Secrets.resolve("env:PW", "x", Map.of("PW", "from-env")::get)).containsExactly(
                "from-env".toCharArray());
        assertThat(Secrets.resolve("file:" + file, "x")).containsExactly("s3cret".toCharArray());
    }

    @Test
    void shouldRefuseALiteralSecretWithoutRepeatingIt() {
        assertThatThrownBy(() -> Secrets.resolve("hunter2", "query.tls.keystore.password"))
                .hasMessageContaining("query.tls.keystore.password must be env:NAME or file:PATH")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Secrets.resolve("env:NOT_SET_ANYWHERE", "k", Map.<String, String>of()::get))
                .hasMessageContaining("NOT_SET_ANYWHERE is not set");
        assertThatThrownBy(() -> Secrets.resolve("", "k")).hasMessageContaining("k is required");
    }
}
