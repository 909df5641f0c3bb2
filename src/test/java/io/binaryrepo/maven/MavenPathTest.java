package io.binaryrepo.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.cache.FileStorage;
import io.binaryrepo.maven.MavenPath.Kind;
import io.binaryrepo.repo.ProxyError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MavenPath}: the Maven repository layout, what is immutable, what is mutable, what is refused. */
class MavenPathTest {
    @TempDir
    Path tmp;

    @Test
    void releaseJar_isImmutableArtifact() {
        MavenPath p = MavenPath.parse("org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.jar");
        assertEquals(Kind.ARTIFACT, p.kind());
        assertTrue(p.immutable());
        assertEquals("application/java-archive", p.contentType());
        assertEquals("/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.jar", p.upstreamPath());
        assertEquals("/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.jar.sha1",
                p.upstreamSidecarPath(ChecksumAlgorithm.SHA1));
        assertEquals("c/sha1/org/apache/commons/commons-lang3/3.14.0/_f/commons-lang3-3.14.0.jar",
                p.checksumKey(ChecksumAlgorithm.SHA1));
        assertEquals("a/org/apache/commons/commons-lang3/3.14.0/_f/commons-lang3-3.14.0.jar", p.key());
    }

    @Test
    void pomAndClassifiedJar_areArtifacts() {
        assertEquals(Kind.ARTIFACT, MavenPath.parse("g/a/1.0/a-1.0.pom").kind());
        assertEquals("text/xml", MavenPath.parse("g/a/1.0/a-1.0.pom").contentType());
        assertEquals(Kind.ARTIFACT, MavenPath.parse("io/netty/netty-tcnative/2.0.61.Final/"
                + "netty-tcnative-2.0.61.Final-linux-x86_64.jar").kind());
        assertEquals(Kind.ARTIFACT, MavenPath.parse("g/a/1.0/a-1.0.jar.asc").kind());
    }

    @Test
    void timestampedSnapshotFile_isImmutable() {
        MavenPath p = MavenPath.parse("com/example/lib/1.2-SNAPSHOT/lib-1.2-20240102.030405-7.jar");
        assertEquals(Kind.ARTIFACT, p.kind());
        assertTrue(p.immutable());
        assertEquals(Kind.ARTIFACT,
                MavenPath.parse("com/example/lib/1.2-SNAPSHOT/lib-1.2-20240102.030405-7-sources.jar").kind());
    }

    @Test
    void nonUniqueSnapshotFile_isMutable() {
        MavenPath p = MavenPath.parse("com/example/lib/1.2-SNAPSHOT/lib-1.2-SNAPSHOT.jar");
        assertEquals(Kind.SNAPSHOT_FILE, p.kind());
        assertFalse(p.immutable());
        assertEquals("m/com/example/lib/1.2-SNAPSHOT/_f/lib-1.2-SNAPSHOT.jar", p.key());
    }

    @Test
    void metadataAtEveryLevel_isMutable() {
        for (String path : new String[] {"org/apache/maven/plugins/maven-metadata.xml",
                "org/apache/commons/commons-lang3/maven-metadata.xml",
                "com/example/lib/1.2-SNAPSHOT/maven-metadata.xml", "archetype-catalog.xml"}) {
            MavenPath p = MavenPath.parse(path);
            assertEquals(Kind.METADATA, p.kind(), path);
            assertFalse(p.immutable(), path);
            assertEquals("text/xml", p.contentType(), path);
        }
    }

    @Test
    void rootMetadata_isRefused() {
        ProxyError e = assertThrows(ProxyError.class, () -> MavenPath.parse("maven-metadata.xml"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("under a group or artifact directory"), e.getMessage());
    }

    @Test
    void artifactChecksum_targetsArtifact() {
        MavenPath p = MavenPath.parse("g/a/1.0/a-1.0.jar.sha1");
        assertEquals(Kind.CHECKSUM, p.kind());
        assertEquals(ChecksumAlgorithm.SHA1, p.algorithm());
        assertEquals(MavenPath.parse("g/a/1.0/a-1.0.jar"), p.target());
        assertEquals(Kind.ARTIFACT, p.target().kind());
        assertEquals("text/plain", p.contentType());
        assertThrows(IllegalStateException.class, p::key);
    }

    @Test
    void metadataChecksums_targetMetadata() {
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            MavenPath p = MavenPath.parse("g/a/maven-metadata.xml." + a.extension());
            assertEquals(Kind.CHECKSUM, p.kind());
            assertEquals(a, p.algorithm());
            assertEquals(Kind.METADATA, p.target().kind());
        }
        assertEquals(Kind.ARTIFACT, MavenPath.parse("g/a/1.0/a-1.0.jar.asc.sha1").target().kind());
    }

