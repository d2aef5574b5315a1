package io.patchpulse.bench.jmh;

import io.patchpulse.collector.identity.DeviceIds;
import io.patchpulse.collector.parse.windows.WindowsEvent;
import io.patchpulse.collector.parse.windows.WindowsEventMapper;
import io.patchpulse.schemas.avro.BitLockerInfo;
import io.patchpulse.schemas.avro.BitLockerProtection;
import io.patchpulse.schemas.avro.BitLockerVolumeStatus;
import io.patchpulse.schemas.avro.DeviceInventory;
import io.patchpulse.schemas.avro.EventSource;
import io.patchpulse.schemas.avro.InstallEvent;
import io.patchpulse.schemas.avro.ProtectorClass;
import io.patchpulse.schemas.avro.RecoveryPartition;
import io.patchpulse.schemas.values.Cohort;
import io.patchpulse.schemas.values.ErrorCode;
import io.patchpulse.schemas.values.KbId;
import io.patchpulse.schemas.values.WinreVersion;
import io.patchpulse.schemas.serde.AvroTrust;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The normalization every record goes through, one value per operation: error codes in hex and signed decimal
 * (osquery, WMI), the KB id from a localized update title, the WinRE version, the cohort of an attempt
 * (size, free-space and BitLocker buckets), the device id (HMAC-SHA256 of the host name, as the collector runs) and
 * the collector's mapping of one Windows event to a normalized {@code InstallEvent}. Score = values per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NormalizationBenchmarks {

    private static final long MIB = 1_048_576L;

    // Fields are not final so that the JIT cannot fold the inputs into constants.
    String hexCode = "0x80070643";
    String signedDecimalCode = "-2147023293";
    String localizedTitle = "2024-01 Mise à jour de sécurité pour Windows 10 Version 22H2 pour les systèmes "
            + "à base de processeurs x64 (KB5034441)";
    String winreText = "Version: 10.0.19041.3920";
    String kb = "KB5034441";
    String hostName = "DESKTOP-7QK2M1F.corp.example.com";
    DeviceInventory inventory;
    WindowsEvent winreFailure;
    private DeviceIds deviceIds;

    @Setup
    public void setUp() {
        AvroTrust.install(); // a fork builds Avro objects before any serde is loaded: trust our classes first
        deviceIds = DeviceIds.hmac(new byte[32]);
        inventory = DeviceInventory.newBuilder()
                .setDeviceId("d-0f3c5e")
                .setObservedAt(Instant.parse("2024-01-09T18:00:00Z"))
                .setRecovery(RecoveryPartition.newBuilder().setPartitionSizeBytes(572 * MIB)
                        .setFreeBytes(80 * MIB).build())
                .setBitlocker(BitLockerInfo.newBuilder().setProtection(BitLockerProtection.ON)
                        .setVolumeStatus(BitLockerVolumeStatus.FULLY_ENCRYPTED)
                        .setProtectorClass(ProtectorClass.TPM_ONLY).build())
                .build();
        winreFailure = new WindowsEvent(WindowsEventMapper.WINRE_NAME, "{" + WindowsEventMapper.WINRE_GUID + "}",
                4502, Instant.parse("2024-01-10T03:12:45.210Z"), hostName, 51234L,
                Map.of("ErrorPhase", "2", "Errorcode", "-2147023293"));
    }

    @Benchmark
    public Optional<String> errorCodeHex() {
        return ErrorCode.normalize(hexCode);
    }

    @Benchmark
    public Optional<String> errorCodeSignedDecimal() {
        return ErrorCode.normalize(signedDecimalCode);
    }

    @Benchmark
    public Optional<String> kbFromLocalizedTitle() {
        return KbId.extract(localizedTitle);
    }

    @Benchmark
    public Optional<WinreVersion> winreVersion() {
        return WinreVersion.parse(winreText);
    }

    @Benchmark
    public Cohort cohortBuckets() {
        return Cohort.of(kb, inventory);
    }

    @Benchmark
    public String deviceIdHmac() {
        return deviceIds.of(hostName);
    }

    @Benchmark
    public Optional<InstallEvent> windowsEventToInstallEvent() {
        return WindowsEventMapper.toInstallEvent(winreFailure, "d-0f3c5e", EventSource.EVENTLOG_XML,
                ParserBenchmarks.RECEIVED_AT);
    }
}
