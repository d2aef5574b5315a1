package io.patchpulse.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.schemas.avro.InstallEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Hostile inputs that {@link HostileParserTest} found mis-handled, each pinned: a rejection must name the line the
 * bad item is on (the dead letter carries that line's text), and no record may carry a value the contract forbids.
 */
class HostilePositionsTest {

    private static final ParseContext CONTEXT =
            new ParseContext(DeviceIds.hmac(new byte[32]), HostileInputs.NOW, "hostile");

    private static ParseResult parse(InputFormat format, String text) {
        return Samples.parse(Parsers.of(format), text.getBytes(StandardCharsets.UTF_8), CONTEXT);
    }

    private static String event(String id, String extra) {
        long at = Instant.parse("2024-01-09T18:04:11Z").toEpochMilli();
        return "{\"eventId\":\"" + id + "\",\"deviceId\":\"d-1\",\"occurredAt\":" + at + ",\"receivedAt\":" + at
                + ",\"source\":\"AGENT\",\"outcome\":\"FAILED\"" + extra + "}";
    }

    @Test
    void shouldNameTheLineOfAnItemWhoseFirstCharacterIsWrong() {
        String text = event("e1", "") + "\n\uFFFD\uFFFD(\n" + event("e3", "") + "\n";

        ParseResult result = parse(InputFormat.EVENTS, text);

        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(2));
    }

    @Test
    void shouldNameTheLineOfABadArrayElement() {
        String text = "[\n" + event("e1", "") + ",\n  x" + event("e2", "") + "\n]";

        ParseResult result = parse(InputFormat.EVENTS, text);

        assertThat(result.problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(3));
    }

    @Test
    void shouldCountCsvLinesAtLineFeedsOnlyWhenAStrayCarriageReturnIsInARow() {
        // Given the Kusto alert export with a lone CR inside row 2 and a row with too many values on line 4
        String[] lines = Samples.text("wufb/ucupdatealert-kusto.csv").split("\n", -1);
        lines[1] = lines[1].substring(0, 40) + "\r" + lines[1].substring(40);
        lines[3] = lines[3] + ",extra,values,here,and,more,and,more,and,more";

        ParseResult result = parse(InputFormat.WUFB, String.join("\n", lines));

        assertThat(result.problems()).isNotEmpty().allSatisfy(p -> assertThat(p.line()).isBetween(1L, 4L));
        assertThat(result.problems()).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(4);
            assertThat(p.message()).contains("values but the header has");
        });
    }

    @Test
    void shouldCountJsonLinesAtLineFeedsOnlyInAQueryResponse() {
        // Given the API response with a CR-only line break early on and a row of the wrong shape further down
        String text = Samples.text("wufb/ucupdatealert-api-response.json");
        text = text.replaceFirst("\n", "\r\n\r").replaceFirst("\"rows\": \\[", "\"rows\": [\"not a row\",");
        long rowsLine = text.substring(0, text.indexOf("\"not a row\"")).chars().filter(c -> c == '\n').count() + 1;

        ParseResult result = parse(InputFormat.WUFB, text);

        assertThat(result.problems()).anySatisfy(p -> assertThat(p.line()).isEqualTo(rowsLine));
    }

    @Test
    void shouldBringCanonicalEventsErrorCodesToTheCanonicalSpelling() {
        String text = event("e1", ",\"errorCode\":\"-2147023293\"") + "\n"
                + event("e2", ",\"errorCode\":\"-0x80070643\"") + "\n";

        ParseResult result = parse(InputFormat.EVENTS, text);

        assertThat(result.collected()).extracting(r -> ((CollectedRecord.Event) r).event())
                .extracting(InstallEvent::getErrorCode, InstallEvent::getRawErrorCode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0x80070643", "-2147023293"),
                        org.assertj.core.groups.Tuple.tuple(null, "-0x80070643"));
    }

    @Test
    void shouldRejectAnEmbeddedInventoryFromAnImpossibleTime() {
        String inventory = ",\"inventory\":{\"deviceId\":\"d-1\",\"observedAt\":%d}";
        String text = event("e1", inventory.formatted(Instant.parse("1915-12-24T05:55:49Z").toEpochMilli())) + "\n"
                + event("e2", inventory.formatted(Instant.parse("2200-01-01T00:00:00Z").toEpochMilli())) + "\n"
                + event("e3", inventory.formatted(Instant.parse("2024-01-09T18:04:11Z").toEpochMilli())) + "\n";

        ParseResult result = parse(InputFormat.EVENTS, text);

        assertThat(result.accepted()).isEqualTo(1);
        assertThat(result.problems()).extracting(Problem::line, Problem::field)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "inventory.observedAt"),
                        org.assertj.core.groups.Tuple.tuple(2L, "inventory.observedAt"));
    }
}
