package io.patchpulse.collector.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.collector.identity.DeviceIds;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Absurd values, one at a time, in a real sample of each format: times in 1601 and 2200, 2^63, NaN, negative sizes,
 * unknown enum words. Each either rejects its item, naming the line the value is on, or (an unknown enum word)
 * is read as UNKNOWN; no record may carry the absurd value ({@link ContractCheck}). Outcomes go to
 * {@code target/hostile-report/absurd-values.json}.
 */
class HostileAbsurdValuesTest {

    private static final HostileReport REPORT = new HostileReport("absurd-values");
    private static final ParseContext CONTEXT =
            new ParseContext(DeviceIds.hmac(new byte[32]), HostileInputs.NOW, "hostile");

    /** What must come of the value: its item refused at its line, or read with the value as unknown. */
    enum Expect { REJECTED, READ_AS_UNKNOWN }

    static Stream<Arguments> cases() {
        String report = "device-report/en-win10-22h2-tpm-after-os.json";
        String osquery = "osquery/event-format.results.log";
        String winlogbeat = "winlogbeat/winlogbeat-8.12-system.ndjson";
        String xml = "eventlog-xml/wevtutil-qe-system.xml";
        String wufb = "wufb/ucclientupdatestatus-2024-02-14.csv";
        String winlogbeatTime = "\"@timestamp\":\"[^\"]+\"(?=[^\n]*\"event_id\":\"?20\\b)";
        return Stream.of(
                rejected(InputFormat.EVENTS, null, "\"occurredAt\":\\d+", "\"occurredAt\":-11644473600000",
                        "\"occurredAt\":7258118400000", "\"occurredAt\":9223372036854775808", "\"occurredAt\":NaN"),
                rejected(InputFormat.EVENTS, null, "\"partitionSizeBytes\":\\d+", "\"partitionSizeBytes\":-1"),
                rejected(InputFormat.EVENTS, null, "\"outcome\":\"FAILED\"", "\"outcome\":\"EXPLODED\""),
                rejected(InputFormat.DEVICE_REPORT, report, "\"collectedAt\":\\s*\"[^\"]+\"",
                        "\"collectedAt\": \"1601-01-01T00:00:00Z\"", "\"collectedAt\": \"2200-01-01T00:00:00Z\""),
                rejected(InputFormat.DEVICE_REPORT, report, "\"Size\":\\s*599785472", "\"Size\": -599785472"),
                rejected(InputFormat.DEVICE_REPORT, report, "\"SizeRemaining\":\\s*\\d+",
                        "\"SizeRemaining\": 9223372036854775808", "\"SizeRemaining\": NaN"),
                Stream.of(Arguments.of(InputFormat.DEVICE_REPORT, report, "\"ProtectionStatus\":\\s*1",
                        "\"ProtectionStatus\": 77", Expect.READ_AS_UNKNOWN)),
                rejected(InputFormat.OSQUERY, osquery, "\"date\":\"1704823451\"", "\"date\":\"-11644473600\"",
                        "\"date\":\"7258118400\"", "\"date\":\"9223372036854775808\""),
                rejected(InputFormat.WINLOGBEAT, winlogbeat, winlogbeatTime,
                        "\"@timestamp\":\"1601-01-01T00:00:00.000Z\"", "\"@timestamp\":\"2200-01-01T00:00:00.000Z\""),
                rejected(InputFormat.EVENTLOG_XML, xml, "SystemTime=['\"][^'\"]+['\"]",
                        "SystemTime='1601-01-01T00:00:00.0000000Z'", "SystemTime='2200-01-01T00:00:00.0000000Z'"),
                rejected(InputFormat.WUFB, wufb, "2024-02-13T22:41:19.6600000Z", "1601-01-01T00:00:00.0000000Z",
                        "2200-01-01T00:00:00.0000000Z"))
                .flatMap(cases -> cases);
    }

    /** One case per value, each put in place of the first match of {@code target} and expected to be rejected. */
    private static Stream<Arguments> rejected(InputFormat format, String sample, String target, String... values) {
        return Stream.of(values).map(value -> Arguments.of(format, sample, target, value, Expect.REJECTED));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("cases")
    void shouldRejectOrNeutralizeAnAbsurdValue(InputFormat format, String sample, String target, String value,
                                               Expect expect) {
        String original = sample == null ? new String(HostileInputs.samples(InputFormat.EVENTS).get(0),
                StandardCharsets.UTF_8) : Samples.text(sample);
        Matcher matcher = Pattern.compile(target).matcher(original);
        assertThat(matcher.find()).as("the sample holds %s", target).isTrue();
        long line = original.substring(0, matcher.start()).chars().filter(c -> c == '\n').count() + 1;
        String mutated = original.substring(0, matcher.start()) + value + original.substring(matcher.end());
        byte[] bytes = mutated.getBytes(StandardCharsets.UTF_8);
        FormatParser parser = Parsers.of(format);
        ParseResult before = Samples.parse(parser, original.getBytes(StandardCharsets.UTF_8), CONTEXT);

        ParseResult after = Samples.parse(parser, bytes, CONTEXT);

        assertThat(ContractCheck.violations(format, bytes, after, HostileInputs.NOW)).isEmpty();
        String outcome;
        if (expect == Expect.REJECTED) {
            Problem problem = after.problems().stream().filter(p -> !before.problems().contains(p)).findFirst()
                    .orElse(null);
            assertThat(problem).as("a new problem for %s", value).isNotNull();
            assertThat(problem.line()).as("the line of the item holding the value, at most the value's")
                    .isBetween(1L, line);
            outcome = "rejected: " + problem;
        } else {
            assertThat(after.records()).hasSameSizeAs(before.records());
            outcome = "read, the value as UNKNOWN (" + after.records().size() + " records as before)";
        }
        REPORT.put(format.id() + ": " + value, HostileReport.outcome("parser " + format.id(),
                (sample == null ? "canonical events" : sample) + " with " + value + " at line " + line, outcome));
    }
}
