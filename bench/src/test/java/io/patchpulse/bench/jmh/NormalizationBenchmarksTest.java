package io.patchpulse.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.Outcome;
import io.patchpulse.schemas.values.Cohort;
import io.patchpulse.schemas.values.WinreVersion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NormalizationBenchmarksTest {

    private final NormalizationBenchmarks benchmarks = new NormalizationBenchmarks();

    @BeforeEach
    void setUp() {
        benchmarks.setUp();
    }

    @Test
    void shouldNormalizeBothSpellingsOfTheErrorCodeToTheSameHex() {
        assertThat(benchmarks.errorCodeHex()).contains("0x80070643");
        assertThat(benchmarks.errorCodeSignedDecimal()).contains("0x80070643");
    }

    @Test
    void shouldFindTheKbInTheLocalizedTitleAndTheWinreVersionInItsText() {
        assertThat(benchmarks.kbFromLocalizedTitle()).contains("KB5034441");
        assertThat(benchmarks.winreVersion()).contains(WinreVersion.WINDOWS_10_FIXED);
    }

    @Test
    void shouldPutTheSeedArticlesDeviceInItsCohort() {
        assertThat(benchmarks.cohortBuckets()).isEqualTo(new Cohort("KB5034441", "500-750MB", "<250MB", "on-tpm"));
    }

    @Test
    void shouldHashTheHostNameIntoAPseudonymousDeviceId() {
        assertThat(benchmarks.deviceIdHmac()).startsWith("d-").hasSize(34).doesNotContainIgnoringCase("desktop");
    }

    @Test
    void shouldMapTheWinreFailureEventToANormalizedInstallEvent() {
        InstallEvent event = benchmarks.windowsEventToInstallEvent().orElseThrow();

        assertThat(event.getOutcome()).isEqualTo(Outcome.WINRE_SERVICING_FAILED);
        assertThat(event.getErrorCode()).isEqualTo("0x80070643");
        assertThat(event.getWinreErrorPhase()).isEqualTo(2);
    }
}
