package io.patchpulse.deploy.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The meter registry of one PatchPulse process: Prometheus-rendered, tagged {@code service=<name>}, with the JVM's
 * own meters (heap, GC, threads, CPU, uptime) beside the services' ones.
 */
public final class ServiceMeters {

    /** The tag every meter of a process carries. */
    public static final String TAG_SERVICE = "service";

    private ServiceMeters() {
    }

    /** A registry for the service called {@code service} ({@code collector}, {@code streams}, {@code sink}, ...). */
    @SuppressWarnings("resource") // JvmGcMetrics lives as long as the registry, which lives as long as the process
    public static PrometheusMeterRegistry create(String service) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(TAG_SERVICE, service);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }
}
