package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PackumentScanTest {
    private final PackumentScan scan = new PackumentScan(new TarballUrls(URI.create("https://registry.example.com")),
            1024 * 1024);

    private static InputStream doc() {
        return new ByteArrayInputStream(PackumentWriterTest.PACKUMENT.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tarball_findsTheVersionWhoseUrlMapsToThePath() throws IOException {
        PackumentScan.Dist d = scan.tarball(doc(), "@s/demo/-/demo-1.0.0.tgz").orElseThrow();
        assertEquals(new PackumentScan.Dist("1.0.0", "sha512-AAAA", "0123456789012345678901234567890123456789"), d);
        assertEquals("1.1.0", scan.tarball(doc(), "@s/demo/-/demo-1.1.0.tgz").orElseThrow().version());
    }

    @Test
    void tarball_unknownOrForeign_isEmpty() throws IOException {
        assertTrue(scan.tarball(doc(), "@s/demo/-/demo-2.0.0.tgz").isEmpty());
        assertTrue(scan.tarball(doc(), "demo-0.9.0.tgz").isEmpty(), "a foreign URL never maps to a path");
    }

    @Test
    void resolve_versionOrTag() throws IOException {
        assertEquals(Optional.of("1.0.0"), scan.resolve(doc(), "1.0.0"));
        assertEquals(Optional.of("1.1.0"), scan.resolve(doc(), "latest"));
        assertEquals(Optional.empty(), scan.resolve(doc(), "next"));
    }

    @Test
    void summary_nameAndVersions() throws IOException {
        assertEquals(new PackumentScan.Summary("@s/demo", 3), scan.summary(doc()));
    }

    @Test
    void summary_malformed_fails() {
        assertThrows(JsonProcessingException.class, () -> scan.summary(
                new ByteArrayInputStream("{\"versions\":[]}".getBytes(StandardCharsets.UTF_8))));
        assertThrows(JsonProcessingException.class, () -> scan.summary(
                new ByteArrayInputStream("{\"name\":\"x\"".getBytes(StandardCharsets.UTF_8))));
    }
}
