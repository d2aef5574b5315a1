package io.patchpulse.collector.parse.windows;

import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.EventIds;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.values.ErrorCode;
import io.patchpulse.schemas.values.KbId;
import io.patchpulse.schemas.values.WinreVersion;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place that knows which Windows events are update-install observations and what they mean (DOMAIN.md
 * section 3), shared by every format that carries Windows events.
 *
 * <ul>
 *   <li>{@code Microsoft-Windows-WindowsUpdateClient} {@value #WUC_GUID}: 19 installed ({@code SUCCEEDED}),
 *       20 failed ({@code FAILED}, data {@code errorCode}), 43 installation started ({@code STARTED}),
 *       44 download started ({@code DOWNLOAD_STARTED}); KB from {@code updateTitle} by pattern (titles are
 *       localized).</li>
 *   <li>{@code Microsoft-Windows-WinREAgent} {@value #WINRE_GUID}: 4500 servicing started, 4501 succeeded (data
 *       {@code Version}), 4502 failed (data {@code ErrorPhase}, {@code Errorcode} as signed decimal), 4503 cancelled,
 *       4504 rolled back.</li>
 * </ul>
 * Providers are matched by name or by GUID (names are not localized, but some exports carry only one of them). Any
 * other event is not about update installs and is skipped, not rejected.
 */
public final class WindowsEventMapper {

    public static final String WUC_NAME = "Microsoft-Windows-WindowsUpdateClient";
    public static final String WUC_GUID = "945a8954-c147-4acd-923f-40c45405a658";
    public static final String WINRE_NAME = "Microsoft-Windows-WinREAgent";
    public static final String WINRE_GUID = "1f7a6c55-5532-573b-35b7-2107e43a6ef5";

    /** Beyond these an instant has no millisecond form; the pipeline refuses anything before 2000 anyway. */
    private static final Instant MIN_TIME = Instant.parse("1601-01-01T00:00:00Z");
    private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59Z");

    private WindowsEventMapper() {
    }

    /** Which provider an event comes from, as far as PatchPulse cares. */
    public enum Provider { WINDOWS_UPDATE_CLIENT, WINRE_AGENT, OTHER }

    /** The provider of an event given by name and/or GUID (braces and case ignored). */
    public static Provider provider(String name, String guid) {
        String g = guid == null ? "" : guid.strip().replace("{", "").replace("}", "").toLowerCase(Locale.ROOT);
        String n = name == null ? "" : name.strip();
        if (n.equalsIgnoreCase(WUC_NAME) || g.equals(WUC_GUID)) {
            return Provider.WINDOWS_UPDATE_CLIENT;
        }
        if (n.equalsIgnoreCase(WINRE_NAME) || g.equals(WINRE_GUID)) {
            return Provider.WINRE_AGENT;
        }
        return Provider.OTHER;
    }

    /** True when PatchPulse reads events with this provider and id. */
    public static boolean isRelevant(Provider provider, int eventId) {
        return outcome(provider, eventId).isPresent();
    }

    /**
     * The names of the positional data values of an event ({@code Get-WinEvent}'s {@code Properties}), in order;
     * empty for events PatchPulse does not read.
     */
    public static List<String> dataNames(Provider provider, int eventId) {
        if (provider == Provider.WINDOWS_UPDATE_CLIENT) {
            switch (eventId) {
                case 20:
                    return List.of("errorCode", "updateTitle", "updateGuid", "updateRevisionNumber", "serviceGuid");
                case 19:
                case 43:
                case 44:
                    return List.of("updateTitle", "updateGuid", "updateRevisionNumber", "serviceGuid");
                default:
                    return List.of();
            }
        }
        if (provider == Provider.WINRE_AGENT) {
            switch (eventId) {
                case 4501:
                    return List.of("Version");
                case 4502:
                    return List.of("ErrorPhase", "Errorcode");
                default:
                    return List.of();
            }
        }
        return List.of();
    }

    /**
     * The install event {@code event} stands for, or empty when it is not an update-install observation.
     *
     * @param deviceId   the device id (already pseudonymized)
     * @param source     the format it came in
     * @param receivedAt when the collector received it
     * @throws BadField when a field PatchPulse needs is unusable (the path names the data value)
     */
    public static Optional<InstallEvent> toInstallEvent(WindowsEvent event, String deviceId, EventSource source,
                                                        Instant receivedAt) {
        Provider provider = provider(event.providerName(), event.providerGuid());
        Optional<Outcome> outcome = outcome(provider, event.eventId());
        if (outcome.isEmpty()) {
            return Optional.empty();
        }
        if (event.timeCreated().isBefore(MIN_TIME) || event.timeCreated().isAfter(MAX_TIME)) {
            throw new BadField("TimeCreated", "time " + event.timeCreated() + " is not a plausible event time");
        }
        String title = blankToNull(event.datum("updateTitle"));
        String guid = blankToNull(event.datum("updateGuid"));
        String rawError = blankToNull(event.datum(provider == Provider.WINRE_AGENT ? "Errorcode" : "errorCode"));
        String canonicalGuid = guid == null ? null : guid.replace("{", "").replace("}", "").toLowerCase(Locale.ROOT);
        String canonicalError = rawError == null ? null : ErrorCode.normalize(rawError).orElse(rawError.strip());
        InstallEvent.Builder builder = InstallEvent.newBuilder()
                // What identifies the observation, in the same form whatever route carried it: no record id
                // (osquery has none), the error code canonical (Get-WinEvent gives it as a number, XML as hex), and
                // the title where the GUID is missing (two updates at one millisecond are two events).
                .setEventId(canonicalGuid != null
                        ? EventIds.of("w-", deviceId, provider, event.eventId(), event.timeCreated().toEpochMilli(),
                                canonicalGuid, canonicalError)
                        : EventIds.of("w-", deviceId, provider, event.eventId(), event.timeCreated().toEpochMilli(),
                                null, canonicalError, title))
                .setDeviceId(deviceId)
                .setOccurredAt(event.timeCreated())
                .setReceivedAt(receivedAt)
                .setSource(source)
                .setOutcome(outcome.get())
                .setKb(title == null ? null : KbId.extract(title).orElse(null))
                .setUpdateTitle(title)
                .setUpdateGuid(canonicalGuid)
                .setRawErrorCode(rawError)
                .setErrorCode(rawError == null ? null : ErrorCode.normalize(rawError).orElse(null));
        if (provider == Provider.WINRE_AGENT) {
            String phase = blankToNull(event.datum("ErrorPhase"));
            if (phase != null) {
                try {
                    builder.setWinreErrorPhase(Integer.parseInt(phase.strip()));
                } catch (NumberFormatException e) {
                    throw new BadField("ErrorPhase", "expected a whole number, got '" + abbreviate(phase) + "'");
                }
            }
            String version = blankToNull(event.datum("Version"));
            if (version != null) {
                builder.setWinreVersion(WinreVersion.parse(version)
                        .map(Object::toString)
                        .orElseThrow(() -> new BadField("Version",
                                "expected a WinRE version such as 10.0.19041.3920, got '" + abbreviate(version) + "'")));
            }
        }
        return Optional.of(builder.build());
    }

    private static Optional<Outcome> outcome(Provider provider, int eventId) {
        if (provider == Provider.WINDOWS_UPDATE_CLIENT) {
            switch (eventId) {
                case 19:
                    return Optional.of(Outcome.SUCCEEDED);
                case 20:
                    return Optional.of(Outcome.FAILED);
                case 43:
                    return Optional.of(Outcome.STARTED);
                case 44:
                    return Optional.of(Outcome.DOWNLOAD_STARTED);
                default:
                    return Optional.empty();
            }
        }
        if (provider == Provider.WINRE_AGENT) {
            switch (eventId) {
                case 4500:
                    return Optional.of(Outcome.WINRE_SERVICING_STARTED);
                case 4501:
                    return Optional.of(Outcome.WINRE_SERVICING_SUCCEEDED);
                case 4502:
                    return Optional.of(Outcome.WINRE_SERVICING_FAILED);
                case 4503:
                    return Optional.of(Outcome.WINRE_SERVICING_CANCELLED);
                case 4504:
                    return Optional.of(Outcome.WINRE_SERVICING_ROLLED_BACK);
                default:
                    return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
