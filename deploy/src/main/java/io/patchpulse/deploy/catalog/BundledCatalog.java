package io.patchpulse.deploy.catalog;

import io.patchpulse.collector.catalog.ReleaseCatalog;
import io.patchpulse.collector.publish.KafkaPublisher;
import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The release catalog shipped with PatchPulse ({@code deploy/catalog/releases.yaml}, packaged into the jar), so the
 * demo and {@code patchpulse releases load} work from any directory. Analysts edit the file and load it again.
 */
public final class BundledCatalog {

    /** Where the build puts {@code deploy/catalog/releases.yaml} on the class path. */
    public static final String RESOURCE = "/io/patchpulse/deploy/catalog/releases.yaml";

    private BundledCatalog() {
    }

    /** The packaged catalog, checked. */
    public static List<Release> releases() {
        try (InputStream in = BundledCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the release catalog " + RESOURCE + " is missing from the build");
            }
            return ReleaseCatalog.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "releases.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged release catalog", e);
        }
    }

    /** Publishes {@code releases} keyed by KB, stamped with their release day; waits until all are acknowledged. */
    public static void publish(KafkaPublisher publisher, Topics topics, List<Release> releases) {
        for (Release release : releases) {
            publisher.publish(topics.releases, release.getKb(),
                    release.getReleasedOn().atStartOfDay().toInstant(ZoneOffset.UTC), release);
        }
        publisher.flush();
    }
}
