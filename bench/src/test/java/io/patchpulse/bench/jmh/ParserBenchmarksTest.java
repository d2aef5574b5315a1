package io.patchpulse.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.parse.ParseResult;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParserBenchmarksTest {

    private final ParserBenchmarks benchmarks = new ParserBenchmarks();

    @BeforeEach
    void setUp() {
        benchmarks.setUp();
    }

    @Test
    void shouldReadEveryCanonicalEventOfTheSimulatedDocument() throws Exception {
        ParseResult result = benchmarks.events();

        assertAllItemsAccepted(result);
        assertThat(result.records()).hasSize(ParserBenchmarks.ITEMS);
    }

    @Test
    void shouldReadEveryDeviceReport() throws Exception {
        ParseResult result = benchmarks.deviceReport();

        assertAllItemsAccepted(result);
        // Each report gives its inventory and its events.
        assertThat(result.collected()).hasAtLeastOneElementOfType(CollectedRecord.Inventory.class)
                .hasAtLeastOneElementOfType(CollectedRecord.Event.class);
        assertThat(result.records()).hasSizeGreaterThan(ParserBenchmarks.ITEMS);
    }

    @Test
    void shouldReadEveryOsqueryResultLine() throws Exception {
        assertReadsAll(benchmarks::osquery);
    }

    @Test
    void shouldReadEveryWinlogbeatDocument() throws Exception {
        assertReadsAll(benchmarks::winlogbeat);
    }

    @Test
    void shouldReadEveryEventOfTheEventLogXml() throws Exception {
        assertReadsAll(benchmarks::eventlogXml);
    }

    @Test
    void shouldReadEveryWufbRow() throws Exception {
        assertReadsAll(benchmarks::wufb);
    }

    @Test
    void shouldParseTheSameDocumentAgainOnTheNextInvocation() throws Exception {
        assertThat(benchmarks.osquery().records()).hasSameSizeAs(benchmarks.osquery().records());
    }

    private static void assertReadsAll(Callable<ParseResult> benchmark) throws Exception {
        ParseResult result = benchmark.call();
        assertAllItemsAccepted(result);
        assertThat(result.records()).isNotEmpty();
    }

    private static void assertAllItemsAccepted(ParseResult result) {
        assertThat(result.problems()).isEmpty();
        assertThat(result.rejected()).isZero();
        assertThat(result.accepted() + result.skipped()).isEqualTo(ParserBenchmarks.ITEMS);
    }
}
