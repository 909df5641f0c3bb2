package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 16's several nodes: three Tomcats with the WAR on one S3 bucket ({@link S3ProxyServer}), each with a
 * local spool directory of its own, behind nginx with consistent hashing over the three (scripts/frontend
 * --backends); the upstream is the CNCF registry behind a request-counting {@link HttpForwarder}. Clients are
 * podman and curl through nginx (TLS, the CA of scripts/gen-certs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String REPOSITORY = "hub";
    private static final Pattern LOG_LINE = Pattern.compile("\"(GET|HEAD) (\\S+) HTTP/[^\"]*\" (\\d+) .* upstream=(.*) upstream_status=");
    private static final String MANIFEST_ACCEPT = "application/vnd.oci.image.manifest.v1+json, "
            + "application/vnd.docker.distribution.manifest.v2+json";

    private Path work;
    private Path certs;
    private S3ProxyServer s3;
    private String bucket;
    private Path config;
    private CncfRegistry registry;
    private HttpForwarder upstream;
    private TestImages.PushedImage cold;
    private TestImages.PushedImage crash;
    private final List<TomcatDeployment> nodes = new ArrayList<>();
    private Map<String, String> nodeEnv;
    private Path frontendPrefix;
    private int frontendPort;
    private final ExecutorService clients = Executors.newFixedThreadPool(24);

    @BeforeAll
    void setUp() throws Exception {
        try {
            work = TempDirs.create("e2e-cluster-");
            registry = CncfRegistry.open();
            cold = TestImages.withLayers(registry, "library/cold:1", 3L << 20, 2L << 20, 1L << 20, 512L << 10, 256L << 10);
            crash = TestImages.withLayer(registry, "library/crash:1", 24L << 20);
            upstream = HttpForwarder.start(URI.create(registry.url()));
            config = work.resolve("repositories.yaml");
            Files.writeString(config, "repositories:\n  - name: " + REPOSITORY + "\n    type: docker\n    url: "
                    + upstream.url() + "\n");
            s3 = S3ProxyServer.start(S3ProxyServer.Backend.FILESYSTEM);
            bucket = s3.newBucket();
            nodeEnv = s3.tomcatEnv(bucket, null, false);
            nodes.add(startNode(0));
            // scripts/tomcat has fetched Tomcat for the first node: the other two can start side by side
            List<Future<TomcatDeployment>> more = List.of(clients.submit(() -> startNode(1)), clients.submit(() -> startNode(2)));
            for (Future<TomcatDeployment> f : more) {
                nodes.add(f.get(5, TimeUnit.MINUTES));
            }
            certs = work.resolve("certs");
            ExternalProcess.runChecked(TIMEOUT, Map.of(), script("gen-certs"), certs.toString(), "docker-remote.example.com",
                    "localhost", "127.0.0.1");
            frontendPort = Ports.free();
            frontendPrefix = work.resolve("nginx");
            List<String> backends = nodes.stream().map(n -> "127.0.0.1:" + n.port()).toList();
            ExternalProcess.runChecked(TIMEOUT, Map.of(), script("frontend"), "nginx", "start", "--port",
                    Integer.toString(frontendPort), "--backends", String.join(",", backends), "--repository", REPOSITORY,
                    "--cert", certs.resolve("server-cert.pem").toString(), "--key", certs.resolve("server-key.pem").toString(),
                    "--prefix", frontendPrefix.toString());
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    private TomcatDeployment startNode(int i) {
        // binaryrepo.storage.dir: the node's local spool; the cache itself is the bucket
        return TomcatDeployment.start(work.resolve("node" + i), work.resolve("node" + i + "-spool"), config, nodeEnv);
    }

    @AfterAll
    void tearDown() {
        clients.shutdownNow();
        try {
            if (frontendPrefix != null) {
                ExternalProcess.run(TIMEOUT, Map.of(), script("frontend"), "nginx", "stop", "--prefix", frontendPrefix.toString());
            }
            for (TomcatDeployment n : nodes) {
                n.close();
            }
            if (s3 != null) {
                s3.close();
            }
        } finally {
            if (upstream != null) {
                upstream.close();
            }
            if (registry != null) {
                registry.close();
            }
            if (work != null) {
                TempDirs.deleteRecursively(work);
            }
        }
    }

    @Test
    @Order(1)
    void coldImage_twentyClientsThroughNginx_oneUpstreamDownloadPerBlobAndEachBlobOnOneNode() throws Exception {
        List<Callable<Integer>> pulls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pulls.add(i % 5 == 0 ? () -> podmanPull(cold) : () -> curlPull(cold));
        }
        runAll("cold pull", pulls);
        for (TestImages.Blob b : blobs(cold)) {
            assertEquals(1, upstream.count("GET /v2/" + cold.repository() + "/blobs/" + b.digest()),
                    "upstream downloads of " + b.digest() + "\n" + diagnostics());
        }
        Map<String, Set<String>> answeredBy = answeringNodes();
        Set<String> used = new TreeSet<>();
        for (TestImages.Blob b : blobs(cold)) {
            Set<String> nodesOfBlob = answeredBy.get("/v2/" + cold.repository() + "/blobs/" + b.digest());
            assertTrue(nodesOfBlob != null && nodesOfBlob.size() == 1,
                    "every request for " + b.digest() + " went to one node: " + nodesOfBlob);
            used.addAll(nodesOfBlob);
        }
        System.out.println("ClusterIT: the 6 blobs of the cold image were served by " + used);
        for (TestImages.Blob b : blobs(cold)) {
            assertTrue(inBucket(b.digest()), b.digest() + " is an object in the bucket");
        }
    }

    @Test
    @Order(2)
    void nodeThatNeverSawTheImage_hitServedFromTheBucket_upstreamNotContacted() throws Exception {
        int before = upstream.requests();
        try (TomcatDeployment fresh = TomcatDeployment.start(work.resolve("node-new"), work.resolve("node-new-spool"), config,
                nodeEnv)) {
            String base = "http://127.0.0.1:" + fresh.port() + "/v2/" + REPOSITORY + "/" + cold.repository();
            Path manifest = work.resolve("fresh-manifest");
            curl(base + "/manifests/" + cold.digest(), manifest, "-H", "Accept: " + MANIFEST_ACCEPT);
            assertEquals(cold.digest(), sha256(manifest), "manifest by digest from a node that never saw it\n" + fresh.log());
            for (TestImages.Blob b : blobs(cold)) {
                Path f = work.resolve("fresh-blob");
                curl(base + "/blobs/" + b.digest(), f);
                assertEquals(b.digest(), sha256(f), "blob from a node that never saw it\n" + fresh.log());
            }
            assertEquals(before, upstream.requests(), "the new node asked the upstream\n" + fresh.log());
        }
    }

    @Test
    @Order(3)
    void nodeKilledMidPull_clientsRetryThroughNginx_everyPullCompletesWithCorrectDigests() throws Exception {
        String layer = crash.layers().get(0).digest();
        String line = "GET /v2/" + crash.repository() + "/blobs/" + layer;
        upstream.limitRate(8L << 20);
        AtomicInteger failedAttempts = new AtomicInteger();
        List<Callable<Integer>> pulls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Callable<Integer> pull = i % 4 == 0 ? () -> podmanPull(crash) : () -> curlPull(crash);
            pulls.add(() -> retrying(pull, failedAttempts));
        }
        List<Future<Integer>> running = pulls.stream().map(clients::submit).toList();
        try {
            Wait.until(Duration.ofSeconds(90), () -> "8 MiB of the 24 MiB layer through one node; " + diagnostics(),
                    () -> upstream.bodyBytes(line) >= 8L << 20);
            // A HEAD of the same URI lands on the same node: nginx's log says which one it is.
            String owner = nodeAnswering("/v2/" + crash.repository() + "/blobs/" + layer);
            TomcatDeployment victim = nodes.stream().filter(n -> owner.equals("127.0.0.1:" + n.port())).findFirst()
                    .orElseThrow(() -> new AssertionError("no node at " + owner));
            victim.kill9();
            upstream.limitRate(0);
            for (Future<Integer> f : running) {
                f.get(3, TimeUnit.MINUTES);
            }
            assertTrue(failedAttempts.get() > 0, "the kill cut no client's pull: nothing was tested");
            assertEquals(2, upstream.count(line),
                    "the layer is fetched once by the killed node and once by the node after it on the ring");
            victim.restart();
        } finally {
            upstream.limitRate(0);
        }
    }

    @Test
    @Order(4)
    void rollingRedeploy_oneNodeAtATime_duringAPullLoop_zeroFailedPulls() throws Exception {
        long failoversBefore = failovers();
        AtomicBoolean redeploying = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger pulls = new AtomicInteger();
        List<Future<?>> loops = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestImages.PushedImage image = i % 2 == 0 ? cold : crash;
            boolean podman = i == 3;
            loops.add(clients.submit(() -> {
                while (redeploying.get()) {
                    try {
                        if (podman) {
                            podmanPull(image);
                        } else {
                            curlPull(image);
                        }
                        pulls.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        failures.add(e.getMessage());
                    }
                }
                return null;
            }));
        }
        try {
            for (TomcatDeployment node : nodes) {
                node.close();
                node.restart();
                Wait.until(Duration.ofSeconds(60), "/health/ready of the restarted node", () -> ready(node));
            }
        } finally {
            redeploying.set(false);
        }
        for (Future<?> f : loops) {
            f.get(3, TimeUnit.MINUTES);
        }
        assertEquals(List.of(), List.copyOf(failures), "failed pulls during the rolling redeploy\n" + diagnostics());
        assertTrue(pulls.get() >= 4, "pulls completed during the redeploy: " + pulls.get());
        long failovers = failovers() - failoversBefore;
        System.out.println("ClusterIT: " + pulls.get() + " pulls during the rolling redeploy, " + failovers
                + " requests nginx sent on to the next node");
        assertTrue(failovers > 0, "no request met a stopped node: the redeploy was not tested");
    }

    /** Requests nginx's log shows as tried on more than one node. */
    private long failovers() throws IOException {
        return Files.readAllLines(frontendPrefix.resolve("logs/access.log")).stream()
                .map(LOG_LINE::matcher).filter(Matcher::find).filter(m -> m.group(4).contains(",")).count();
    }

    // --- clients ---------------------------------------------------------------------------------------------

    /** podman pull through nginx; returns 1 or throws AssertionError. */
    private int podmanPull(TestImages.PushedImage image) {
        try (Podman podman = Podman.withCertDir(certs)) {
            assertEquals(image.digest(), podman.pull("127.0.0.1:" + frontendPort + "/" + image.repository() + ":" + image.tag()));
        }
        return 1;
    }

    /** What a registry client does, with curl through nginx: the manifest by tag, then every blob, each checked. */
    private int curlPull(TestImages.PushedImage image) throws IOException {
        Path dir = Files.createTempDirectory(work, "curl-");
        try {
            String base = "https://127.0.0.1:" + frontendPort + "/v2/" + image.repository();
            curl(base + "/manifests/" + image.tag(), dir.resolve("manifest"), "-H", "Accept: " + MANIFEST_ACCEPT);
            assertEquals(image.digest(), sha256(dir.resolve("manifest")), "manifest of " + image.repository());
            for (TestImages.Blob b : blobs(image)) {
                curl(base + "/blobs/" + b.digest(), dir.resolve("blob"));
                assertEquals(b.digest(), sha256(dir.resolve("blob")), "blob of " + image.repository());
            }
            return 1;
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    private void curl(String url, Path out, String... more) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--fail", "--max-time", "60", "--cacert",
                certs.resolve("ca.crt").toString(), "-o", out.toString()));
        cmd.addAll(List.of(more));
        cmd.add(url);
        ExternalProcess.Result r = ExternalProcess.run(TIMEOUT, Map.of(), cmd.toArray(String[]::new));
        if (!r.succeeded()) {
            throw new AssertionError("curl " + url + " failed (exit " + r.exitCode() + "): " + r.output());
        }
    }

    /** Runs the pull until it succeeds, at most 5 times, 1 s apart; counts the failed attempts. */
    private static int retrying(Callable<Integer> pull, AtomicInteger failedAttempts) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return pull.call();
            } catch (AssertionError | IOException e) {
                failedAttempts.incrementAndGet();
                if (attempt == 5) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    private void runAll(String what, List<Callable<Integer>> pulls) throws Exception {
        List<Future<Integer>> futures = pulls.stream().map(clients::submit).toList();
        List<String> errors = new ArrayList<>();
        for (Future<Integer> f : futures) {
            try {
                f.get(3, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                errors.add(String.valueOf(e.getCause().getMessage()));
            }
        }
        assertEquals(List.of(), errors, what + " failures\n" + diagnostics());
    }

    // --- what the nodes did ----------------------------------------------------------------------------------

    private static List<TestImages.Blob> blobs(TestImages.PushedImage image) {
        List<TestImages.Blob> all = new ArrayList<>(image.layers());
        all.add(image.config());
        return all;
    }

    /** Request path (below the frontend's /) to the nodes nginx's log names as having answered it (the last one tried). */
    private Map<String, Set<String>> answeringNodes() throws IOException {
        Map<String, Set<String>> result = new java.util.HashMap<>();
        for (String l : Files.readAllLines(frontendPrefix.resolve("logs/access.log"))) {
            Matcher m = LOG_LINE.matcher(l);
            if (m.find()) {
                String[] tried = m.group(4).split(",\\s*");
                result.computeIfAbsent(m.group(2), k -> new TreeSet<>()).add(tried[tried.length - 1].trim());
            }
        }
        return result;
    }

    /** Sends a HEAD for the path through nginx and returns the node it went to (first tried), from nginx's log. */
    private String nodeAnswering(String path) throws IOException {
        ExternalProcess.runChecked(TIMEOUT, Map.of(), "curl", "-sS", "-I", "--max-time", "30", "--cacert",
                certs.resolve("ca.crt").toString(), "-o", "/dev/null", "https://127.0.0.1:" + frontendPort + path);
        List<String> lines = Files.readAllLines(frontendPrefix.resolve("logs/access.log"));
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = LOG_LINE.matcher(lines.get(i));
            if (m.find() && m.group(1).equals("HEAD") && m.group(2).equals(path)) {
                return m.group(4).split(",\\s*")[0].trim();
            }
        }
        throw new AssertionError("no HEAD " + path + " in nginx's log");
    }

    private static boolean ready(TomcatDeployment node) {
        ExternalProcess.Result r = ExternalProcess.run(Duration.ofSeconds(10), Map.of(), "curl", "-s", "-o", "/dev/null",
                "-w", "%{http_code}", "http://127.0.0.1:" + node.port() + "/health/ready");
        return r.stdout().trim().equals("200");
    }

    /** Whether the bucket holds an object whose key names this digest's hex. */
    private boolean inBucket(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return s3.keys(bucket).stream().anyMatch(k -> k.contains(hex));
    }

    private String diagnostics() {
        StringBuilder s = new StringBuilder("--- nginx log (tail) ---\n");
        try {
            s.append(PullScenarios.tail(Files.readString(frontendPrefix.resolve("logs/access.log"))));
            Path errors = frontendPrefix.resolve("logs/error.log");
            if (Files.exists(errors)) {
                s.append("\n--- nginx error log (tail) ---\n").append(PullScenarios.tail(Files.readString(errors)));
            }
        } catch (IOException e) {
            s.append(e);
        }
        s.append("\n--- S3Proxy ---\n").append(PullScenarios.tail(s3.logText()));
        for (TomcatDeployment n : nodes) {
            s.append("\n--- node :").append(n.port()).append(" ---\n").append(n.log());
        }
        return s.toString();
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String script(String name) {
        return TomcatDeployment.PROJECT.resolve("scripts").resolve(name).toString();
    }
}
