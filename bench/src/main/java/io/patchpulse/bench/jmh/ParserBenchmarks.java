package io.patchpulse.bench.jmh;

import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Parsers;
import io.patchpulse.schemas.serde.AvroTrust;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Each collector parser on one document of {@value #ITEMS} items ({@link ParserInputs}), from bytes to a
 * {@link ParseResult}: decoding, parsing, normalization, device-id hashing (HMAC, as the collector runs) and the
 * pipeline-rule check of every record. Score = items per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ParserBenchmarks {

    /** Items (lines) per document; the operations of one invocation. */
    public static final int ITEMS = 200;
    /** After every sample's events, so none is refused as from the future. */
    static final Instant RECEIVED_AT = Instant.parse("2024-03-01T12:00:00Z");

    private final Map<InputFormat, byte[]> documents = new EnumMap<>(InputFormat.class);
    private ParseContext context;

    @Setup
    public void setUp() {
        AvroTrust.install(); // a fork builds Avro objects before any serde is loaded: trust our classes first
        context = new ParseContext(DeviceIds.hmac(new byte[32]), RECEIVED_AT, "bench");
        for (InputFormat format : InputFormat.values()) {
            documents.put(format, ParserInputs.document(format, ITEMS));
        }
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public ParseResult events() throws IOException {
        return parse(InputFormat.EVENTS);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public ParseResult deviceReport() throws IOException {
        return parse(InputFormat.DEVICE_REPORT);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public ParseResult osquery() throws IOException {
        return parse(InputFormat.OSQUERY);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public ParseResult winlogbeat() throws IOException {
        return parse(InputFormat.WINLOGBEAT);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public ParseResult eventlogXml() throws IOException {
        return parse(InputFormat.EVENTLOG_XML);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public ParseResult wufb() throws IOException {
        return parse(InputFormat.WUFB);
    }

    private ParseResult parse(InputFormat format) throws IOException {
        return Parsers.of(format).parse(new ByteArrayInputStream(documents.get(format)), context);
    }
}
