package io.patchpulse.sink.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Debian's headless Chromium driven through its chromedriver (RECIPES.md, "Headless Chromium"), with what the
 * dashboard tests do with it: wait for a panel to render, run a script, keep a screenshot. The dashboard tests of
 * the sink and the demo's end-to-end test share it. Without {@code chromium} and {@code chromium-driver} installed it
 * fails with the packages to install; {@link #close()} quits the browser.
 */
public final class HeadlessChromium implements AutoCloseable {

    /** How long a panel may take to render. */
    public static final Duration RENDER_TIMEOUT = Duration.ofSeconds(30);

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriver browser;
    private final Path screenshots;

    private HeadlessChromium(ChromeDriver browser, Path screenshots) {
        this.browser = browser;
        this.screenshots = screenshots;
    }

    /**
     * Starts a browser with a fresh profile under {@code profileDir}; screenshots go to
     * {@code target/<screenshotDir>} of the module under test.
     */
    public static HeadlessChromium start(Path profileDir, String screenshotDir) throws IOException {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            assertThat(Files.isExecutable(binary))
                    .as("%s is missing: install the Debian packages chromium and chromium-driver"
                            + " (apt-get install -y --no-install-recommends chromium chromium-driver; .ci/run does)",
                            binary)
                    .isTrue();
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(profileDir),
                "--window-size=1400,2000", "--force-device-scale-factor=1");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(RENDER_TIMEOUT);
        Path screenshots = Files.createDirectories(Path.of(System.getProperty("basedir", "."), "target",
                screenshotDir));
        return new HeadlessChromium(browser, screenshots);
    }

    /** The driver, for what the helpers here do not cover. */
    public ChromeDriver driver() {
        return browser;
    }

    /** Waits until every panel has {@code data-state="rendered"}, naming the error a panel shows if it does not. */
    public void awaitRendered(String... panels) {
        for (String panel : panels) {
            await().atMost(RENDER_TIMEOUT).untilAsserted(() -> {
                WebElement element = browser.findElement(By.id(panel));
                assertThat(element.getDomAttribute("data-state"))
                        .as("panel %s (error shown: %s)", panel,
                                element.findElement(By.className("error")).getDomProperty("textContent"))
                        .isEqualTo("rendered");
            });
        }
    }

    /** Runs a script in the page and returns its result. */
    public Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** Console messages of level SEVERE and above since the last call. */
    public List<String> severeConsoleMessages() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    /** Keeps a screenshot of the page as {@code name} in the screenshot directory. */
    public Path screenshot(String name) throws IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        return Files.copy(shot, screenshots.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        browser.quit();
    }
}
