package io.binaryrepo.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.repo.ProxyError;
import org.junit.jupiter.api.Test;

class ProjectNameTest {

    @Test
    void normalize_followsPep503() {
        assertEquals("demo-pkg", ProjectName.normalize("Demo.Pkg"));
        assertEquals("foo-bar", ProjectName.normalize("Foo__Bar"));
        assertEquals("a-b", ProjectName.normalize("a-_.b"));
        assertEquals("zope-interface", ProjectName.normalize("zope.interface"));
        assertEquals("flask", ProjectName.normalize("flask"));
    }

    @Test
    void isValid_acceptsMetadataNames_refusesOthers() {
        assertTrue(ProjectName.isValid("a"));
        assertTrue(ProjectName.isValid("Demo.Pkg_2"));
        for (String bad : new String[] {"", "-a", "a-", ".a", "a.", "a b", "a%2Fb", "..", "a/b", "ä", "x".repeat(201)}) {
            assertFalse(ProjectName.isValid(bad), bad);
        }
    }

    @Test
    void parse_invalidName_is404WithTheRule() {
        ProxyError e = assertThrows(ProxyError.class, () -> ProjectName.parse("-x-"));
        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains("'-x-' is not a valid project name"), e.getMessage());
        assertEquals("demo-pkg", ProjectName.parse("Demo.Pkg"));
    }
}
