package io.patchpulse.collector.parse.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.collector.parse.BadField;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowsEventMapperTest {

    private static final Instant AT = Instant.parse("2024-01-10T02:12:44.551Z");
    private static final String TITLE = "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems"
            + " (KB5034441)";

    private static InstallEvent map(int id, Instant at, Map<String, String> data, EventSource source) {
        WindowsEvent event = new WindowsEvent(WindowsEventMapper.WUC_NAME, null, id, at, "PC-1", null, data);
        return WindowsEventMapper.toInstallEvent(event, "d-1", source, AT).orElseThrow();
    }

    private static Map<String, String> data(String errorCode, String guid, String title) {
        Map<String, String> data = new HashMap<>();
        if (errorCode != null) {
            data.put("errorCode", errorCode);
        }
        if (guid != null) {
            data.put("updateGuid", guid);
        }
        data.put("updateTitle", title);
        return data;
    }

    @Test
    void shouldGiveOneEventOneIdWhicheverSpellingOfTheErrorItsRouteUsed() {
        InstallEvent fromXml = map(20, AT, data("0x80070643", "{6B5F1E4A-0000-4000-8000-000000000001}", TITLE),
                EventSource.EVENTLOG_XML);
        InstallEvent fromPowerShell = map(20, AT, data("-2147023293", "6b5f1e4a-0000-4000-8000-000000000001",
                TITLE), EventSource.AGENT);

        assertThat(fromPowerShell.getEventId()).isEqualTo(fromXml.getEventId());
        assertThat(fromPowerShell.getErrorCode()).isEqualTo("0x80070643");
        assertThat(fromPowerShell.getRawErrorCode()).isEqualTo("-2147023293");
        assertThat(fromXml.getKb()).isEqualTo("KB5034441");
        assertThat(fromXml.getOutcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void shouldTellTwoUpdatesAtOneMillisecondApartWithoutTheirGuids() {
        InstallEvent one = map(19, AT, data(null, null, TITLE), EventSource.AGENT);
        InstallEvent other = map(19, AT, data(null, null, TITLE.replace("KB5034441", "KB5034275")), EventSource.AGENT);

        assertThat(one.getEventId()).isNotEqualTo(other.getEventId());
    }

    @Test
    void shouldRejectATimeWithoutMillisecondFormInsteadOfOverflowing() {
        assertThatThrownBy(() -> map(20, Instant.parse("+300000000-01-01T00:00:00Z"), data(null, null, TITLE),
                EventSource.EVENTLOG_XML)).isInstanceOf(BadField.class).hasMessageContaining("plausible");
    }
}
