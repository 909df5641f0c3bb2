package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.cache.FileStorage;
import io.binaryrepo.gomod.GoPath.Kind;
import io.binaryrepo.repo.ProxyError;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link GoPath}: the GOPROXY and checksum database paths binaryrepo accepts, and what they become. */
class GoPathTest {
    @TempDir
    Path tmp;

    @Test
    void versionList() {
        GoPath p = GoPath.parse("golang.org/x/mod/@v/list");
        assertEquals(Kind.LIST, p.kind());
        assertEquals("golang.org/x/mod", p.module());
        assertFalse(p.immutable());
        assertEquals("/golang.org/x/mod/@v/list", p.upstreamPath());
        assertEquals("mod/golang.org/x/mod/_v/list", p.key());
    }

    @Test
    void latest_isMutable() {
        GoPath p = GoPath.parse("example.com/mod/@latest");
        assertEquals(Kind.LATEST, p.kind());
        assertFalse(p.immutable());
        assertEquals("/example.com/mod/@latest", p.upstreamPath());
        assertEquals("application/json", p.contentType());
    }

    @Test
    void caseEscapedPath_percentEncodedBang_isDecodedAndSentUpstreamWithBang() {
        GoPath encoded = GoPath.parse("github.com/%21burnt%21sushi/toml/@v/v1.3.2.zip");
        GoPath plain = GoPath.parse("github.com/!burnt!sushi/toml/@v/v1.3.2.zip");
        assertEquals("github.com/BurntSushi/toml", encoded.module());
        assertEquals(plain, encoded);
        assertEquals("/github.com/!burnt!sushi/toml/@v/v1.3.2.zip", encoded.upstreamPath());
        // The escaped form stays on disk, with its '!' encoded for the storage key grammar.
        assertEquals("mod/github.com/_21burnt_21sushi/toml/_v/v1.3.2.zip", encoded.key());
    }

    @Test
    void capitalLettersInVersions_areEscapedToo() {
        GoPath p = GoPath.parse("example.com/m/@v/v1.0.0-%21r%21c1.info");
        assertEquals("v1.0.0-RC1", p.version());
        assertTrue(p.immutable());
        assertEquals("/example.com/m/@v/v1.0.0-!r!c1.info", p.upstreamPath());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.2.3", "v0.0.0-20191109021931-daa7c04131f5", "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.0.0-rc.1", "v2.0.0+incompatible"})
    void infoOfACanonicalVersion_isImmutable(String version) {
        GoPath p = GoPath.parse("example.com/mod/@v/" + version + ".info");
        assertEquals(Kind.INFO, p.kind());
        assertEquals(version, p.version());
        assertTrue(p.immutable());
        assertTrue(p.key().contains("/_v/"), p.key());
    }

    @ParameterizedTest
    @ValueSource(strings = {"master", "v1.2", "v1", "v1.2.3+meta", "latest", "abcdef123456", "v2.0.0"})
    void infoOfAQuery_isMutable(String query) {
        GoPath p = GoPath.parse("example.com/mod/@v/" + query + ".info");
        assertEquals(Kind.INFO, p.kind());
        assertFalse(p.immutable(), query);
        assertTrue(p.key().contains("/_q/"), p.key());
    }

    @Test
    void majorVersionSuffix_decidesWhichVersionsAreExact() {
        assertTrue(GoPath.parse("example.com/mod/v2/@v/v2.1.0.info").immutable());
        assertFalse(GoPath.parse("example.com/mod/v2/@v/v1.1.0.info").immutable());
        assertTrue(GoPath.parse("gopkg.in/yaml.v3/@v/v3.0.1.zip").immutable());
    }

    @Test
    void modAndZip_areImmutable() {
        for (String ext : List.of("mod", "zip")) {
            GoPath p = GoPath.parse("example.com/mod/@v/v1.2.3." + ext);
            assertEquals(ext.equals("mod") ? Kind.MOD : Kind.ZIP, p.kind());
            assertTrue(p.immutable());
            assertEquals("mod/example.com/mod/_v/v1.2.3." + ext, p.key());
        }
        assertEquals("application/zip", GoPath.parse("example.com/mod/@v/v1.2.3.zip").contentType());
    }

    @Test
    void incompatibleVersion_keepsItsPlusUpstreamAndEncodesItInTheKey() {
        GoPath p = GoPath.parse("example.com/old/@v/v2.0.0+incompatible.zip");
        assertEquals("/example.com/old/@v/v2.0.0+incompatible.zip", p.upstreamPath());
        assertEquals("mod/example.com/old/_v/v2.0.0_2bincompatible.zip", p.key());
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com/mod/@v/v1.2.zip", "example.com/mod/@v/v2.0.0.mod",
            "example.com/mod/v2/@v/v1.0.0.zip", "example.com/mod/@v/v1.2.3+meta.zip"})
    void modOrZipOfAVersionThatCannotExist_is404WithoutUpstream(String path) {
        ProxyError e = assertThrows(ProxyError.class, () -> GoPath.parse(path));
        assertEquals(404, e.status());
    }

