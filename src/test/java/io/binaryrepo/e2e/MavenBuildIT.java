package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real {@code mvn} (Debian's Maven 3.8.7) building a small real project ({@link MavenTestProject}:
 * jackson-databind, commons-lang3, junit-jupiter run by surefire) through binaryrepo's WAR in a real Tomcat,
 * with Maven Central as the live upstream (its URL read from the installed Maven's super POM) behind a local
 * {@link HttpForwarder}; a settings.xml mirror of {@code *} sends every request to binaryrepo, and each
 * build starts from an empty local repository. Then the forwarder is stopped (upstream unreachable) and the
 * same build, again from an empty local repository, succeeds from binaryrepo's cache alone.
 */
class MavenBuildIT {
    private static final String COMMONS_LANG = "org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.jar";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private Path work;
    private HttpForwarder upstream;
    private TomcatDeployment tomcat;

    @BeforeEach
    void start() throws Exception {
        work = TempDirs.create("maven");
        upstream = HttpForwarder.start(MavenClient.centralUrl());
        Path repositories = work.resolve("repositories.yaml");
        Files.writeString(repositories, "repositories:\n  - name: maven-central\n    type: maven\n    url: "
                + upstream.url() + "\n    metadataTtl: 5m\n");
        tomcat = TomcatDeployment.start(work.resolve("tomcat-base"), work.resolve("cache"), repositories);
    }

    @AfterEach
    void stop() {
        try {
            if (tomcat != null) {
                tomcat.close();
            }
        } finally {
            if (upstream != null) {
                upstream.close();
            }
            TempDirs.deleteRecursively(work);
        }
    }

    @Test
    void mvnPackage_throughBinaryrepo_thenWithUpstreamDown_fromTheCacheAlone() throws Exception {
        String mirror = "http://127.0.0.1:" + tomcat.port() + "/repo/maven-central/";
        Path settings = MavenClient.writeSettings(work.resolve("settings.xml"), mirror);

        Path first = MavenTestProject.write(work.resolve("project-1"));
        Path firstRepo = work.resolve("m2-1");
        assertBuilds(MavenClient.run(first, settings, firstRepo, "package"), first);
        int forwarded = upstream.requests();
        assertTrue(forwarded > 50, "the build resolved its artifacts from upstream through binaryrepo: " + forwarded);
        // What Maven stored is what binaryrepo served, and the checksum file binaryrepo served matches it.
        byte[] jar = Files.readAllBytes(firstRepo.resolve(COMMONS_LANG));
        assertEquals(sha1(jar), Files.readString(firstRepo.resolve(COMMONS_LANG + ".sha1")).trim());
        HttpResponse<byte[]> served = get(mirror + COMMONS_LANG);
        assertEquals(200, served.statusCode());
        assertEquals(sha1(jar), served.headers().firstValue("X-Checksum-Sha1").orElse(null));

        upstream.close();
        assertThrows(ConnectException.class, () -> http.send(HttpRequest.newBuilder(URI.create(upstream.url() + "/"))
                .build(), HttpResponse.BodyHandlers.discarding()), "the forwarder is down");

        Path second = MavenTestProject.write(work.resolve("project-2"));
        Path secondRepo = work.resolve("m2-2");
        assertBuilds(MavenClient.run(second, settings, secondRepo, "package"), second);
        assertTrue(Files.isRegularFile(secondRepo.resolve(COMMONS_LANG)), "resolved again into the empty local repository");

        // Content that was never cached is a failure while upstream is down, never a "not found".
        HttpResponse<byte[]> uncached = get(mirror + "org/apache/commons/commons-lang3/3.13.0/commons-lang3-3.13.0.jar");
        assertEquals(502, uncached.statusCode(), new String(uncached.body(), StandardCharsets.UTF_8));
    }

    private void assertBuilds(ExternalProcess.Result build, Path project) {
        String log = build.output();
        assertTrue(build.succeeded(), () -> "mvn package failed:\n" + PullScenarios.tail(log) + "\nTomcat:\n" + tomcat.log());
        assertTrue(log.contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0"), () -> PullScenarios.tail(log));
        assertTrue(Files.isRegularFile(project.resolve(MavenTestProject.JAR)), "the jar was built");
        assertTrue(log.contains("Downloaded from binaryrepo: http://127.0.0.1:" + tomcat.port() + "/repo/maven-central/"),
                "artifacts came through the mirror");
        assertFalse(log.contains("Checksum validation failed"), () -> "checksums of what binaryrepo served:\n" + log);
    }

    private HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha1(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
    }
}
