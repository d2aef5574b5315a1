package io.patchpulse.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.ReleaseProgress;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every schema change must stay backward and forward compatible with every released version. */
class SchemaCompatibilityTest {

    static List<Schema> currentSchemas() {
        return List.of(InstallEvent.getClassSchema(), DeviceInventory.getClassSchema(), FailureTrend.getClassSchema(),
                ReleaseProgress.getClassSchema());
    }

    @ParameterizedTest
    @MethodSource("currentSchemas")
    void shouldReadAndBeReadByEveryReleasedVersion(Schema current) {
        List<Schema> released = SchemaHistory.get().versionsOf(current.getFullName());
        assertThat(released).as("released versions of %s", current.getFullName()).isNotEmpty();

        for (Schema old : released) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType())
                    .as("current %s reads data written with a released version (backward)", current.getName())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(old, current).getType())
                    .as("a released %s reads data written with the current version (forward)", current.getName())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @ParameterizedTest
    @MethodSource("currentSchemas")
    void shouldHaveReleasedTheCurrentVersionSoReadersKnowItsFingerprint(Schema current) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(current);
        assertThat(SchemaHistory.get().versionsOf(current.getFullName()))
                .as("a copy of the current %s under resources/history (add vN+1 and list it in index.txt)",
                        current.getName())
                .anyMatch(old -> SchemaNormalization.parsingFingerprint64(old) == fingerprint);
    }
}
