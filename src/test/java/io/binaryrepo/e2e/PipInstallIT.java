package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.pypi.TestWheels;
import io.binaryrepo.pypi.TestWheels.Wheel;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.FakeUpstream.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real {@code pip} in fresh virtual environments against binaryrepo's WAR in a real Tomcat. Two upstreams:
 * this machine's own file-based simple index (found in pip's configuration at run time, served over HTTP by
 * {@code python3 -m http.server}: a static PEP 503 HTML tree with relative links and {@code #sha256=}
 * fragments), and a JSON-only PEP 691 index (an in-process server) whose files live on a second host and have
 * PEP 658 metadata files, so that pip resolves from metadata files alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipInstallIT {
    private static final Duration PIP_TIMEOUT = Duration.ofMinutes(5);
    /** A package of this machine's index with several dependencies (Werkzeug, Jinja2, MarkupSafe, ...). */
    private static final String PACKAGE = "flask";
    private static final Pattern DOWNLOADING = Pattern.compile("(?m)^\\s*Downloading (\\S+)");

    private Path work;
    private String python;
    private ExternalProcess fileIndex;
    private FakeUpstream jsonIndex;
    private FakeUpstream jsonFiles;
    private TomcatDeployment tomcat;

    @BeforeAll
    void start() throws Exception {
        work = TempDirs.create("pip-it");
        python = ExternalProcess.runChecked(Duration.ofMinutes(1), Map.of(), "python3", "-c",
                "import sys; print(sys.executable)").stdout().trim();
        Path tree = localIndexTree();
        int port = Ports.free();
        fileIndex = ExternalProcess.start("pypi-file-index", Map.of(), python, "-m", "http.server", "--bind",
                "127.0.0.1", "--directory", tree.toString(), Integer.toString(port));
        fileIndex.waitForHttp("http://127.0.0.1:" + port + "/simple/", Duration.ofSeconds(30));
        jsonIndex = FakeUpstream.start();
        jsonFiles = FakeUpstream.start();
        publishJsonIndex();
        Path config = work.resolve("repositories.yaml");
        // metadataTtl 1s: by the time the second install runs, the pages are stale and must come from the
        // cache while upstream is unreachable (stale if error), not merely within their TTL.
        Files.writeString(config, "repositories:\n"
                + "  - name: pypi-local\n    type: pypi\n    url: http://127.0.0.1:" + port + "/simple\n"
                + "    metadataTtl: 1s\n    readTimeout: 30s\n"
                + "  - name: pypi-json\n    type: pypi\n    url: " + jsonIndex.url() + "/simple\n"
                + "    fileHosts: [" + jsonFiles.url() + "]\n    allowedHosts: [\"127.0.0.1:" + jsonFiles.port() + "\"]\n    metadataTtl: 5m\n");
        tomcat = TomcatDeployment.start(work.resolve("tomcat-base"), work.resolve("cache"), config);
    }

    @AfterAll
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
        if (fileIndex != null) {
            fileIndex.close();
        }
        if (jsonIndex != null) {
            jsonIndex.close();
        }
        if (jsonFiles != null) {
            jsonFiles.close();
        }
        TempDirs.deleteRecursively(work);
    }

    @Test
    void pipInstall_throughBinaryrepo_thenAgainFromTheCacheAloneWithUpstreamStopped() {
        String index = "http://127.0.0.1:" + tomcat.port() + "/repo/pypi-local/simple/";
        ExternalProcess.Result first = pipInstall("venv1", index, PACKAGE);
        List<String> downloads = downloads(first.output());
        assertTrue(downloads.size() >= 5, "flask and its dependencies are downloaded:\n" + first.output());
        for (String url : downloads) {
            assertTrue(url.startsWith("http://127.0.0.1:" + tomcat.port() + "/repo/pypi-local/files/"),
                    "every file comes through binaryrepo: " + url);
        }
        assertImports("venv1", "flask", "werkzeug", "jinja2", "markupsafe");
        String served = fileIndex.logText();
        for (String url : downloads) {
            String file = url.substring(url.lastIndexOf('/') + 1);
            assertTrue(served.contains("GET /files/" + file), "binaryrepo fetched " + file + " upstream:\n" + served);
        }

        fileIndex.close();
        assertFalse(fileIndex.isAlive());
        ExternalProcess.Result second = pipInstall("venv2", index, PACKAGE);
        assertEquals(downloads.size(), downloads(second.output()).size(), second.output());
        // The pages' 1 s TTL had passed: they came from the cache because upstream was unreachable.
        assertTrue(catalinaOut().contains("serving cached pypi/pypi-local/simple/" + PACKAGE + " "), tomcat.log());
        assertImports("venv2", "flask", "werkzeug", "jinja2", "markupsafe");
    }

    @Test
    void pipInstall_jsonOnlyUpstreamWithMetadataFiles_resolvesFromMetadataFiles() {
        String index = "http://127.0.0.1:" + tomcat.port() + "/repo/pypi-json/simple/";
        ExternalProcess.Result r = pipInstall("venv-json", index, "alpha");
        assertTrue(r.output().contains("Successfully installed alpha-1.0 beta-2.0"), r.output());
        // pip read both projects' metadata from the PEP 658 files (through binaryrepo, verified against
        // their advertised hashes), then downloaded each wheel once to install it.
        for (String f : List.of("alpha-1.0-py3-none-any.whl", "beta-2.0-py3-none-any.whl")) {
            assertEquals(1, jsonFiles.count("GET", "/packages/" + f + ".metadata"), f + ".metadata");
            assertEquals(1, jsonFiles.count("GET", "/packages/" + f), f);
        }
        assertTrue(jsonIndex.requests().stream().allMatch(s -> s.header("Accept").startsWith(
                "application/vnd.pypi.simple.v1+json")), "binaryrepo asks upstream for JSON first");
        assertImports("venv-json", "alpha", "beta");
    }

    /** The file tree of the first file:// simple index in this machine's pip configuration. */
    private Path localIndexTree() {
        String config = ExternalProcess.runChecked(Duration.ofMinutes(1), Map.of(), python, "-m", "pip", "config",
                "list").stdout();
        Matcher m = Pattern.compile("file://(/[^\\s']+)/simple").matcher(config);
        assertTrue(m.find(), "pip's configuration names a file-based simple index:\n" + config);
        Path tree = Path.of(m.group(1));
        assertTrue(Files.isRegularFile(tree.resolve("simple/" + PACKAGE + "/index.html")), tree.toString());
        return tree;
    }

    private void publishJsonIndex() {
        Wheel alpha = TestWheels.wheel("alpha", "1.0", List.of("beta>=2"));
        Wheel beta = TestWheels.wheel("beta", "2.0", List.of());
        publish("alpha", "1.0", alpha);
        publish("beta", "2.0", beta);
    }

    private void publish(String project, String version, Wheel w) {
        String url = jsonFiles.url() + "/packages/" + w.fileName();
        String page = "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"" + project + "\",\"versions\":[\"" + version + "\"],"
                + "\"files\":[{\"filename\":\"" + w.fileName() + "\",\"url\":\"" + url + "\",\"hashes\":{\"sha256\":\""
                + w.sha256() + "\"},\"requires-python\":\">=3.8\",\"size\":" + w.bytes().length
                + ",\"upload-time\":\"2026-01-02T03:04:05.000000Z\",\"core-metadata\":{\"sha256\":\""
                + w.metadataSha256() + "\"},\"dist-info-metadata\":{\"sha256\":\"" + w.metadataSha256()
                + "\"}}]}";
        jsonIndex.put("/simple/" + project + "/", Route.ok(page, "application/vnd.pypi.simple.v1+json"));
        jsonFiles.put("/packages/" + w.fileName(), Route.ok(w.bytes(), "application/octet-stream"));
        jsonFiles.put("/packages/" + w.fileName() + ".metadata", Route.ok(w.metadata(), "application/octet-stream"));
    }

    /** {@code pip install} in a fresh venv, with no configuration, no cache and only {@code index}. */
    private ExternalProcess.Result pipInstall(String venv, String index, String pkg) {
        Path dir = work.resolve(venv);
        ExternalProcess.runChecked(Duration.ofMinutes(2), Map.of(), python, "-m", "venv", dir.toString());
        // env -i: this machine's environment sets PIP_FIND_LINKS and friends, which would bypass the index.
        return ExternalProcess.runChecked(PIP_TIMEOUT, Map.of(), "env", "-i", "PATH=/usr/bin:/bin",
                "HOME=" + work, "PIP_CONFIG_FILE=/dev/null", dir.resolve("bin/pip").toString(), "install",
                "--no-cache-dir", "--disable-pip-version-check", "--no-input", "--index-url", index, pkg);
    }

    private void assertImports(String venv, String... modules) {
        ExternalProcess.runChecked(Duration.ofMinutes(1), Map.of(), work.resolve(venv + "/bin/python").toString(),
                "-c", "import " + String.join(", ", modules));
    }

    private String catalinaOut() {
        try {
            return Files.readString(work.resolve("tomcat-base/logs/catalina.out"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> downloads(String pipOutput) {
        List<String> urls = new ArrayList<>();
        Matcher m = DOWNLOADING.matcher(pipOutput);
        while (m.find()) {
            urls.add(m.group(1));
        }
        return urls;
    }
}