    @Test
    void sumdbEndpoints() {
        GoPath s = GoPath.parse("sumdb/sum.golang.org/supported");
        assertEquals(Kind.SUMDB_SUPPORTED, s.kind());
        assertEquals("sum.golang.org", s.db());

        GoPath latest = GoPath.parse("sumdb/sum.golang.org/latest");
        assertEquals(Kind.SUMDB_LATEST, latest.kind());
        assertFalse(latest.immutable());
        assertEquals("/sumdb/sum.golang.org/latest", latest.upstreamPath());
        assertEquals("sumdb/sum.golang.org/_latest", latest.key());

        GoPath lookup = GoPath.parse("sumdb/sum.golang.org/lookup/github.com/!burnt!sushi/toml@v1.3.2");
        assertEquals(Kind.SUMDB_LOOKUP, lookup.kind());
        assertEquals("github.com/BurntSushi/toml", lookup.module());
        assertEquals("v1.3.2", lookup.version());
        assertTrue(lookup.immutable());
        assertEquals("/sumdb/sum.golang.org/lookup/github.com/!burnt!sushi/toml@v1.3.2", lookup.upstreamPath());

        GoPath full = GoPath.parse("sumdb/sum.golang.org/tile/8/0/x001/234");
        assertEquals(Kind.SUMDB_TILE, full.kind());
        assertTrue(full.immutable());
        assertEquals("/sumdb/sum.golang.org/tile/8/0/x001/234", full.upstreamPath());
        assertEquals("sumdb/sum.golang.org/_tile/8/0/x001/234", full.key());

        GoPath partial = GoPath.parse("sumdb/sum.golang.org/tile/8/0/x001/234.p/17");
        assertFalse(partial.immutable());
        assertNotEquals(full.key(), partial.key());
    }

    @Test
    void sumdbNamesMayHaveAPortAndAPath() {
        GoPath p = GoPath.parse("sumdb/sum.example.com:8443/go/sumdb/lookup/example.com/m@v1.0.0");
        assertEquals("sum.example.com:8443/go/sumdb", p.db());
        assertEquals("/sumdb/sum.example.com:8443/go/sumdb/lookup/example.com/m@v1.0.0", p.upstreamPath());
        assertEquals("sumdb/sum.example.com_3a8443/go/sumdb/_lookup/example.com/m/_v/v1.0.0", p.key());
    }

    @Test
    void keyMarkersCannotCollideWithModuleElements() {
        // A module element that looks like a marker is encoded, so it cannot meet the marker.
        GoPath p = GoPath.parse("example.com/_v/@v/list");
        assertEquals("mod/example.com/_5fv/_v/list", p.key());
        assertEquals("mod/example.com/_7etilde/_v/list", GoPath.parse("example.com/~tilde/@v/list").key());
        assertEquals("mod/example.com/_2ddash/_v/list", GoPath.parse("example.com/-dash/@v/list").key());
    }

