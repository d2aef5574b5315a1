package io.patchpulse.sink.dashboard;

import static io.patchpulse.sink.dashboard.DashboardFixtures.FIRING;
import static io.patchpulse.sink.dashboard.DashboardFixtures.KB;
import static io.patchpulse.sink.dashboard.DashboardFixtures.OTHER_FIRING;
import static io.patchpulse.sink.dashboard.DashboardFixtures.TRENDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.patchpulse.schemas.avro.FailureTrend;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import io.patchpulse.sink.questdb.QuestDbTables;
import io.patchpulse.sink.questdb.TrendTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in Debian's headless Chromium (driven through its chromedriver), over QuestDB seeded through the
 * sink's writers: the heat map, the timeline and the alert list render, and what the page shows (alert text, a heat
 * map cell's tooltip) equals numbers recounted here from the fixtures. Screenshots go to
 * {@code target/dashboard-screenshots/}. Without {@code chromium} and {@code chromium-driver} installed it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

    private static final Duration RENDER_TIMEOUT = HeadlessChromium.RENDER_TIMEOUT;

    @TempDir
    static Path root;

    private static EmbeddedQuestDb questDb;
    private static DashboardServer dashboard;
    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws IOException {
        questDb = EmbeddedQuestDb.start(root.resolve("questdb"));
        DashboardFixtures.seed(questDb);
        dashboard = DashboardServer.start("127.0.0.1", 0, new QuestDbHttp(questDb.httpUrl()),
                TrendTables.defaults(), QuestDbTables.defaults(),
                List.of(new ReleaseMark(KB, LocalDate.of(2024, 1, 9), "2024-01 Security Update (KB5034441)")),
                DashboardApiIT.TOKENS, java.util.Optional.empty());
        chromium = HeadlessChromium.start(root.resolve("chromium-profile"), "dashboard-screenshots");
        browser = chromium.driver();
        // As the demo prints it: the token in the fragment, which the browser never sends; the sign-in page trades
        // it for a session cookie and reloads the page without it.
        browser.get(dashboard.url() + "?refresh=0#token=" + DashboardApiIT.READER);
    }

    @AfterAll
    static void stop() {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (dashboard != null) {
                dashboard.close();
            }
            if (questDb != null) {
                questDb.close();
            }
        }
    }

    @Test
    @Order(1)
    void shouldRenderTheHeatMapTheTimelineAndTheAlertsFromThisServerOnly() throws IOException {
        awaitRendered("heatmap", "timeline", "alerts", "progress");

        assertThat(browser.findElements(By.cssSelector("#heatmap-chart canvas"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#timeline-chart canvas"))).isNotEmpty();
        assertThat(browser.getCurrentUrl()).as("the token left the address bar").doesNotContain("token")
                .contains("refresh=0");
        assertThat(browser.findElement(By.id("heatmap")).getDomAttribute("data-kb")).isEqualTo(KB);
        long cohorts = TRENDS.stream().filter(t -> t.getKb().equals(KB))
                .map(t -> t.getSizeBucket() + "|" + t.getBitlocker()).distinct().count();
        assertThat(browser.findElement(By.id("heatmap")).getDomAttribute("data-cells"))
                .isEqualTo(String.valueOf(cohorts));
        long windows = TRENDS.stream().filter(t -> t.getKb().equals(KB)).map(FailureTrend::getWindowStart)
                .distinct().count();
        assertThat(browser.findElement(By.id("timeline")).getDomAttribute("data-windows"))
                .isEqualTo(String.valueOf(windows));
        assertThat(browser.findElement(By.id("timeline")).getDomAttribute("data-releases")).contains(KB);
        // Every script, style and API call came from the dashboard itself: no CDN.
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) js("return performance.getEntriesByType('resource')"
                + ".map(e => e.name);");
        String origin = "http://127.0.0.1:" + dashboard.port() + "/";
        assertThat(resources).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(origin));
        // The one refusal is the first load's, which answered the sign-in page; nothing after it failed.
        assertThat(severeConsoleMessages()).allSatisfy(message -> assertThat(message)
                .startsWith(dashboard.url() + "?refresh=0#token=").contains("status of 401"));
        screenshot("dashboard.png");
    }

    @Test
    @Order(2)
    void shouldShowTheFiringAlertsWithTheirNumbersAsText() {
        awaitRendered("alerts");

        List<WebElement> items = browser.findElements(By.cssSelector("#alerts-list li"));
        assertThat(items).extracting(item -> item.getDomAttribute("data-alert-id"))
                .containsExactly(FIRING.getAlertId(), OTHER_FIRING.getAlertId());
        WebElement first = items.get(0);
        // The summary is shown as text: its <script> tag is visible, not run.
        assertThat(first.findElement(By.className("alert-summary")).getText()).isEqualTo(FIRING.getSummary());
        String rate = String.format(Locale.ROOT, "%.1f%%", 100.0 * FIRING.getCurrentDevicesFailed()
                / FIRING.getCurrentDevicesAttempted());
        assertThat(first.findElement(By.className("alert-numbers")).getText())
                .startsWith(FIRING.getCurrentDevicesFailed() + " of " + FIRING.getCurrentDevicesAttempted()
                        + " devices failed (" + rate + ")");
        assertThat(first.findElement(By.className("alert-title")).getText())
                .isEqualTo(KB + " 0x80070643 on <500MB / <250MB / on-tpm");
    }

    @Test
    @Order(3)
    void shouldShowAHeatMapCellsNumbersInItsTooltip() throws IOException {
        awaitRendered("heatmap");
        long attempted = 0;
        long failed = 0;
        for (FailureTrend trend : TRENDS) {
            if (trend.getKb().equals(KB) && trend.getSizeBucket().equals("<500MB")
                    && trend.getBitlocker().equals("on-tpm")) {
                attempted += trend.getDevicesAttempted();
                failed += trend.getDevicesFailed();
            }
        }
        String expected = failed + " of " + attempted + " devices failed ("
                + String.format(Locale.ROOT, "%.1f%%", 100.0 * failed / attempted) + ")";

        // Hover the cell's centre, found through the chart's own axis mapping.
        @SuppressWarnings("unchecked")
        List<Number> pixel = (List<Number>) js("const c = window.patchpulse.charts.heatmap;"
                + "const o = c.getOption();"
                + "return c.convertToPixel({seriesIndex: 0}, [o.xAxis[0].data.indexOf('<500MB'),"
                + " o.yAxis[0].data.indexOf('on-tpm')]);");
        WebElement chart = browser.findElement(By.id("heatmap-chart"));
        int dx = (int) Math.round(pixel.get(0).doubleValue() - chart.getRect().getWidth() / 2.0);
        int dy = (int) Math.round(pixel.get(1).doubleValue() - chart.getRect().getHeight() / 2.0);
        new Actions(browser).moveToElement(chart, dx, dy).perform();

        await().atMost(RENDER_TIMEOUT).untilAsserted(() -> assertThat(
                browser.findElements(By.cssSelector(".heatmap-tooltip"))).anySatisfy(tooltip -> {
                    assertThat(tooltip.isDisplayed()).isTrue();
                    assertThat(tooltip.getText()).contains("size <500MB \u00b7 BitLocker on-tpm").contains(expected);
                }));
        screenshot("heatmap-tooltip.png");
        // The same numbers in the cells' table.
        assertThat(browser.findElements(By.cssSelector("#heatmap-table tbody tr")))
                .extracting(row -> row.getDomProperty("textContent"))
                .contains("<500MBon-tpm" + failed + attempted
                        + String.format(Locale.ROOT, "%.1f%%", 100.0 * failed / attempted));
    }

    @Test
    @Order(4)
    void shouldLookUpADeviceAndExplainAnInvalidId() throws IOException {
        WebElement input = browser.findElement(By.id("device-id"));
        input.clear();
        input.sendKeys("PC-0005.corp.example");
        browser.findElement(By.cssSelector("#device-form button")).click();
        awaitRendered("device");

        String result = browser.findElement(By.id("device-result")).getText();
        assertThat(result).contains("Status for " + KB).contains("FIXED").contains("Remediation of " + KB)
                .contains("SCRIPT_APPLIED");
        screenshot("device-lookup.png");

        input.clear();
        input.sendKeys("PC'0005");
        browser.findElement(By.cssSelector("#device-form button")).click();
        await().atMost(RENDER_TIMEOUT).until(() -> "error".equals(
                browser.findElement(By.id("device")).getDomAttribute("data-state")));
        assertThat(browser.findElement(By.cssSelector("#device .error")).getText()).contains("may hold only");
    }

    private static void awaitRendered(String... panels) {
        chromium.awaitRendered(panels);
    }

    private static Object js(String script) {
        return chromium.js(script);
    }

    private static List<String> severeConsoleMessages() {
        return chromium.severeConsoleMessages();
    }

    private static void screenshot(String name) throws IOException {
        chromium.screenshot(name);
    }
}
