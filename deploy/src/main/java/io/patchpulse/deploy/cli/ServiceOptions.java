package io.patchpulse.deploy.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Settings of a service run from the command line: a properties file, then {@code --set key=value} flags, then
 * {@code --bootstrap-servers}; each later source overrides the earlier ones, and the service's own defaults fill in
 * the rest.
 */
public final class ServiceOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file with the service's settings.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "One setting; overrides the file. Repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka brokers; overrides "
            + "bootstrap.servers from the file and --set.")
    String bootstrapServers;

    /** The settings in force, which must name the brokers; throws a user error naming both ways to give them. */
    public Map<String, String> resolveWithBrokers() {
        Map<String, String> settings = resolve();
        if (!settings.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("bootstrap.servers is required (--bootstrap-servers or --config)");
        }
        return settings;
    }

    /** The settings in force: file, then --set, then --bootstrap-servers. */
    public Map<String, String> resolve() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (configFile != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(configFile)) {
                file.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the settings file " + configFile, e);
            }
            file.stringPropertyNames().forEach(key -> settings.put(key, file.getProperty(key).strip()));
        }
        settings.putAll(overrides);
        if (bootstrapServers != null) {
            settings.put("bootstrap.servers", bootstrapServers);
        }
        return settings;
    }
}
