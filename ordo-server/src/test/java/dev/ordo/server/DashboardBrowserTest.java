package dev.ordo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven by Selenium): while a consumer runs, a
 * key parks at a failing record; the page shows it as a stuck key; the operator presses resume and sees it
 * drain. Without Chromium installed the test is skipped, unless {@code ORDO_BROWSER_REQUIRED} is set (CI
 * sets it after installing the browser), in which case it fails.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    @Test
    void anOperatorSeesAStuckKeyPressesResumeAndSeesItDrain() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("ORDO_BROWSER_REQUIRED") != null) {
            assertThat(installed)
                    .as("ORDO_BROWSER_REQUIRED is set: %s and %s must be installed", CHROMIUM, CHROMEDRIVER)
                    .isTrue();
        }
        Assumptions.assumeTrue(installed, "Chromium is not installed (apt-get install chromium chromium-driver)");

        AtomicBoolean fixed = new AtomicBoolean();
        List<String> applied = new CopyOnWriteArrayList<>();
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            try (RecordProducer<String, String> producer = OrdoProducer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .build()) {
                for (int i = 0; i < 400; i++) {
                    producer.send("ACC-" + (i % 20), Integer.toString(i));
                }
                producer.flush();
            }
            try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("balances")
                            .handler(r -> {
                                if (r.key().equals("ACC-7") && r.value().equals("107") && !fixed.get()) {
                                    throw new IllegalStateException("account ACC-7 is locked");
                                }
                                applied.add(r.key());
                            })
                            .start();
                    OrdoServer server = OrdoServer.builder()
                            .attach("balances", consumer)
                            .catalog(log)
                            .start()) {
                ChromeDriver browser = browser();
                try {
                    browser.get(server.dashboardUrl());
                    WebDriverWait wait = new WebDriverWait(browser, WAIT);
                    WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
                            By.cssSelector("#stuck-keys tbody tr[data-key='ACC-7']")));
                    assertThat(row.getText()).contains("PARKED", "account ACC-7 is locked");
                    assertThat(browser.getCurrentUrl())
                            .as("the token leaves the address bar")
                            .doesNotContain(server.token());
                    wait.until(d -> d.findElement(By.cssSelector("#topics tbody"))
                            .getText()
                            .contains("ledger"));
                    screenshot(browser);

                    fixed.set(true);
                    row.findElement(By.cssSelector("button.resume")).click();
                    wait.until(ExpectedConditions.invisibilityOfElementLocated(
                            By.cssSelector("#stuck-keys tbody tr[data-key='ACC-7']")));
                    assertThat(browser.findElement(By.id("action-result")).getText())
                            .contains("resumed");
                    assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
                    await().atMost(WAIT).until(() -> applied.size() == 400);
                    assertThat(consumer.parked()).isEmpty();
                } finally {
                    browser.quit();
                }
            }
        }
    }

    private static ChromeDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1400,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** Keeps what the operator saw, for the README: {@code target/dashboard.png}. */
    private static void screenshot(ChromeDriver browser) throws Exception {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(Path.of("target"));
        Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
