package io.patchpulse.deploy.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in {@code deploy/ops} as Prometheus itself reads them: {@code promtool check rules} on the
 * Prometheus and the vmalert file, {@code promtool test rules} on the unit tests (series that fire each important
 * rule and series that must not). promtool comes from Debian's {@code prometheus} package, which {@code .ci/run}
 * installs; without it this test fails rather than skips, so CI cannot pass with the rules unchecked.
 */
class AlertRulesTest {

    static final Path OPS = Path.of("ops");
    static final Path PROMETHEUS_RULES = OPS.resolve("prometheus/patchpulse-rules.yml");
    static final Path PROMETHEUS_RULES_TEST = OPS.resolve("prometheus/patchpulse-rules.test.yml");
    static final Path VMALERT_RULES = OPS.resolve("vmalert/patchpulse-rules.yml");

    @Test
    void prometheusRulesPassPromtoolCheck() throws Exception {
        Result result = promtool(Path.of("."), "check", "rules", PROMETHEUS_RULES.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void vmalertRulesAreValidPrometheusRules() throws Exception {
        Result result = promtool(Path.of("."), "check", "rules", VMALERT_RULES.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void ruleUnitTestsFireAndStaySilentAsExpected() throws Exception {
        // promtool resolves rule_files relative to the test file's directory.
        Result result = promtool(PROMETHEUS_RULES_TEST.getParent(), "test", "rules",
                PROMETHEUS_RULES_TEST.getFileName().toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void scrapeConfigOfTheComposeStackPassesPromtoolCheck() throws Exception {
        Result result = promtool(Path.of("."), "check", "config", "--syntax-only",
                OPS.resolve("compose/scrape.yml").toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void alertmanagerConfigPassesAmtoolCheck() throws Exception {
        // amtool comes with Debian's prometheus-alertmanager, which .ci/run installs too.
        Path amtool = Path.of("/usr/bin/amtool");
        assertThat(amtool).as("amtool missing: install Debian's 'prometheus-alertmanager' package, as .ci/run does")
                .isExecutable();
        Process process = new ProcessBuilder(amtool.toString(), "check-config",
                OPS.resolve("alertmanager/alertmanager.yml").toString()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("SUCCESS");
    }

    @Test
    void promtoolRejectsABrokenRule() throws Exception {
        // Guards the guard: a check that passed whatever it was given would prove nothing.
        Path broken = Files.createTempFile(Path.of("target"), "broken-rules", ".yml");
        try {
            Files.writeString(broken, "groups:\n  - name: x\n    rules:\n      - alert: Broken\n"
                    + "        expr: rate(patchpulse_sink_write_retries_total[5m] > 0\n");
            Result result = promtool(Path.of("."), "check", "rules", broken.toString());
            assertThat(result.exitCode()).isNotZero();
        } finally {
            Files.deleteIfExists(broken);
        }
    }

    record Result(int exitCode, String output) {
    }

    static Result promtool(Path workDir, String... args) throws IOException, InterruptedException {
        Path promtool = findPromtool();
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("promtool " + String.join(" ", args) + " did not finish within 2 minutes");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static Path findPromtool() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                candidates.add(Path.of(dir, "promtool"));
            }
        }
        candidates.add(Path.of("/usr/bin/promtool"));
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(
                "promtool not found (PATH, /usr/bin/promtool): install Debian's 'prometheus' package "
                        + "(apt-get install -y --no-install-recommends prometheus), as .ci/run does in CI"));
    }
}
