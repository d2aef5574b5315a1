package io.patchpulse.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonItemsTest {

    private final List<Long> lines = new ArrayList<>();
    private final ParseResult.Builder result = ParseResult.builder(Instant.now());

    private ParseResult read(String text) {
        JsonItems.read(text, result, (line, item) -> {
            lines.add(line);
            result.accept(line, List.of());
        });
        return result.build();
    }

    @Test
    void shouldReadNdjsonWithTheLineOfEachItem() {
        ParseResult parsed = read("{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":3}\n");

        assertThat(lines).containsExactly(1L, 3L, 4L);
        assertThat(parsed.accepted()).isEqualTo(3);
    }

    @Test
    void shouldReadAPrettyPrintedObjectAndATopLevelArray() {
        read("{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n[\n  {\"a\": 2},\n  {\"a\": 3}\n]\n");

        assertThat(lines).containsExactly(1L, 6L, 7L);
    }

    @Test
    void shouldRejectOnlyTheBrokenLineAndGoOn() {
        ParseResult parsed = read("{\"a\":1}\n{\"a\": tru}\n{\"a\":3}\n");

        assertThat(lines).containsExactly(1L, 3L);
        assertThat(parsed.problems()).singleElement()
                .satisfies(p -> assertThat(p.line()).isEqualTo(2))
                .satisfies(p -> assertThat(p.message()).startsWith("not valid JSON"));
    }

    @Test
    void shouldNotLoseTheLineAfterOneCutShort() {
        ParseResult parsed = read("{\"a\":1}\n{\"a\": {\n{\"a\":3}\n{\"a\":4}\n");

        assertThat(lines).containsExactly(1L, 3L, 4L);
        assertThat(parsed.problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(2));
    }

    @Test
    void shouldNotTakeTheMembersOfABrokenPrettyPrintedItemForItems() {
        ParseResult parsed = read("[\n  {\n    \"a\": 1\n    \"b\": [\n      {\"c\": 1}\n    ]\n  },\n"
                + "  {\n    \"a\": 2\n  }\n]\n{\"a\": 3}\n");

        // element 1 (line 2) lacks a comma; its member object on line 5 is not an item; line 12 is
        assertThat(parsed.problems()).extracting(Problem::line).first().isEqualTo(2L);
        assertThat(lines).doesNotContain(5L).contains(12L);
    }

    @Test
    void shouldRejectHostileNesting() {
        ParseResult parsed = read("[".repeat(10_000) + "\n{\"a\":1}\n");

        assertThat(parsed.problems()).isNotEmpty();
        assertThat(parsed.problems().get(0).message()).contains("nesting depth");
        assertThat(lines).containsExactly(2L);
    }

    @Property(tries = 500)
    void shouldNeverThrowAndAccountForEveryLine(@ForAll String text) {
        ParseResult parsed = read(text);

        assertThat(parsed.accepted() + parsed.rejected()).isGreaterThanOrEqualTo(lines.size());
        assertThat(parsed.problems()).allSatisfy(p -> assertThat(p.line()).isPositive());
    }
}
