package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The WAR in real Tomcats on the S3 backend (issue 16), S3Proxy with its filesystem backend as the object
 * store: podman pulls through the first node (a 40 MiB layer: a multipart upload), then a second node on the
 * same bucket, which never saw the image, serves it to skopeo with the upstream registry stopped, blobs
 * answered with presigned redirects (binaryrepo.storage.s3.redirect=true).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3PullIT {
    private Path work;
    private CncfRegistry registry;
    private S3ProxyServer s3;
    private TestImages.PushedImage big;
    private TestImages.PushedImage small;
    private Path config;
    private String bucket;

    @BeforeAll
    void setUp() throws Exception {
        work = TempDirs.create("s3-pull");
        registry = CncfRegistry.open();
        big = TestImages.withLayer(registry, "library/big:1", 40L << 20);
        small = TestImages.small(registry, "library/small:1");
        s3 = S3ProxyServer.start(S3ProxyServer.Backend.FILESYSTEM);
        bucket = s3.newBucket();
        config = work.resolve("repositories.yaml");
        Files.writeString(config, "repositories:\n  - name: docker-remote\n    type: docker\n    url: " + registry.url()
                + "\n    metadataTtl: 30m\n");
    }

    @AfterAll
    void tearDown() {
        try {
            if (s3 != null) {
                s3.close();
            }
            if (registry != null) {
                registry.close();
            }
        } finally {
            TempDirs.deleteRecursively(work);
        }
    }

    @Test
    void pullThroughOneNode_secondNodeOnTheSameBucket_servesWithUpstreamStopped() throws Exception {
        try (TomcatDeployment first = TomcatDeployment.start(work.resolve("tomcat1"), work.resolve("spool1"), config,
                s3.tomcatEnv(bucket, "cache", false)); Podman podman = new Podman()) {
            String host = "127.0.0.1:" + first.port();
            assertEquals(big.digest(), pull(first, () -> podman.pull(host + "/docker-remote/library/big:1")));
            assertEquals(small.digest(), pull(first, () -> podman.pull(host + "/docker-remote/library/small:1")));
        }
        List<String> keys = s3.keys(bucket);
        assertTrue(keys.stream().anyMatch(k -> k.startsWith("cache/docker/blobs/sha256/")), keys.toString());
        try (Stream<Path> local = Files.walk(work.resolve("spool1"))) {
            assertEquals(List.of(), local.filter(Files::isRegularFile).toList(), "the node keeps nothing locally");
        }

        registry.stop();
        Path base2 = work.resolve("tomcat2");
        try (TomcatDeployment second = TomcatDeployment.start(base2, work.resolve("spool2"), config,
                s3.tomcatEnv(bucket, "cache", true))) {
            String host = "127.0.0.1:" + second.port();
            Path oci = work.resolve("oci");
            assertEquals(big.digest(), pull(second, () -> new Skopeo().copyAll(host + "/docker-remote/library/big:1", oci)));
        }
        String access = accessLog(base2); // complete once Tomcat stopped (the access log is buffered)
        assertTrue(access.matches("(?s).*GET /v2/docker-remote/library/big/blobs/sha256:[0-9a-f]+ HTTP/1.1\" 307 .*"),
                "blobs answered with presigned redirects:\n" + access);
    }

    private static <T> T pull(TomcatDeployment node, java.util.concurrent.Callable<T> action) throws Exception {
        try {
            return action.call();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\n--- Tomcat log ---\n" + node.log(), e);
        }
    }

    private static String accessLog(Path base) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> logs = Files.list(base.resolve("logs"))) {
            for (Path p : logs.filter(p -> p.getFileName().toString().startsWith("localhost_access")).toList()) {
                out.append(Files.readString(p));
            }
        }
        return out.toString();
    }
}
