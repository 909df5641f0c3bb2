package io.binaryrepo.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.e2e.Wait;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser: Debian's headless Chromium driven through chromium-driver by
 * Selenium, after pulls through binaryrepo in embedded Jetty. The screenshot goes to a temp dir; run by
 * hand with {@code -Ddashboard.screenshot=docs/dashboard.png} to refresh the README's picture.
 */
class DashboardBrowserIT extends ComponentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private ChromeDriver browser;

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void dashboard_afterPulls_showsTheStatsAndChartsAndRefreshesItself() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image app = up.putImage("library/app", "1", random(3_000_000, 1), random(700_000, 2));
        up.rateLimitRemaining = "88;w=21600";
        ProxyServer p = proxy(tmp.resolve("cache"), "repositories:\n"
                + "  - name: hub\n    type: docker\n    url: " + up.url() + "\n    readTimeout: 5s\n"
                + "  - name: mirror\n    type: docker\n    url: " + up.url() + "\n    readTimeout: 5s\n");
        for (String repo : List.of("hub", "mirror")) {
            pull(p, repo, app, repo.equals("hub") ? 4 : 1);
        }
        up.manifestMode = FakeRegistry.ManifestMode.FAIL_500;
        assertEquals(502, get(p, "/v2/hub/library/app/manifests/missing").statusCode());
        up.manifestMode = FakeRegistry.ManifestMode.NORMAL;

        browser = chromium();
        browser.manage().window().setSize(new Dimension(1280, 1000));
        browser.get(p.url() + "/");
        assertEquals("binaryrepo", browser.getTitle());
        assertShownEqualsStats(stats(p));
        assertChartsHaveData();
        List<WebElement> errors = browser.findElements(By.cssSelector("#errors tr"));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getText().contains("/v2/library/app/manifests/missing"), errors.get(0).getText());

        Path shots = Files.createTempDirectory(tmp, "screenshots");
        Path shot = shots.resolve("dashboard.png");
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        byte[] png = Files.readAllBytes(shot);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        String keep = System.getProperty("dashboard.screenshot");
        if (keep != null && !keep.isBlank()) {
            Files.copy(shot, Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
        }

        // The page refreshes itself from /api/v1/stats: more pulls show up without reloading it.
        Object marker = browser.executeScript("window.notReloaded = true; return 1;");
        assertEquals(1L, marker);
        pull(p, "hub", app, 2);
        long expected = stats(p).path("repositories").path(0).path("requests").asLong();
        Wait.until(Duration.ofSeconds(30), "the page shows " + expected + " requests", () -> browser
                .findElement(By.cssSelector("[data-stat='repositories.0.requests']")).getText()
                .equals(Long.toString(expected)));
        assertEquals(Boolean.TRUE, browser.executeScript("return window.notReloaded === true;"));
        assertShownEqualsStats(stats(p));

        // A phone's width: nothing sticks out sideways (wide tables scroll inside their box).
        browser.manage().window().setSize(new Dimension(390, 844));
        Wait.until(Duration.ofSeconds(10), "the page fits a phone's width", () -> (Boolean) ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth <= window.innerWidth;"));
    }

    /** Pulls the manifest and every layer of {@code img} {@code times} times through {@code repo}. */
    private void pull(ProxyServer p, String repo, FakeRegistry.Image img, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            assertEquals(200, get(p, "/v2/" + repo + "/library/app/manifests/1").statusCode());
            for (String layer : img.layerDigests()) {
                assertEquals(200, get(p, "/v2/" + repo + "/library/app/blobs/" + layer).statusCode());
            }
        }
    }

    private JsonNode stats(ProxyServer p) throws Exception {
        return JSON.readTree(get(p, "/api/v1/stats").body());
    }

    /** Every number on the page is the one /api/v1/stats gives for its path. */
    private void assertShownEqualsStats(JsonNode stats) {
        List<WebElement> shown = browser.findElements(By.cssSelector("[data-stat]"));
        assertTrue(shown.size() >= 20, "numbers on the page: " + shown.size());
        for (WebElement e : shown) {
            String path = e.getAttribute("data-stat");
            String format = e.getAttribute("data-format");
            JsonNode v = at(stats, path);
            String expected = v.isNull() || v.isMissingNode() ? "\u2013"
                    : "percent".equals(format) ? String.format(java.util.Locale.ROOT, "%.1f%%", v.asDouble() * 100)
                    : "human".equals(format) ? DashboardPage.human(v.asLong())
                    : v.asText();
            assertEquals(expected, e.getText(), path);
        }
        assertEquals("88", browser.findElement(By.cssSelector("[data-stat='repositories.0.rateLimitRemaining']"))
                .getText(), "Docker Hub quota left");
    }

    /** Each chart has a line per series with a point per minute, and the lines of pulled data leave the baseline. */
    private void assertChartsHaveData() {
        List<WebElement> charts = browser.findElements(By.cssSelector("svg[data-chart]"));
        assertEquals(4, charts.size(), "requests and bytes saved for two repositories");
        for (WebElement chart : charts) {
            boolean anyAboveBaseline = false;
            for (WebElement line : chart.findElements(By.tagName("polyline"))) {
                String[] points = line.getAttribute("points").trim().split(" ");
                assertEquals(60, points.length, line.getAttribute("data-series"));
                for (String point : points) {
                    double y = Double.parseDouble(point.split(",")[1]);
                    anyAboveBaseline |= y < DashboardPage.HEIGHT - 5;
                }
            }
            assertTrue(anyAboveBaseline, "chart " + chart.getAttribute("data-chart") + " shows the pulls");
        }
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode n = root;
        for (String k : path.split("\\.")) {
            n = n.isArray() ? n.path(Integer.parseInt(k)) : n.path(k);
        }
        return n;
    }

    private ChromeDriver chromium() throws Exception {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
