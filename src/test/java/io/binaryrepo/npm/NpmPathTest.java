package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.repo.ProxyError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpmPathTest {

    @ParameterizedTest
    @ValueSource(strings = {"@types%2fnode", "@types%2Fnode", "@types/node", "%40types%2fnode", "@types/node/"})
    void parse_scopedPackumentInEveryEncoding_isOneName(String raw) {
        NpmPath p = NpmPath.parse(raw);
        assertEquals(NpmPath.Kind.PACKUMENT, p.kind());
        assertEquals("@types/node", p.name().toString());
        assertEquals("@types%2fnode", p.name().packumentPath());
        assertEquals("npm/r/packuments/_40types/node/_packument", p.key("r"));
    }

    @Test
    void parse_plainPackument() {
        NpmPath p = NpmPath.parse("express");
        assertEquals(NpmPath.Kind.PACKUMENT, p.kind());
        assertNull(p.name().scope());
        assertEquals("express", p.name().packumentPath());
    }

    @Test
    void parse_legacyUpperCaseName_isKeptAndKeyedWithoutCaseCollision() {
        NpmPath upper = NpmPath.parse("JSONStream");
        NpmPath lower = NpmPath.parse("jsonstream");
        assertEquals("JSONStream", upper.name().toString());
        assertTrue(!upper.key("r").equals(lower.key("r")), upper.key("r"));
    }

    @Test
    void parse_scopedTarball() {
        NpmPath p = NpmPath.parse("@types/node/-/node-20.11.0.tgz");
        assertEquals(NpmPath.Kind.TARBALL, p.kind());
        assertEquals("node-20.11.0.tgz", p.item());
        assertEquals("@types/node/-/node-20.11.0.tgz", p.tarballPath());
        assertEquals("npm/r/tarballs/_40types/node/node-20.11.0.tgz", p.key("r"));
    }

    @Test
    void parse_encodedScopedTarball_sameAsUnencoded() {
        assertEquals(NpmPath.parse("@types/node/-/node-1.0.0.tgz"), NpmPath.parse("@types%2fnode/-/node-1.0.0.tgz"));
    }

    @Test
    void parse_versionAndTag() {
        NpmPath v = NpmPath.parse("express/4.18.2");
        assertEquals(NpmPath.Kind.VERSION, v.kind());
        assertEquals("4.18.2", v.item());
        assertEquals("latest", NpmPath.parse("@types%2fnode/latest").item());
    }

    @Test
    void parse_specialEndpoints() {
        assertEquals(NpmPath.Kind.PING, NpmPath.parse("-/ping").kind());
        assertEquals(NpmPath.Kind.SEARCH, NpmPath.parse("-/v1/search").kind());
        assertEquals(NpmPath.Kind.AUDIT_BULK, NpmPath.parse("-/npm/v1/security/advisories/bulk").kind());
        assertEquals(NpmPath.Kind.AUDIT_QUICK, NpmPath.parse("-/npm/v1/security/audits/quick").kind());
    }

    @Test
    void parse_unknownSpecialEndpoint_is404() {
        ProxyError e = assertThrows(ProxyError.class, () -> NpmPath.parse("-/user/org.couchdb.user:bob"));
        assertEquals(404, e.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".hidden", "_private", "a%2e%2e", "express%2f..%2f..", "@types%2f..",
        "express/-/..%2fetc.tgz", "express/-/x.zip", "@scope", "a b", "express/../../etc", "@%2fnode",
        "name%00", "ex%41mple"})
    void parse_malformed_is400WithMessage(String raw) {
        ProxyError e = assertThrows(ProxyError.class, () -> NpmPath.parse(raw));
        assertEquals(400, e.status(), raw + ": " + e.getMessage());
        assertTrue(!e.getMessage().isBlank());
    }

    @Test
    void parse_percentEscapeOtherThanScopeSlash_namesTheRule() {
        ProxyError e = assertThrows(ProxyError.class, () -> NpmPath.parse("ex%41mple"));
        assertTrue(e.getMessage().contains("%2f"), e.getMessage());
    }

    @Test
    void parse_tooLongName_is400() {
        ProxyError e = assertThrows(ProxyError.class, () -> NpmPath.parse("a".repeat(215)));
        assertTrue(e.getMessage().contains("214"), e.getMessage());
    }

    @Test
    void parse_deeperPath_is404() {
        assertEquals(404, assertThrows(ProxyError.class, () -> NpmPath.parse("express/1.0.0/extra")).status());
    }

    @Test
    void parse_empty_is404WithHowTo() {
        ProxyError e = assertThrows(ProxyError.class, () -> NpmPath.parse(""));
        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains("npm config set registry"));
    }
}
