package io.patchpulse.collector.parse.osquery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OsqueryTextTest {

    @Test
    void shouldDecodeByteEscapesThatSpellUtf8() {
        assertThat(OsqueryText.decodeByteEscapes("Sicherheitsupdate f\\xC3\\xBCr Windows")).isEqualTo(
                "Sicherheitsupdate für Windows");
        assertThat(OsqueryText.decodeByteEscapes("\\xE6\\x82\\xAA")).isEqualTo("悪");
    }

    @Test
    void shouldLeaveEscapesThatAreNotUtf8AsTheyWere() {
        assertThat(OsqueryText.decodeByteEscapes("cut f\\xC3")).isEqualTo("cut f\\xC3");
        assertThat(OsqueryText.decodeByteEscapes("line\\x0Abreak")).isEqualTo("line\\x0Abreak");
        assertThat(OsqueryText.decodeByteEscapes("C:\\xyz")).isEqualTo("C:\\xyz");
        assertThat(OsqueryText.decodeByteEscapes(null)).isNull();
    }

    @Test
    void shouldMakeJsonWithByteEscapesValidAndLeaveEscapedBackslashesAlone() {
        assertThat(OsqueryText.decodeByteEscapesInJson("{\"t\":\"f\\xC3\\xBCr\"}")).isEqualTo("{\"t\":\"für\"}");
        assertThat(OsqueryText.decodeByteEscapesInJson("{\"p\":\"C:\\\\xC3\"}")).isEqualTo("{\"p\":\"C:\\\\xC3\"}");
        assertThat(OsqueryText.decodeByteEscapesInJson("{\"t\":\"a\\x80b\\x0A\"}")).isEqualTo(
                "{\"t\":\"a\uFFFDb\\u000a\"}");
    }
}
