package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.repo.ProxyError;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DockerPathTest {
    private static final String HEX = "0123456789abcdef".repeat(4);
    private static final String DIGEST = "sha256:" + HEX;

    private static DockerPath get(String raw) {
        return DockerPath.parse(raw, "GET");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"v2", "v2/"})
    void parse_base_isBaseWithoutName(String raw) {
        DockerPath p = get(raw);
        assertEquals(new DockerPath(DockerPath.Kind.BASE, null, null, null), p);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "v2/alpine/manifests/latest, alpine, latest",
            "v2/library/alpine/manifests/3.19, library/alpine, 3.19",
            "v2/a/b/c/manifests/v1.2.3-rc_1, a/b/c, v1.2.3-rc_1",
            "v2/foo/manifests/LATEST, foo, LATEST",
            "v2/foo/manifests/_x, foo, _x",
            "v2/my_org/my__app-x--y.z/manifests/v1, my_org/my__app-x--y.z, v1",
            "v2/0/9/manifests/0, 0/9, 0",
            "v2/foo/manifests/manifests/latest, foo/manifests, latest",
            "v2/manifests/manifests/manifests, manifests, manifests",
            "v2/blobs/tags/manifests/list, blobs/tags, list",
            "v2/foo/blobs/uploads/manifests/uploads, foo/blobs/uploads, uploads",
            "v2/foo/referrers/manifests/referrers, foo/referrers, referrers",
            "v2/v2/manifests/v2, v2, v2"})
    void parse_manifestByTag_nameAndTag(String raw, String name, String tag) {
        assertEquals(new DockerPath(DockerPath.Kind.MANIFEST, name, tag, null), get(raw));
    }

    @Test
    void parse_referrers_nameAndSubjectDigest() {
        DockerPath p = get("v2/library/alpine/referrers/" + DIGEST);
        assertEquals(DockerPath.Kind.REFERRERS, p.kind());
        assertEquals("library/alpine", p.name());
        assertEquals(DIGEST, p.digest().toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "v2/library/alpine/manifests/, library/alpine",
            "v2/a/b/c/manifests/, a/b/c",
            "v2/x/blobs/manifests/, x/blobs"})
    void parse_manifestByDigest_nameAndDigest(String prefix, String name) {
        DockerPath p = get(prefix + DIGEST);
        assertEquals(DockerPath.Kind.MANIFEST, p.kind());
        assertEquals(name, p.name());
        assertNull(p.tag());
        assertEquals(Digest.parse(DIGEST), p.digest());
    }

    @Test
    void parse_manifestBySha512Digest_accepted() {
        String d = "sha512:" + HEX + HEX;
        assertEquals(Digest.parse(d), get("v2/foo/manifests/" + d).digest());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "v2/library/alpine/blobs/, library/alpine",
            "v2/a/b/c/blobs/, a/b/c",
            "v2/foo/blobs/blobs/, foo/blobs",
            "v2/foo/manifests/blobs/, foo/manifests",
            "v2/foo/uploads/blobs/, foo/uploads"})
    void parse_blob_nameAndDigest(String prefix, String name) {
        assertEquals(new DockerPath(DockerPath.Kind.BLOB, name, null, Digest.parse(DIGEST)), get(prefix + DIGEST));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "v2/alpine/tags/list, alpine",
            "v2/a/b/c/tags/list, a/b/c",
            "v2/foo/tags/tags/list, foo/tags",
            "v2/foo/manifests/tags/list, foo/manifests",
            "v2/foo/list/tags/list, foo/list"})
    void parse_tagList_name(String raw, String name) {
        assertEquals(new DockerPath(DockerPath.Kind.TAGS, name, null, null), get(raw));
    }

    @Test
    void parse_headMethod_sameAsGet() {
        assertEquals(get("v2/a/b/manifests/latest"), DockerPath.parse("v2/a/b/manifests/latest", "HEAD"));
        assertEquals(get("v2/a/blobs/" + DIGEST), DockerPath.parse("v2/a/blobs/" + DIGEST, "HEAD"));
    }

    @Test
    void parse_nameOf255Characters_accepted() {
        String name = "a".repeat(127) + "/" + "b".repeat(127);
        assertEquals(255, name.length());
        assertEquals(name, get("v2/" + name + "/manifests/latest").name());
    }

    @Test
    void parse_tagOf128Characters_accepted() {
        String tag = "T".repeat(128);
        assertEquals(tag, get("v2/foo/manifests/" + tag).tag());
    }

    static Stream<Arguments> malformed() {
        String name256 = "a".repeat(128) + "/" + "b".repeat(127);
        return Stream.of(
                // repository name grammar
                Arguments.of("v2/Foo/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/library/Alpine/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/FOO/tags/list", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/../manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo/../bar/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/./foo/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo/./blobs/" + DIGEST, "GET", 400, "NAME_INVALID"),
                Arguments.of("v2//x/manifests/a", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/x//y/blobs/" + DIGEST, "GET", 400, "NAME_INVALID"),
                Arguments.of("v2//manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2//tags/list", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo-/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/-foo/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/fo..o/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo___bar/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo:bar/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo bar/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/f\u00f6o/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/" + "a".repeat(256) + "/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/" + name256 + "/blobs/" + DIGEST, "GET", 400, "NAME_INVALID"),
                // encodings a path must never carry
                Arguments.of("v2/%2e%2e/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo%2Fbar/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo%2fbar/tags/list", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo/manifests/latest%00", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo/blobs/sha256%3A" + HEX, "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo\\bar/manifests/latest", "GET", 400, "NAME_INVALID"),
                Arguments.of("v2/foo/manifests/..\\..\\x", "GET", 400, "NAME_INVALID"),
                // tags
                Arguments.of("v2/foo/manifests/" + "a".repeat(129), "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/-latest", "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/.latest", "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/..", "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/la test", "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/latest+1", "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/", "GET", 404, "MANIFEST_UNKNOWN"),
                // digests
                Arguments.of("v2/foo/manifests/sha256:abc", "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/sha256:" + HEX.toUpperCase(), "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/latest:1", "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/manifests/:" + HEX, "GET", 404, "MANIFEST_UNKNOWN"),
                Arguments.of("v2/foo/blobs/md5:d41d8cd98f00b204e9800998ecf8427e", "GET", 400, "DIGEST_INVALID"),
                Arguments.of("v2/foo/blobs/sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", "GET", 400, "DIGEST_INVALID"),
                Arguments.of("v2/foo/blobs/" + HEX, "GET", 400, "DIGEST_INVALID"),
                Arguments.of("v2/foo/blobs/latest", "GET", 400, "DIGEST_INVALID"),
                Arguments.of("v2/foo/blobs/", "GET", 400, "DIGEST_INVALID"),
                Arguments.of("v2/foo/blobs/sha256:" + HEX + "0", "GET", 400, "DIGEST_INVALID"),
                // uploads (pushes)
                Arguments.of("v2/foo/blobs/uploads/", "POST", 405, "UNSUPPORTED"),
                Arguments.of("v2/foo/blobs/uploads", "POST", 405, "UNSUPPORTED"),
                Arguments.of("v2/a/b/blobs/uploads/5b2c4c5e-uuid", "PATCH", 405, "UNSUPPORTED"),
                Arguments.of("v2/a/b/blobs/uploads/5b2c4c5e-uuid", "PUT", 405, "UNSUPPORTED"),
                // APIs a pull-through cache does not offer
                Arguments.of("v2/_catalog", "GET", 404, "UNSUPPORTED"),
                Arguments.of("v2/foo/referrers/latest", "GET", 400, "DIGEST_INVALID"),
                // unknown endpoints
                Arguments.of("v2/foo", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/foo/bar", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/foo/tags", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/foo/tags/list/", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/foo/tags/all", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/foo/manifests/latest/", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/foo/blobs/" + DIGEST + "/", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/manifests/latest", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/tags/list", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2/_catalog/", "GET", 404, "NAME_UNKNOWN"),
                // not under v2/
                Arguments.of("", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v1/foo/manifests/latest", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("V2/foo/manifests/latest", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v2x", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("v22/foo/tags/list", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("/v2/foo/tags/list", "GET", 404, "NAME_UNKNOWN"),
                Arguments.of("foo/v2/", "GET", 404, "NAME_UNKNOWN"));
    }

    @ParameterizedTest(name = "{1} {0} -> {2} {3}")
    @MethodSource("malformed")
    void parse_malformed_rejectedWithStatusAndOciCode(String raw, String method, int status, String code) {
        ProxyError e = assertThrows(ProxyError.class, () -> DockerPath.parse(raw, method));
        assertEquals(status, e.status(), e::getMessage);
        assertEquals(code, e.code(), e::getMessage);
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v2/foo/blobs/uploads/", "v2/foo/blobs/uploads", "v2/a/b/blobs/uploads/uuid-1"})
    void parse_uploads_unsupportedWithEmptyAllowHeader(String raw) {
        ProxyError e = assertThrows(ProxyError.class, () -> DockerPath.parse(raw, "POST"));
        // an upload URL of a read-only cache allows no method at all
        assertEquals(Map.of("Allow", ""), e.headers());
        assertTrue(e.getMessage().contains("read-only pull-through cache"), e.getMessage());
    }

    @Test
    void parse_nonUploadErrors_carryNoHeaders() {
        ProxyError e = assertThrows(ProxyError.class, () -> get("v2/Foo/manifests/latest"));
        assertEquals(Map.of(), e.headers());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "v2//x/manifests/a              | empty path component in repository name",
            "v2/../manifests/a              | relative path component '..' in repository name",
            "v2/./manifests/a               | relative path component '.' in repository name",
            "v2/Foo/manifests/a             | invalid repository name component 'Foo'",
            "v2/%2e%2e/manifests/a          | percent-encoded characters are not allowed",
            "v2/a\\b/manifests/a            | backslashes are not allowed",
            "v2/foo/manifests/              | empty tag",
            "v2/foo/manifests/-x            | invalid tag '-x'",
            "v2/foo/blobs/md5:00            | unsupported digest algorithm 'md5'"})
    void parse_malformed_messageSaysWhatIsWrong(String raw, String expected) {
        ProxyError e = assertThrows(ProxyError.class, () -> get(raw));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void parse_overlongName_messageGivesLimit() {
        ProxyError e = assertThrows(ProxyError.class, () -> get("v2/" + "a".repeat(300) + "/tags/list"));
        assertEquals("repository name longer than 255 characters", e.getMessage());
    }

    @Test
    void parse_overlongTag_messageGivesLimit() {
        ProxyError e = assertThrows(ProxyError.class, () -> get("v2/foo/manifests/" + "a".repeat(129)));
        assertEquals("tag longer than 128 characters", e.getMessage());
    }

    @Test
    void parse_hugeNameComponent_abbreviatedInMessage() {
        String component = "X".repeat(200);
        ProxyError e = assertThrows(ProxyError.class, () -> get("v2/" + component + "/manifests/latest"));
        assertTrue(e.getMessage().contains("X".repeat(64) + "..."), e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }
}