    /** Malformed: 400, and nothing reaches storage or upstream. */
    @ParameterizedTest
    @ValueSource(strings = {
        "example.com/../../etc/@v/list", "example.com/%2e%2e/@v/list", "example.com%2Fx/@v/list",
        "example.com/x/@v/v1.0.0%2Einfo", "example.com/Upper/@v/list", "example.com/!/@v/list",
        "example.com/x!/@v/list", "example.com/!!x/@v/list", "Example.com/@v/list", ".example.com/@v/list",
        "example/@v/list", "example.com//x/@v/list", "/example.com/@v/list", "example.com/x/v1/@v/list",
        "example.com/.hidden/@v/list", "example.com/x/@v/..info",
        "example.com/x/@v/con.info", "example.com/x/@v/v1.0.0:x.info", "example.com/x/@v/V1.0.0.info",
        "example.com/x/@v/v1.0.0 .info", "example.com/x/@v/bad.zip", "example.com/x\\y/@v/list",
        "example.com/x/@latest%00", "example.com/x/%40v/list", "example.com/caf\u00e9/@v/list",
        "sumdb/sum.golang.org/lookup/example.com/x", "sumdb/sum.golang.org/lookup/example.com/x@master",
        "sumdb/sum.golang.org/lookup/example.com/x@v1.0.0@v1.0.0", "sumdb/sum.golang.org/lookup/../x@v1.0.0",
        "sumdb/sum.golang.org/tile/8/0/x000/001", "sumdb/sum.golang.org/tile/8/0/../../x", "sumdb/../x/latest",
        "sumdb/.sum.golang.org/latest", "sumdb/sum.golang.org/../latest", "sumdb/Sum.golang.org/latest",
        "sumdb/sum.golang.org/%2e%2e/latest"})
    void malformedPaths_are400(String raw) {
        ProxyError e = assertThrows(ProxyError.class, () -> GoPath.parse(raw));
        assertEquals(400, e.status(), () -> raw + ": " + e.getMessage());
    }

    /** Well-formed but no endpoint of either protocol: 404. */
    @ParameterizedTest
    @ValueSource(strings = {"", "example.com/x", "example.com/x/@v/", "example.com/x/@v/v1.0.0.tgz",
            "example.com/x/@v/v1.0.0", "example.com/x/@v/list/extra", "example.com/x/@v/sub/v1.0.0.info",
            "example.com/x/@v/../../../x.info",
            "sumdb/sum.golang.org", "sumdb/sum.golang.org/", "sumdb/sum.golang.org/latest/x",
            "sumdb/sum.golang.org/supported/x", "sumdb/", "v2/library/alpine/manifests/latest"})
    void unknownEndpoints_are404(String raw) {
        ProxyError e = assertThrows(ProxyError.class, () -> GoPath.parse(raw));
        assertEquals(404, e.status(), () -> raw + ": " + e.getMessage());
    }

    @Test
    void tooLongPaths_are400() {
        String longElement = "a".repeat(300);
        assertEquals(400, assertThrows(ProxyError.class,
                () -> GoPath.parse("example.com/" + longElement + "/@v/list")).status());
        assertEquals(400, assertThrows(ProxyError.class,
                () -> GoPath.parse("example.com/" + "x/".repeat(1100) + "@v/list")).status());
    }

    /** Every accepted path maps to a key FileStorage takes, inside the cache root. */
    @ParameterizedTest
    @ValueSource(strings = {"example.com/-x/_y/~z/a.b-c/@v/list", "example.com/!x!y/@latest",
            "example.com/x/@v/v1.0.0-!r!c.1+incompatible.info", "example.com/x/@v/my~branch_1+x.info",
            "gopkg.in/yaml.v2/@v/v2.4.0.zip", "sumdb/localhost:8080/a_b/~c/lookup/example.com/!x@v0.0.1",
            "sumdb/sum.golang.org/tile/8/data/x001/002.p/3",
            "example.com/abcdefgh/abcdefgh/abcdefgh/abcdefgh/abcdefgh/abcdefgh/abcdefgh/abcdefgh/abcdefgh/@v/list"})
    void keysOfAcceptedPaths_satisfyTheStorageGrammar(String raw) throws Exception {
        GoPath p = GoPath.parse(raw);
        FileStorage storage = new FileStorage(tmp);
        // get() validates the key (IllegalArgumentException otherwise) and resolves it under the root.
        assertTrue(storage.get("go/repo/" + p.key()).isEmpty());
        storage.put("go/repo/" + p.key(), new byte[] {1});
        assertTrue(storage.exists("go/repo/" + p.key()));
    }

    @Test
    void keysDifferOnlyWhereTheContentDiffers() {
        // A query .info and an exact .info of similar names never share a key.
        assertNotEquals(GoPath.parse("example.com/x/@v/v1.0.0.info").key(), GoPath.parse("example.com/x/@v/v1.0.info").key());
        // Two modules whose escaped paths differ only in case escapes are two keys.
        assertNotEquals(GoPath.parse("example.com/!a/@v/list").key(), GoPath.parse("example.com/a/@v/list").key());
        assertNull(GoPath.parse("sumdb/sum.golang.org/latest").module());
    }
}
