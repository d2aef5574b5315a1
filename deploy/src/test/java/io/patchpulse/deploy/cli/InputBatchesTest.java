package io.patchpulse.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.collector.parse.InputFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InputBatchesTest {

    private final List<InputBatches.Batch> batches = new ArrayList<>();
    private final List<Long> tooLong = new ArrayList<>();

    private final InputBatches.Receiver receiver = new InputBatches.Receiver() {
        @Override
        public void batch(InputBatches.Batch batch) {
            batches.add(batch);
        }

        @Override
        public void lineTooLong(long line, long limitBytes) {
            tooLong.add(line);
        }
    };

    private void read(InputBatches reader, String text, InputFormat format) throws Exception {
        reader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "input", format, receiver);
    }

    /** Each line the batches hold, by the number they give it (each batch's first line, then counting). */
    private java.util.SortedMap<Long, String> linesByNumber() {
        java.util.SortedMap<Long, String> lines = new java.util.TreeMap<>();
        for (InputBatches.Batch batch : batches) {
            List<String> own = new String(batch.bytes(), StandardCharsets.UTF_8).lines().toList();
            for (int i = 0; i < own.size(); i++) {
                long number = batch.firstLine() + i;
                assertThat(lines.put(number, own.get(i))).as("line %d given twice", number).isNull();
            }
        }
        return lines;
    }

    private static java.util.SortedMap<Long, String> numbered(String... lines) {
        java.util.SortedMap<Long, String> numbered = new java.util.TreeMap<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i] != null) {
                numbered.put(i + 1L, lines[i]);
            }
        }
        return numbered;
    }

    @Test
    void shouldCutLinesIntoBatchesOfWholeLinesNumberedFromTheirFirstLine() throws Exception {
        // Given 2,000 osquery-like lines of random lengths, the last without a line end
        Random random = new Random(7);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 2000; i++) {
            lines.add("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(random.nextInt(300)) + "\"}");
        }
        String text = String.join("\n", lines);

        read(new InputBatches(4096, 1 << 20, 1 << 20), text, InputFormat.OSQUERY);

        // Then the batches hold the input in order, each of whole lines and at most the batch size
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        batches.forEach(batch -> joined.writeBytes(batch.bytes()));
        assertThat(joined.toString(StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(batches).hasSizeGreaterThan(50).allSatisfy(batch -> assertThat(batch.bytes().length)
                .isLessThanOrEqualTo(4096));
        assertThat(batches.subList(0, batches.size() - 1))
                .allSatisfy(batch -> assertThat(batch.bytes()[batch.bytes().length - 1]).isEqualTo((byte) '\n'));
        assertThat(linesByNumber()).isEqualTo(numbered(lines.toArray(String[]::new)));
        assertThat(tooLong).isEmpty();
    }

    @Test
    void shouldSkipALineOverTheLimitWithoutHoldingItAndNumberTheOthersRight() throws Exception {
        // Given lines 1-3 short, line 4 of 1 MiB, line 5 short, line 6 just over the limit at the end, line 7 short
        String big = "y".repeat(1 << 20);
        String text = "a1\na2\na3\n" + big + "\na5\n" + "z".repeat(101) + "\na7";

        read(new InputBatches(1 << 20, 100, 1 << 20), text, InputFormat.WINLOGBEAT);

        assertThat(tooLong).containsExactly(4L, 6L);
        assertThat(batches).allSatisfy(batch -> assertThat(batch.bytes().length).isLessThanOrEqualTo(101));
        assertThat(linesByNumber()).isEqualTo(numbered("a1", "a2", "a3", null, "a5", null, "a7"));
    }

    @Test
    void shouldSkipAnOverlongFirstLineAndAnOverlongLastLineWithoutALineEnd() throws Exception {
        read(new InputBatches(1 << 20, 100, 1 << 20), "x".repeat(500) + "\nb2\nb3\n" + "w".repeat(300),
                InputFormat.OSQUERY);

        assertThat(tooLong).containsExactly(1L, 4L);
        assertThat(linesByNumber()).isEqualTo(numbered(null, "b2", "b3"));
    }

    @Test
    void shouldSendTheLinesBeforeALongOneFirstSoNoBatchPassesItsSizeButByOneLine() throws Exception {
        // Given 3 lines of 30 bytes, then one of 80 (under the line limit), then 2 short ones; batches of 100
        String shortLine = "s".repeat(29);
        String text = shortLine + "\n" + shortLine + "\n" + shortLine + "\n" + "L".repeat(79) + "\nt5\nt6\n";

        read(new InputBatches(100, 1000, 1 << 20), text, InputFormat.WINLOGBEAT);

        assertThat(batches).extracting(batch -> batch.bytes().length).containsExactly(90, 86);
        assertThat(linesByNumber()).isEqualTo(numbered(shortLine, shortLine, shortLine, "L".repeat(79), "t5", "t6"));
    }

    @Test
    void shouldKeepCrlfLineEndsNumberEmptyLinesAndSendNothingForAnEmptyInput() throws Exception {
        read(new InputBatches(1 << 20, 100, 1 << 20), "c1\r\n\r\nc3\r\n", InputFormat.OSQUERY);
        assertThat(linesByNumber()).isEqualTo(numbered("c1", "", "c3"));

        batches.clear();
        read(new InputBatches(1 << 20, 100, 1 << 20), "", InputFormat.OSQUERY);
        read(new InputBatches(1 << 20, 100, 1 << 20), "", InputFormat.EVENTLOG_XML);
        assertThat(batches).isEmpty();
    }

    @Test
    void shouldReadAUtf16FileWholeEvenInALineFormat() throws Exception {
        byte[] utf16 = "\uFEFF{\"a\":1}\n{\"a\":2}\n".getBytes(StandardCharsets.UTF_16LE);

        new InputBatches(4, 100, 1 << 20).read(new ByteArrayInputStream(utf16), "input", InputFormat.OSQUERY, receiver);

        assertThat(batches).singleElement().satisfies(batch -> assertThat(batch.bytes()).isEqualTo(utf16));
    }

    @Test
    void shouldKeepALineOfExactlyTheLimit() throws Exception {
        read(new InputBatches(10, 100, 1 << 20), "q".repeat(100) + "\nr\n", InputFormat.OSQUERY);

        assertThat(tooLong).isEmpty();
        assertThat(linesByNumber()).isEqualTo(numbered("q".repeat(100), "r"));
    }

    @Test
    void shouldReadADocumentWholeAndRefuseOneOverTheLimitByName() throws Exception {
        String xml = "<Events>" + "<Event/>".repeat(20) + "</Events>";

        read(new InputBatches(16, 16, xml.length()), xml, InputFormat.EVENTLOG_XML);

        assertThat(batches).singleElement().satisfies(batch -> {
            assertThat(new String(batch.bytes(), StandardCharsets.UTF_8)).isEqualTo(xml);
            assertThat(batch.firstLine()).isEqualTo(1);
        });
        assertThatThrownBy(() -> read(new InputBatches(16, 16, xml.length() - 1), xml, InputFormat.EVENTLOG_XML))
                .isInstanceOf(InputBatches.DocumentTooLarge.class)
                .hasMessageContaining("input is larger than " + (xml.length() - 1) + " bytes")
                .hasMessageContaining("--max-document-bytes");
    }

    @Test
    void shouldReadPrettyPrintedJsonWholeAndNdjsonByLines() throws Exception {
        // a device report as ConvertTo-Json writes it: the first line is only "{"
        String pretty = "{\n  \"collectedAt\": \"2024-02-14T10:00:00Z\"\n}\n";
        read(new InputBatches(8, 1 << 10, 1 << 10), pretty, InputFormat.DEVICE_REPORT);
        assertThat(batches).hasSize(1);

        batches.clear();
        read(new InputBatches(8, 1 << 10, 1 << 10), "{\"a\":1}\n{\"a\":2}\n", InputFormat.EVENTS);
        assertThat(batches).hasSize(2);
    }
}
