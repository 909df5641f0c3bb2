package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Semver} against golang.org/x/mod/semver's test table and module.CanonicalVersion. */
class SemverTest {

    /** semver_test.go: input and its canonical form ("" when invalid). */
    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
        "bad,-", "v1-alpha.beta.gamma,-", "v1-pre,-", "v1+meta,-", "v1-pre+meta,-", "v1.2-pre,-", "v1.2+meta,-",
        "v1.2-pre+meta,-", "v1.0.0-alpha,v1.0.0-alpha", "v1.0.0-alpha.1,v1.0.0-alpha.1",
        "v1.0.0-alpha.beta,v1.0.0-alpha.beta", "v1.0.0-beta,v1.0.0-beta", "v1.0.0-beta.2,v1.0.0-beta.2",
        "v1.0.0-beta.11,v1.0.0-beta.11", "v1.0.0-rc.1,v1.0.0-rc.1", "v1,v1.0.0", "v1.0,v1.0.0", "v1.0.0,v1.0.0",
        "v1.2,v1.2.0", "v1.2.0,v1.2.0", "v1.2.3-456,v1.2.3-456", "v1.2.3-456.789,v1.2.3-456.789",
        "v1.2.3-456-789,v1.2.3-456-789", "v1.2.3-456a,v1.2.3-456a", "v1.2.3-pre,v1.2.3-pre",
        "v1.2.3-pre+meta,v1.2.3-pre", "v1.2.3-pre.1,v1.2.3-pre.1", "v1.2.3-zzz,v1.2.3-zzz", "v1.2.3,v1.2.3",
        "v1.2.3+meta,v1.2.3", "v1.2.3+meta-pre,v1.2.3", "v1.2.3+meta-pre.sha.256a,v1.2.3",
        // leading zeros
        "v01.2.3,-", "v1.02.3,-", "v1.2.3-01,-", "v1.2.3-0a,v1.2.3-0a", "1.2.3,-", "v1.2.3-,-", "v1.2.3-a..b,-"})
    void validityAndCanonicalForm_asGoSemver(String in, String canonical) {
        assertEquals(canonical != null, Semver.isValid(in), in);
        assertEquals(canonical != null && canonical.equals(in), Semver.isCanonical(in), in);
    }

    @Test
    void incompatibleIsTheOnlyBuildSuffixOfACanonicalVersion() {
        assertTrue(Semver.isCanonical("v2.0.0+incompatible"));
        assertTrue(Semver.isCanonical("v0.0.0-20191109021931-daa7c04131f5"));
        assertTrue(Semver.isCanonical("v1.2.4-0.20191109021931-daa7c04131f5+incompatible"));
        assertFalse(Semver.isCanonical("v2.0.0+incompatible.1"));
        assertFalse(Semver.isCanonical("v2.0.0+build"));
    }

    @Test
    void fitsPathMajor_asModuleCheckPathMajor() {
        assertTrue(Semver.fitsPathMajor("v1.2.3", ""));
        assertTrue(Semver.fitsPathMajor("v0.1.0", ""));
        assertFalse(Semver.fitsPathMajor("v2.0.0", ""));
        assertTrue(Semver.fitsPathMajor("v2.0.0+incompatible", ""));
        assertTrue(Semver.fitsPathMajor("v2.1.0", "/v2"));
        assertFalse(Semver.fitsPathMajor("v3.0.0", "/v2"));
        assertFalse(Semver.fitsPathMajor("v1.0.0", "/v2"));
        assertTrue(Semver.fitsPathMajor("v2.5.1", ".v2"));
        assertTrue(Semver.fitsPathMajor("v2.5.1", ".v2-unstable"));
        assertTrue(Semver.fitsPathMajor("v0.0.0-20161208181325-20d25e280405", ".v1"));
        assertFalse(Semver.fitsPathMajor("v1.2", ""));
    }
}