    @Test
    void checksumOfChecksum_isRefused() {
        ProxyError e = assertThrows(ProxyError.class, () -> MavenPath.parse("g/a/1.0/a-1.0.jar.sha1.md5"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("checksum of a checksum"), e.getMessage());
    }

    @Test
    void directories_areListings() {
        assertEquals(Kind.LISTING, MavenPath.parse("").kind());
        assertEquals(Kind.LISTING, MavenPath.parse("org/apache/").kind());
        assertEquals("", MavenPath.parse("org/apache/").fileName());
        assertThrows(IllegalStateException.class, () -> MavenPath.parse("org/").key());
        assertEquals("l/_d", MavenPath.parse("").listingKey());
        assertEquals("l/org/apache/_d", MavenPath.parse("org/apache/").listingKey());
        assertThrows(IllegalStateException.class, () -> MavenPath.parse("g/a/maven-metadata.xml").checksumKey(ChecksumAlgorithm.SHA1));
    }

    @Test
    void shortPaths_areNotArtifacts() {
        ProxyError e = assertThrows(ProxyError.class, () -> MavenPath.parse("a/1.0/a-1.0.jar"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("expected <groupId as path>/<artifactId>/<version>/<file>"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"g/../a/1/a-1.jar", "g/./a/1/a-1.jar", "g//a/1/a-1.jar", "g/a/1/.hidden",
        "g/a/1/a%2F1.jar", "g/a/1/a\\1.jar", "g/a/1/a 1.jar", "g/a/1/a-1.jar\u0000", ".m2/a/1/a-1.jar",
        "g/a/1/a\u00e9.jar", "g/a/1/a:1.jar", "/g/a/1/a-1.jar"})
    void hostilePaths_areRefusedWith400(String path) {
        ProxyError e = assertThrows(ProxyError.class, () -> MavenPath.parse(path));
        assertEquals(400, e.status());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void overlongPaths_areRefused() {
        assertEquals(400, assertThrows(ProxyError.class, () -> MavenPath.parse("g/" + "a".repeat(201) + "/1/x.jar")).status());
        String deep = "g/".repeat(460) + "a/1/x.jar";
        assertTrue(assertThrows(ProxyError.class, () -> MavenPath.parse(deep)).getMessage().contains("longer than"));
    }

    @Test
    void pathsWhoseKeysWouldBeTooLong_areRefused() {
        ProxyError e = assertThrows(ProxyError.class, () -> MavenPath.parse("g/a/1/" + "_".repeat(150) + ".jar"));
        assertEquals("path too long to cache", e.getMessage());
        String deep = ("__________" + "/").repeat(46) + "a/1/x.jar";
        assertTrue(deep.length() < MavenPath.MAX_PATH);
        assertEquals("path too long to cache", assertThrows(ProxyError.class, () -> MavenPath.parse(deep)).getMessage());
    }

    @Test
    void keys_ofFileAndDirectoryOfTheSameName_neverCollide() throws Exception {
        FileStorage storage = new FileStorage(tmp);
        String file = MavenPath.parse("g/a/1/x.jar").key();
        String underIt = MavenPath.parse("g/a/1/x.jar/b/c/d.jar").key();
        storage.put(file, "jar".getBytes(StandardCharsets.UTF_8));
        storage.put(underIt, "other".getBytes(StandardCharsets.UTF_8));
        assertEquals("jar", new String(storage.read(file, 10).orElseThrow(), StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(tmp.resolve(underIt)));
    }

    @Test
    void keys_escapePlusUnderscoreAndLeadingDash_injectively() throws Exception {
        FileStorage storage = new FileStorage(tmp);
        String[] paths = {"g/a/1+b/a-1+b.jar", "g/a/1_pb/a-1_pb.jar", "g/-a/1/x.jar", "g/_da/1/x.jar", "g/_f/1/x.jar"};
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (String path : paths) {
            String key = MavenPath.parse(path).key();
            assertTrue(keys.add(key), key);
            storage.put(key, path.getBytes(StandardCharsets.UTF_8)); // FileStorage accepts it
        }
        assertNotEquals(MavenPath.parse("g/_f/1/x.jar").key(), MavenPath.parse("g/1/_f/x.jar").key());
    }
}
