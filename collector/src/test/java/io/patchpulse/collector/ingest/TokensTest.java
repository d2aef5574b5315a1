package io.patchpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokensTest {

    @Test
    void shouldAdmitOnlyTheTokensWhoseHashIsConfigured() {
        String ops = Tokens.newToken();
        String agents = Tokens.newToken();
        Tokens tokens = Tokens.parse(List.of(Tokens.entry("ops", ops), " " + Tokens.entry("agents", agents) + " "));

        assertThat(tokens.verify(ops)).hasValue("ops");
        assertThat(tokens.verify(agents)).hasValue("agents");
        assertThat(tokens.verify(ops + "x")).isEmpty();
        assertThat(tokens.verify("")).isEmpty();
        assertThat(Tokens.entry("ops", ops)).doesNotContain(ops).matches("ops:[0-9a-f]{64}");
    }

    @Test
    void shouldNameTheEntryThatIsNotNameColonHash() {
        assertThatThrownBy(() -> Tokens.parse(List.of("ops:not-a-hash"))).hasMessageContaining("name:sha256hex");
        assertThatThrownBy(() -> Tokens.parse(List.of(Tokens.entry("a", "x"), Tokens.entry("a", "y"))))
                .hasMessageContaining("twice");
        assertThat(Tokens.parse(List.of("")).isEmpty()).isTrue();
    }

    @Test
    void shouldNotEchoATokenPastedInsteadOfItsHash() {
        String token = Tokens.newToken();
        for (String entry : List.of(token, "ops:" + token)) {
            assertThatThrownBy(() -> Tokens.parse(List.of(entry)))
                    .hasMessageContaining("name:sha256hex")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token.substring(0, 8))
                            .doesNotContain(token.substring(token.length() - 8)));
        }
        assertThatThrownBy(() -> Tokens.parse(List.of("ops:" + token))).hasMessageContaining("'ops'");
    }
}
