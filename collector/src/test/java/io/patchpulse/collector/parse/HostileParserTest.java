package io.patchpulse.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.identity.DeviceIds;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Volume for every parser: {@value #DEFAULT_INPUTS} hostile inputs per format ({@link HostileInputs}: the samples
 * mutated byte by byte, and inputs generated from pieces of every format), each parsed as the collector would. Every
 * input must end as records, rejections that say what and where, or nothing; no exception may escape the parser or
 * be caught by its safety net, and every record must meet the data contract ({@link ContractCheck}).
 *
 * <p>Seed and count: {@code -Dhostile.seed=N} (default 7, so a failure can be replayed), {@code -Dhostile.inputs=N}.
 * Figures go to {@code target/hostile-report/parsers.json}.
 */
class HostileParserTest {

    static final int DEFAULT_INPUTS = 10_000;
    /** Of every 100 inputs, this many are generated, the rest mutated samples. */
    static final int GENERATED_SHARE = 15;
    private static final long SEED = Long.getLong("hostile.seed", 7);
    private static final int INPUTS = Integer.getInteger("hostile.inputs", DEFAULT_INPUTS);
    private static final HostileReport REPORT = new HostileReport("parsers");
    private static final Map<InputFormat, Map<String, Object>> FIGURES = new EnumMap<>(InputFormat.class);

    private final ParseContext context = new ParseContext(DeviceIds.hmac(new byte[32]), HostileInputs.NOW, "hostile");

    @ParameterizedTest
    @EnumSource(InputFormat.class)
    void shouldEndEveryHostileInputAsValidRecordsOrNamedRejections(InputFormat format) {
        FormatParser parser = Parsers.of(format);
        Map<HostileInputs.Kind, Integer> kinds = new EnumMap<>(HostileInputs.Kind.class);
        List<String> failures = new ArrayList<>();
        long withRecords = 0;
        long withProblems = 0;
        long withNothing = 0;
        long crashes = 0;
        long violations = 0;
        long silent = 0;
        long records = 0;
        long accepted = 0;
        long rejected = 0;
        long skipped = 0;
        long bytes = 0;
        for (int i = 0; i < INPUTS; i++) {
            HostileInputs.Input input = HostileInputs.input(format, SEED, i, GENERATED_SHARE);
            kinds.merge(input.kind(), 1, Integer::sum);
            bytes += input.bytes().length;
            ParseResult result;
            try {
                result = parser.parse(new ByteArrayInputStream(input.bytes()), context);
            } catch (Throwable e) {
                crashes++;
                note(failures, "input " + i + " (" + input.kind() + "): " + e);
                continue;
            }
            for (String violation : ContractCheck.violations(format, input.bytes(), result, HostileInputs.NOW)) {
                violations++;
                note(failures, "input " + i + " (" + input.kind() + "): " + violation);
            }
            records += result.records().size();
            accepted += result.accepted();
            rejected += result.rejected();
            skipped += result.skipped();
            if (!result.records().isEmpty()) {
                withRecords++;
            }
            if (result.rejected() > 0) {
                withProblems++;
            }
            if (result.records().isEmpty() && result.rejected() == 0) {
                withNothing++;
                if (result.skipped() == 0 && !TextInput.decode(input.bytes()).isBlank()) {
                    silent++;
                    if (silent <= 5 && Boolean.getBoolean("hostile.debug")) {
                        System.err.println("SILENT " + format + " " + input.kind() + ": "
                                + TextInput.decode(input.bytes()).replace("\n", "\\n").substring(0,
                                Math.min(600, TextInput.decode(input.bytes()).length())));
                    }
                }
            }
        }

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("seed", SEED);
        figures.put("inputsTried", INPUTS);
        figures.put("bytesParsed", bytes);
        figures.put("inputsWithRecords", withRecords);
        figures.put("inputsWithRejections", withProblems);
        figures.put("inputsWithNeither", withNothing);
        figures.put("inputsReadAsNothing", silent);
        figures.put("itemsAccepted", accepted);
        figures.put("itemsRejected", rejected);
        figures.put("itemsSkipped", skipped);
        figures.put("records", records);
        figures.put("crashes", crashes);
        figures.put("contractViolations", violations);
        figures.put("inputsByKind", kinds);
        FIGURES.put(format, figures);
        REPORT.put(format.id(), figures);

        assertThat(failures).as("%s: %d inputs, %d crashes, %d broken rules; the first", format, INPUTS, crashes,
                violations).isEmpty();
        assertThat(withRecords).as("the mutations leave some samples readable").isPositive();
        assertThat(withProblems).as("the mutations break some samples").isPositive();
    }

    /** Keeps the first 20 failures: enough to debug, not so many that the report drowns. */
    private static void note(List<String> failures, String failure) {
        if (failures.size() < 20) {
            failures.add(failure);
        }
    }

    @AfterAll
    static void totals() {
        long tried = FIGURES.values().stream().mapToLong(f -> ((Number) f.get("inputsTried")).longValue()).sum();
        REPORT.put("total", Map.of("formats", FIGURES.size(), "inputsTried", tried));
    }
}
