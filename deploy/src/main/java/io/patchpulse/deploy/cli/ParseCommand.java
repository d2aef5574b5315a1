package io.patchpulse.deploy.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.patchpulse.collector.CollectedRecord;
import io.patchpulse.collector.identity.DeviceIdKey;
import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.FormatParser;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.parse.ParseContext;
import io.patchpulse.collector.parse.ParseResult;
import io.patchpulse.collector.parse.Parsers;
import io.patchpulse.collector.parse.Problem;
import io.patchpulse.schemas.serde.CanonicalJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code patchpulse parse}: what PatchPulse makes of a file, without sending anything anywhere. */
@Command(name = "parse", mixinStandardHelpOptions = true,
        description = {"Parses files as the collector would and prints the normalized records as NDJSON",
            "({\"file\", \"line\", \"kind\", \"value\"}); every problem goes to standard error as FILE:LINE: field: what.",
            "Exit status: 0 all items read, 4 some items rejected, 2 a usage error."})
public final class ParseCommand implements Callable<Integer> {

    /** Exit status when at least one item was rejected. */
    static final int SOME_REJECTED = 4;

    @Spec
    private CommandSpec spec;

    @Option(names = "--format", required = true, paramLabel = "FORMAT",
            description = "events, device-report, osquery, winlogbeat, eventlog-xml or wufb.")
    private String format;

    @Option(names = "--device-ids", paramLabel = "hmac|raw", defaultValue = "raw",
            description = "raw (default here: you see your own host names) or hmac, the collector's default.")
    private String deviceIds;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "The collector's device-id key (its data directory's device-id.key), for --device-ids hmac.")
    private Path keyFile;

    @Option(names = "--max-document-bytes", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Largest input read whole (eventlog-xml, wufb, a JSON document or array); line formats "
                    + "are read a batch of lines at a time, whatever their size. Default 64 MiB.")
    private long maxDocumentBytes;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to parse; - reads standard input.")
    private List<Path> files;

    @Override
    public Integer call() throws IOException, InterruptedException {
        InputFormat inputFormat = InputFormat.of(format);
        DeviceIds ids = switch (deviceIds) {
            case "raw" -> DeviceIds.raw();
            case "hmac" -> {
                if (keyFile == null || !Files.isRegularFile(keyFile)) {
                    throw new IllegalArgumentException("--device-ids hmac needs --key-file: the collector's "
                            + DeviceIdKey.FILE_NAME + ", so the ids match the ones it sends");
                }
                yield DeviceIds.hmac(DeviceIdKey.read(keyFile));
            }
            default -> throw new IllegalArgumentException("--device-ids must be hmac or raw, got '" + deviceIds + "'");
        };
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FormatParser parser = Parsers.of(inputFormat);
        InputBatches batches = new InputBatches(InputBatches.DEFAULT_BATCH_BYTES, InputBatches.MAX_LINE_BYTES,
                maxDocumentBytes);
        long[] counts = new long[3]; // records, rejected, skipped
        for (Path file : files) {
            String name = file.toString().equals("-") ? "stdin" : file.toString();
            ParseContext context = new ParseContext(ids, Instant.now(), name);
            try (InputStream in = name.equals("stdin") ? System.in : Files.newInputStream(file)) {
                batches.read(in, name, inputFormat, new InputBatches.Receiver() {
                    @Override
                    public void batch(InputBatches.Batch batch) throws IOException {
                        ParseResult result = parser.parse(new ByteArrayInputStream(batch.bytes()), context);
                        long before = batch.firstLine() - 1;
                        for (ParseResult.Line line : result.records()) {
                            out.println(line(name, before + line.line(), line));
                        }
                        for (Problem problem : result.problems()) {
                            // line 0: about the input as a whole, not one of its lines
                            err.println(name + ":" + (problem.line() == 0 ? 0 : before + problem.line()) + ": "
                                    + (problem.field() == null ? "" : problem.field() + ": ") + problem.message());
                        }
                        counts[0] += result.records().size();
                        counts[1] += result.rejected();
                        counts[2] += result.skipped();
                    }

                    @Override
                    public void lineTooLong(long line, long limitBytes) {
                        err.println(name + ":" + line + ": the line is longer than " + limitBytes
                                + " bytes; skipped");
                        counts[1]++;
                    }
                });
            } catch (NoSuchFileException e) {
                throw new UncheckedIOException("no such file: " + file, e);
            } catch (InputBatches.DocumentTooLarge e) {
                throw new UncheckedIOException(e.getMessage(), e);
            } catch (IOException e) {
                // A directory, a file that cannot be read: the user's to fix, said in one line.
                throw new UncheckedIOException("cannot read " + name + ": " + (Files.isDirectory(file)
                        ? "it is a directory" : e.getMessage()), e);
            }
        }
        long records = counts[0];
        long rejected = counts[1];
        long skipped = counts[2];
        out.flush();
        err.printf("%,d records from %d file(s); %,d items rejected, %,d skipped (not about update installs)%n",
                records, files.size(), rejected, skipped);
        err.flush();
        return rejected > 0 ? SOME_REJECTED : 0;
    }

    private static String line(String file, long lineNumber, ParseResult.Line line) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("file", file);
        node.put("line", lineNumber);
        node.put("kind", line.record() instanceof CollectedRecord.Event ? "install-event" : "device-inventory");
        node.set("value", CanonicalJson.toTree(line.record().value()));
        return node.toString();
    }
}
