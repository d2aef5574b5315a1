package io.patchpulse.collector;

import io.patchpulse.collector.identity.DeviceIdKey;
import io.patchpulse.collector.identity.DeviceIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.patchpulse.collector.ingest.FileWatcher;
import io.patchpulse.collector.ingest.IngestServer;
import io.patchpulse.collector.ingest.Ingestor;
import io.patchpulse.collector.ingest.KafkaInput;
import io.patchpulse.collector.metrics.CollectorMetrics;
import io.patchpulse.collector.parse.InputFormat;
import io.patchpulse.collector.publish.Spool;
import io.patchpulse.collector.publish.SpoolDrainer;
import io.patchpulse.schemas.serde.AvroTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector service: the spool (in the data directory), the drainer that moves it to Kafka, the ingest HTTP
 * API and any file watchers, started together and stopped in reverse order. Stopping never loses an accepted
 * record: what Kafka has not acknowledged stays in the spool for the next start.
 */
public final class CollectorService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorService.class);

    /** A directory to tail in one format. */
    public record Watch(Path directory, InputFormat format) {
        public Watch {
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(format, "format");
        }
    }

    private final Spool spool;
    private SpoolDrainer drainer;
    private Ingestor ingestor;
    private IngestServer server;
    private CollectorMetrics metrics;
    private final List<FileWatcher> watchers = new ArrayList<>();
    private final List<KafkaInput> kafkaInputs = new ArrayList<>();

    private CollectorService(CollectorSettings settings, List<Watch> watches, MeterRegistry registry,
            SpoolDrainer.AfterSend afterSend) throws IOException {
        AvroTrust.install();
        DeviceIds deviceIds = settings.pseudonymousDeviceIds()
                ? DeviceIds.hmac(DeviceIdKey.loadOrCreate(settings.deviceIdKeyFile()))
                : DeviceIds.raw();
        if (!deviceIds.pseudonymous()) {
            LOG.warn("collector.device.ids=raw: host names leave the collector as device ids");
        }
        this.spool = Spool.open(settings.dataDir().resolve("spool"));
        try {
            if (spool.size() > 0) {
                LOG.info("The spool holds {} records from before; they are sent first", spool.size());
            }
            // Built here, not on first use: a producer setting Kafka rejects fails the start, not every batch.
            this.drainer = new SpoolDrainer(spool, settings.bootstrapServers(), settings.producerProperties(),
                    afterSend);
            this.ingestor = new Ingestor(spool, settings.topics(), deviceIds, settings.spoolMaxRecords(),
                    settings.maxRecordBytes(), Clock.systemUTC(), settings.dlqPayload());
            metrics = new CollectorMetrics(spool::size, drainer::sent, drainer::failures, drainer::lastSuccess);
            metrics.bindTo(registry);
            ingestor.recordTo(metrics);
            drainer.start();
            this.server = new IngestServer(ingestor, settings.tokens(), settings.tls(), settings.httpHost(), settings.httpPort(),
                    settings.maxRequestBytes(), settings.rateLimitPerMinute(), settings.maxConcurrentRequests(),
                    this::status, settings.httpTimeLimits());
            for (KafkaInput.Source source : settings.kafkaInputs()) {
                kafkaInputs.add(new KafkaInput(source, ingestor, settings.consumerProperties()).start());
            }
            for (Watch watch : watches) {
                watchers.add(new FileWatcher(watch.directory(), watch.format(), ingestor,
                        (int) Math.min(Integer.MAX_VALUE, settings.maxRequestBytes()), Duration.ofSeconds(1)).start());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the collector.
     *
     * @throws IOException when the data directory, the key or the spool cannot be opened
     */
    public static CollectorService start(CollectorSettings settings, List<Watch> watches) throws IOException {
        return start(settings, watches, new SimpleMeterRegistry());
    }

    /**
     * Starts the collector with its meters ({@link CollectorMetrics}) in {@code registry}.
     *
     * @throws IOException when the data directory, the key or the spool cannot be opened
     */
    public static CollectorService start(CollectorSettings settings, List<Watch> watches, MeterRegistry registry)
            throws IOException {
        return start(settings, watches, registry, SpoolDrainer.AfterSend.NONE);
    }

    /**
     * The same collector, its drainer calling {@code afterSend} after Kafka acknowledged a batch and before the spool
     * removes it ({@link SpoolDrainer#SpoolDrainer(Spool, String, Map, SpoolDrainer.AfterSend)}). For fault tests,
     * which stop the process there.
     *
     * @throws IOException when the data directory, the key or the spool cannot be opened
     */
    public static CollectorService start(CollectorSettings settings, List<Watch> watches, MeterRegistry registry,
            SpoolDrainer.AfterSend afterSend) throws IOException {
        return new CollectorService(settings, watches, registry, afterSend);
    }

    /** The port of the ingest API. */
    public int port() {
        return server.port();
    }

    /** The ingest API's base address, e.g. {@code http://127.0.0.1:9400/v1/} ({@code https} under TLS). */
    public String ingestUrl() {
        return server.url();
    }

    public Spool spool() {
        return spool;
    }

    public SpoolDrainer drainer() {
        return drainer;
    }

    /** What {@code GET /v1/status} answers. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("spooled", spool.size());
        status.put("sentSinceStart", drainer.sent());
        status.put("lastSentAt", drainer.lastSuccess() == null ? null : drainer.lastSuccess().toString());
        status.put("kafkaError", drainer.lastError());
        return status;
    }

    @Override
    public void close() {
        for (FileWatcher watcher : watchers) {
            watcher.close();
        }
        for (KafkaInput input : kafkaInputs) {
            input.close();
        }
        if (server != null) {
            server.close();
        }
        if (drainer != null) {
            drainer.close(Duration.ofSeconds(10));
        }
        if (metrics != null) {
            metrics.close();
        }
        if (spool != null) {
            spool.close();
        }
    }
}
