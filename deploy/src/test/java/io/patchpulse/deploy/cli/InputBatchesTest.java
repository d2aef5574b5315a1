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

    /** Line n of the text as the batches gave it, numbered from each batch's first line. */
    private List<String> linesByNumber() {
        List<String> lines = new ArrayList<>();
        for (InputBatches.Batch batch : batches) {
            List<String> own = new String(batch.bytes(), StandardCharsets.UTF_8).lines().toList();
            for (int i = 0; i < own.size(); i++) {
                while (lines.size() < batch.firstLine() - 1 + i) {
                    lines.add(null); // a line no batch holds
                }
                lines.add(own.get(i));
            }
        }
        return lines;
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

        // Then the batches hold the input in order, each of whole lines and under a line above the batch size
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        batches.forEach(batch -> joined.writeBytes(batch.bytes()));
        assertThat(joined.toString(StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(batches).hasSizeGreaterThan(50).allSatisfy(batch -> assertThat(batch.bytes().length)
                .isLessThan(4096 + 400));
        assertThat(batches.subList(0, batches.size() - 1))
                .allSatisfy(batch -> assertThat(batch.bytes()[batch.bytes().length - 1]).isEqualTo((byte) '\n'));
        assertThat(linesByNumber()).isEqualTo(lines);
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
        List<String> numbered = linesByNumber();
        assertThat(numbered).containsExactly("a1", "a2", "a3", null, "a5", null, "a7");
    }

    @Test
    void shouldKeepALineOfExactlyTheLimit() throws Exception {
        read(new InputBatches(10, 100, 1 << 20), "q".repeat(100) + "\nr\n", InputFormat.OSQUERY);

        assertThat(tooLong).isEmpty();
        assertThat(linesByNumber()).containsExactly("q".repeat(100), "r");
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
