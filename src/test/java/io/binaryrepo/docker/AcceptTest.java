package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AcceptTest {
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    private static Accept accept(String... headers) {
        return Accept.of(List.of(headers));
    }

    @Test
    void of_severalHeadersAndCommaLists_collectsTypesInOrderWithoutParameters() {
        Accept a = accept(
                DOCKER_MANIFEST + ", " + DOCKER_LIST + ";q=0.9",
                OCI_MANIFEST + " ; q=0.5 ; charset=utf-8",
                OCI_INDEX);

        assertEquals(List.of(DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX), a.types());
        assertEquals(DOCKER_MANIFEST + ", " + DOCKER_LIST + ", " + OCI_MANIFEST + ", " + OCI_INDEX, a.header());
    }

    @Test
    void of_repeatedAndDifferentlyCasedTypes_lowercasedAndDeduplicated() {
        Accept a = accept("Application/VND.OCI.Image.Index.v1+JSON", OCI_INDEX + ";q=1", " " + OCI_INDEX + " ");
        assertEquals(List.of(OCI_INDEX), a.types());
    }

    @Test
    void of_emptyElementsAndBlankHeaders_ignored() {
        Accept a = accept("", " , ,", DOCKER_MANIFEST + ",,", ";q=0.1");
        assertEquals(List.of(DOCKER_MANIFEST), a.types());
    }

    @Test
    void of_namedTypes_acceptsOnlyThoseCaseInsensitively() {
        Accept a = accept(DOCKER_MANIFEST + ", " + DOCKER_LIST);

        assertTrue(a.accepts(DOCKER_MANIFEST));
        assertTrue(a.accepts(DOCKER_LIST.toUpperCase()));
        assertFalse(a.accepts(OCI_MANIFEST));
        assertFalse(a.accepts(OCI_INDEX));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"*/*", " */* ", "*/*;q=0.8", "*/*, */*"})
    void of_onlyWildcard_acceptsAnythingAndAsksUpstreamForEveryManifestType(String header) {
        Accept a = accept(header);

        assertEquals(List.of(), a.types());
        assertTrue(a.accepts(OCI_MANIFEST));
        assertTrue(a.accepts("application/vnd.docker.distribution.manifest.v1+prettyjws"));
        assertTrue(a.accepts("text/plain"));
        assertEquals(Manifest.DEFAULT_ACCEPT, a.header());
    }

    @Test
    void of_noAcceptHeader_acceptsAnythingAndSendsDefault() {
        Accept a = accept();

        assertEquals(List.of(), a.types());
        assertTrue(a.accepts(DOCKER_MANIFEST));
        assertEquals(Manifest.DEFAULT_ACCEPT, a.header());
    }

    @Test
    void of_noAcceptHeader_acceptsAnything() {
        Accept a = Accept.of(List.of());

        assertEquals(List.of(), a.types());
        assertEquals(Manifest.DEFAULT_ACCEPT, a.header());
    }

    @Test
    void defaultAccept_namesEveryManifestType() {
        for (String t : List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST,
                "application/vnd.docker.distribution.manifest.v1+prettyjws",
                "application/vnd.docker.distribution.manifest.v1+json")) {
            assertTrue(Manifest.DEFAULT_ACCEPT.contains(t), t);
        }
    }

    @Test
    void of_manyTypes_cappedAt32() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add("application/x-type-" + i);
        }
        Accept a = accept(String.join(",", many));

        assertEquals(32, a.types().size());
        assertEquals(many.subList(0, 32), a.types());
        assertFalse(a.accepts("application/x-type-35"));
    }

    @Test
    void types_areImmutable() {
        Accept a = accept(OCI_INDEX);
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> a.types().add(OCI_MANIFEST));
    }

    @Test
    void id_sameSetInAnyOrder_sameKeySegment_otherSetOtherSegment() {
        String a = accept(OCI_MANIFEST + ", " + DOCKER_MANIFEST).id();
        assertEquals(a, accept(DOCKER_MANIFEST, OCI_MANIFEST).id());
        org.junit.jupiter.api.Assertions.assertNotEquals(a, accept(OCI_MANIFEST).id());
        org.junit.jupiter.api.Assertions.assertTrue(a.matches("a[0-9a-f]{24}"), a);
    }
}
