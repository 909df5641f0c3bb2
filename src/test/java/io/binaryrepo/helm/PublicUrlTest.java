package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The repository URL written into rewritten indexes (the base URL itself: web.WebSettingsTest). */
class PublicUrlTest {

    @Test
    void of_appendsRepoAndName() {
        assertEquals("https://cache.example.com/br/repo/helm", PublicUrl.of("https://cache.example.com/br", "helm"));
    }

    @Test
    void charactersThatCouldEndTheYamlScalar_areEncoded() {
        assertEquals("http://h/x%22y%5Cz%20/repo/helm", PublicUrl.of("http://h/x\"y\\z ", "helm"));
    }
}
