package io.patchpulse.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

    @Test
    void shouldAdmitOnlyTheTokensWhoseHashIsConfigured() {
        String ops = Tokens.newToken();
        String agents = Tokens.newToken();
        Tokens tokens = Tokens.parse(List.of(Tokens.entry("ops", ops), " " + Tokens.entry("agents", agents) + " "));

        assertThat(tokens.verify(ops)).map(Principal::name).hasValue("ops");
        assertThat(tokens.verify(agents)).map(Principal::name).hasValue("agents");
        assertThat(tokens.verify(ops + "x")).isEmpty();
        assertThat(tokens.verify("")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
        assertThat(Tokens.entry("ops", ops)).doesNotContain(ops).matches("ops:[0-9a-f]{64}");
    }

    @Test
    void shouldGiveAnEntryWithoutScopesWriteOnlyAsTheIngestOnlyEntriesMeant() {
        String token = Tokens.newToken();

        Principal principal = Tokens.parse(List.of(Tokens.entry("agents", token))).verify(token).orElseThrow();

        assertThat(principal.scopes()).containsExactly(Scope.WRITE);
    }

    @Test
    void shouldReadTheScopesOfAnEntry() {
        String reader = Tokens.newToken();
        String both = Tokens.newToken();
        String writer = Tokens.newToken();
        Tokens tokens = Tokens.parse(List.of(Tokens.entry("grafana", reader, EnumSet.of(Scope.READ)),
                Tokens.entry("demo", both, EnumSet.allOf(Scope.class)),
                Tokens.entry("agent", writer) + ":write"));

        assertThat(tokens.verify(reader).orElseThrow().scopes()).containsExactly(Scope.READ);
        assertThat(tokens.verify(both).orElseThrow().scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.WRITE);
        assertThat(tokens.verify(writer).orElseThrow().scopes()).containsExactly(Scope.WRITE);
        assertThat(Tokens.entry("demo", both, Set.of(Scope.WRITE, Scope.READ))).endsWith(":read,write");
    }

    @Test
    void shouldJoinTheScopesOfAnEntryThatACommaSeparatedSettingSplit() {
        String both = Tokens.newToken();
        String writer = Tokens.newToken();
        // What Kafka's LIST type makes of "demo:<hash>:read,write,agent:<hash>"
        List<String> split = List.of(Tokens.entry("demo", both, Set.of(Scope.READ)), "write",
                Tokens.entry("agent", writer));

        Tokens tokens = Tokens.parse(split);

        assertThat(tokens.verify(both).orElseThrow().scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.WRITE);
        assertThat(tokens.verify(writer).orElseThrow().scopes()).containsExactly(Scope.WRITE);
        assertThatThrownBy(() -> Tokens.parse(List.of(Tokens.entry("agent", writer), "read")))
                .hasMessageContaining("follows no name:sha256hex:scopes entry");
    }

    @Test
    void shouldNameTheEntryThatIsNotNameColonHashAndNeverEchoTheWholeOfIt() {
        String hash = Tokens.entry("a", "x").substring(2);
        assertThatThrownBy(() -> Tokens.parse(List.of("ops:not-a-hash"))).hasMessageContaining("name:sha256hex");
        assertThatThrownBy(() -> Tokens.parse(List.of(Tokens.entry("a", "x"), Tokens.entry("a", "y"))))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> Tokens.parse(List.of("ops:" + hash + ":admin")))
                .hasMessageContaining("scopes are not read, write or read,write").hasMessageContaining("'ops'")
                .hasMessageNotContaining("admin");
        assertThatThrownBy(() -> Tokens.parse(List.of("ops:" + hash + ":read:x")))
                .hasMessageContaining("name:sha256hex[:scopes]").hasMessageNotContaining(hash);
        assertThat(Tokens.parse(List.of("", "# a comment")).isEmpty()).isTrue();
    }

    @Test
    void shouldLoadEntriesFromAFileBesideTheListed(@TempDir Path dir) throws Exception {
        String listed = Tokens.newToken();
        String filed = Tokens.newToken();
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# who may read\n" + Tokens.entry("grafana", filed, Set.of(Scope.READ)) + "\n\n");

        Tokens tokens = Tokens.load(List.of(Tokens.entry("agents", listed)), file);

        assertThat(tokens.size()).isEqualTo(2);
        assertThat(tokens.verify(filed).orElseThrow().scopes()).containsExactly(Scope.READ);
        assertThatThrownBy(() -> Tokens.load(List.of(), dir.resolve("missing")))
                .hasMessageContaining("cannot read the token file").hasMessageContaining("missing");
    }

    @Test
    void shouldTakeAChangedTokenFileWithoutARestartAndKeepTheEntriesWhenAnEditIsBad(@TempDir Path dir)
            throws Exception {
        String listed = Tokens.newToken();
        String old = Tokens.newToken();
        String fresh = Tokens.newToken();
        Path file = dir.resolve("tokens");
        Files.writeString(file, Tokens.entry("old", old, Set.of(Scope.READ)) + "\n");
        AtomicLong nanos = new AtomicLong();
        Tokens tokens = Tokens.load(List.of(Tokens.entry("agents", listed)), file, nanos::get, Duration.ofSeconds(1));
        assertThat(tokens.verify(old)).isPresent();

        // When the file is rewritten (same size, same modification time: only the content tells): old revoked,
        // fresh added under another name of the same length
        FileTime modified = Files.getLastModifiedTime(file);
        Files.writeString(file, Tokens.entry("new", fresh, Set.of(Scope.READ)) + "\n");
        Files.setLastModifiedTime(file, modified);
        // then nothing changes within the interval, nor at the first look (the edit may be half-written)
        assertThat(tokens.verify(old)).as("within the interval").isPresent();
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tokens.verify(old)).as("at the first look").isPresent();
        // and the change holds at the next look, the file unchanged since
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tokens.verify(old)).as("revoked").isEmpty();
        assertThat(tokens.verify(fresh)).isPresent();
        assertThat(tokens.verify(listed)).as("the listed entries stay").isPresent();
        Principal reader = new Principal("new", Set.of(Scope.READ));
        assertThat(tokens.stillAdmits(reader, Tokens.sha256(fresh))).isTrue();
        assertThat(tokens.stillAdmits(new Principal("old", Set.of(Scope.READ)), Tokens.sha256(old))).isFalse();
        assertThat(tokens.stillAdmits(new Principal("new", Set.of(Scope.READ, Scope.WRITE)), Tokens.sha256(fresh)))
                .as("other scopes").isFalse();
        assertThat(tokens.stillAdmits(reader, Tokens.sha256(old))).as("another token under the name").isFalse();

        // When an edit leaves a bad line, or the file goes away, the entries stay as they were
        Files.writeString(file, "new:not-a-hash\n");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        tokens.verify(fresh);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tokens.verify(fresh)).as("after a bad edit").isPresent();
        Files.delete(file);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        tokens.verify(fresh);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tokens.verify(fresh)).as("after the file went away").isPresent();
    }

    @Test
    void shouldNotTakeAFileCaughtWhileItIsRewritten(@TempDir Path dir) throws Exception {
        String kept = Tokens.newToken();
        Path file = dir.resolve("tokens");
        Files.writeString(file, Tokens.entry("kept", kept, Set.of(Scope.READ)) + "\n");
        AtomicLong nanos = new AtomicLong();
        Tokens tokens = Tokens.load(List.of(), file, nanos::get, Duration.ofSeconds(1));

        // Given a rewrite seen first truncated (as 'printf ... > file' leaves it for a moment), then complete
        Files.writeString(file, "");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tokens.verify(kept)).as("the truncated file seen once").isPresent();
        Files.writeString(file, Tokens.entry("kept", kept, Set.of(Scope.READ)) + "\n# a comment added\n");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        // Then no look ever applied the empty file
        assertThat(tokens.verify(kept)).as("the complete file seen once").isPresent();
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tokens.verify(kept)).as("the complete file taken").isPresent();
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
        String hash = Tokens.entry("ops", token).substring(4);
        assertThatThrownBy(() -> Tokens.parse(List.of("ops:" + hash + ":" + token)))
                .hasMessageContaining("'ops'").hasMessageNotContaining(token);
    }
}
