package io.patchpulse.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.patchpulse.collector.parse.InputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code patchpulse ingest}: posts files to a collector's ingest API, in batches, with a progress bar. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Posts files to a collector. Line formats (NDJSON) go in batches of whole lines;",
            "eventlog-xml and wufb files go whole. Retries on 429 and 503 as the collector asks (Retry-After).",
            "Problems go to standard error as FILE:LINE: field: what. Exit status: 0 all accepted,",
            "4 some items rejected, 1 the collector refused a request or could not be reached, 2 a usage error."})
public final class IngestCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTEMPTS = 8;

    @Spec
    private CommandSpec spec;

    @Option(names = "--format", required = true, paramLabel = "FORMAT",
            description = "events, device-report, osquery, winlogbeat, eventlog-xml or wufb.")
    private String format;

    @Option(names = "--url", required = true, paramLabel = "URL",
            description = "The collector, e.g. http://127.0.0.1:8088")
    private URI url;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token. Visible to other users in the "
            + "process list: prefer --token-file or PATCHPULSE_TOKEN.")
    private String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the bearer token.")
    private Path tokenFile;

    @Option(names = "--batch-bytes", paramLabel = "BYTES", defaultValue = "4194304",
            description = "Largest batch of lines per request. Default 4 MiB.")
    private int batchBytes;

    @Option(names = "--max-document-bytes", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Largest file read whole (eventlog-xml, wufb, a JSON document or array); line formats are "
                    + "read a batch at a time, whatever their size. Default 64 MiB.")
    private long maxDocumentBytes;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to post.")
    private List<Path> files;

    private long accepted;
    private long rejected;
    private long skipped;
    private long records;
    private long refused;

    @Override
    public Integer call() throws Exception {
        InputFormat inputFormat = InputFormat.of(format);
        String bearer = token();
        String base = url.toString().replaceAll("/+$", "");
        URI endpoint = URI.create(base + "/v1/ingest/" + inputFormat.id());
        String contentType = switch (inputFormat) {
            case EVENTLOG_XML -> "application/xml";
            case WUFB -> "text/plain";
            default -> "application/x-ndjson";
        };
        InputBatches batches = new InputBatches(batchBytes, InputBatches.MAX_LINE_BYTES, maxDocumentBytes);
        long totalBytes = 0;
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new UncheckedIOException("no such file: " + file, new NoSuchFileException(file.toString()));
            }
            long size = Files.size(file);
            boolean document = inputFormat == InputFormat.EVENTLOG_XML || inputFormat == InputFormat.WUFB;
            if (document && size > maxDocumentBytes) {
                // Said before anything is posted; an events or device-report document is found out when it is read.
                throw new IllegalArgumentException(file + " is larger than " + maxDocumentBytes + " bytes, the most a "
                        + inputFormat.id() + " file is read whole: split it, or raise --max-document-bytes");
            }
            totalBytes += size;
        }
        PrintWriter err = spec.commandLine().getErr();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ProgressLine progress = new ProgressLine(err, "posting", totalBytes, "bytes");
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                batches.read(in, file.toString(), inputFormat, new InputBatches.Receiver() {
                    @Override
                    public void batch(InputBatches.Batch batch) throws IOException, InterruptedException {
                        JsonNode answer = post(http, endpoint, bearer, contentType, batch.bytes(), file);
                        report(answer, file, batch.firstLine(), err);
                        progress.advance(batch.bytes().length);
                    }

                    @Override
                    public void lineTooLong(long line, long limitBytes) {
                        err.println("\r" + file + ":" + line + ": the line is longer than " + limitBytes
                                + " bytes; not sent");
                        rejected++;
                    }
                });
            } catch (InputBatches.DocumentTooLarge e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        progress.done();
        err.printf("%,d records from %,d items accepted, %,d rejected, %,d skipped%s%n", records, accepted, rejected,
                skipped, refused == 0 ? "" : "; " + refused + " request(s) refused as a whole (nothing of them stored)");
        err.flush();
        return rejected > 0 ? ParseCommand.SOME_REJECTED : 0;
    }

    private String token() throws IOException {
        if (token != null) {
            return token;
        }
        if (tokenFile != null) {
            return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        }
        String fromEnvironment = System.getenv("PATCHPULSE_TOKEN");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.strip();
        }
        throw new IllegalArgumentException("a token is required: --token, --token-file or PATCHPULSE_TOKEN");
    }

    private JsonNode post(HttpClient http, URI endpoint, String bearer, String contentType, byte[] batch, Path file)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofMinutes(2))
                    .header("Authorization", "Bearer " + bearer)
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(batch))
                    .build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new IOException("cannot reach the collector at " + endpoint + ": " + e.getMessage(), e);
                }
                Thread.sleep(Math.min(30_000, 500L << attempt));
                continue;
            }
            int status = response.statusCode();
            if ((status == 429 || status == 503) && attempt < MAX_ATTEMPTS) {
                long wait = response.headers().firstValueAsLong("Retry-After").orElse(5);
                Thread.sleep(Math.min(120, Math.max(1, wait)) * 1000);
                continue;
            }
            JsonNode answer;
            try {
                answer = JSON.readTree(response.body());
            } catch (IOException e) {
                answer = null;
            }
            if (status == 202 || (status == 400 && answer != null && answer.has("problems"))) {
                return answer;
            }
            String detail = answer != null && answer.has("detail") ? answer.get("detail").asText() : response.body();
            throw new CollectorRefused("the collector refused " + file + " with " + status + ": " + detail);
        }
    }

    private void report(JsonNode answer, Path file, long firstLine, PrintWriter err) {
        if (answer.path("status").asInt() == 400) {
            // Refused as a whole: nothing of this batch was stored, whatever the parser could read.
            refused++;
            rejected += answer.path("accepted").asLong() + answer.path("rejected").asLong();
            err.println("\r" + file + " (from line " + firstLine + "): " + answer.path("detail").asText());
        } else {
            accepted += answer.path("accepted").asLong();
            rejected += answer.path("rejected").asLong();
            skipped += answer.path("skipped").asLong();
            records += answer.path("records").asLong();
        }
        List<String> lines = new ArrayList<>();
        for (JsonNode problem : answer.path("problems")) {
            long line = problem.path("line").asLong();
            lines.add("\r" + file + ":" + (line == 0 ? 0 : line + firstLine - 1) + ": "
                    + (problem.hasNonNull("field") ? problem.get("field").asText() + ": " : "")
                    + problem.path("message").asText());
        }
        lines.forEach(err::println);
    }

    /** The collector answered with an error that retrying will not fix. */
    static final class CollectorRefused extends RuntimeException {
        CollectorRefused(String message) {
            super(message);
        }
    }
}
