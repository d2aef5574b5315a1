package io.patchpulse.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.schemas.avro.InstallEvent;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    @Test
    void shouldWritePlainJsonWithoutAvroUnionWrappers() {
        String line = CanonicalJson.toLine(Samples.failedEvent());

        assertThat(line).contains("\"kb\":\"KB5034441\"", "\"outcome\":\"FAILED\"", "\"errorCode\":\"0x80070643\"",
                "\"occurredAt\":1704819600000", "\"partitionSizeBytes\":599785472", "\"winreErrorPhase\":null");
        assertThat(line).doesNotContain("{\"string\"");
    }

    @Test
    void shouldReadBackWhatItWrote() {
        InstallEvent event = Samples.failedEvent();

        InstallEvent back = CanonicalJson.fromLine(CanonicalJson.toLine(event), InstallEvent.getClassSchema());

        assertThat(back).isEqualTo(event);
    }

    @Test
    void shouldNameTheFieldPathWhenInputIsWrong() {
        String wrongEnum = CanonicalJson.toLine(Samples.failedEvent()).replace("\"FAILED\"", "\"EXPLODED\"");
        assertThatThrownBy(() -> CanonicalJson.fromLine(wrongEnum, InstallEvent.getClassSchema()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$.outcome").hasMessageContaining("EXPLODED");

        String wrongType = CanonicalJson.toLine(Samples.failedEvent()).replace("\"partitionSizeBytes\":599785472",
                "\"partitionSizeBytes\":\"big\"");
        assertThatThrownBy(() -> CanonicalJson.fromLine(wrongType, InstallEvent.getClassSchema()))
                .hasMessageContaining("$.inventory.recovery.partitionSizeBytes");

        assertThatThrownBy(() -> CanonicalJson.fromLine("{\"eventId\":\"x\"}", InstallEvent.getClassSchema()))
                .hasMessageContaining("$.deviceId").hasMessageContaining("missing");
        assertThatThrownBy(() -> CanonicalJson.fromLine("{\"nope\":1}", InstallEvent.getClassSchema()))
                .hasMessageContaining("$.nope").hasMessageContaining("unknown field");
        assertThatThrownBy(() -> CanonicalJson.fromLine("{not json", InstallEvent.getClassSchema()))
                .hasMessageContaining("not JSON");
    }
}
