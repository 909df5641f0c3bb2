package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class VariantTest {
    @Test
    void preferred_npmCorgiAccept_isAbbreviated() {
        // what npm, pnpm and yarn send when they only install
        assertEquals(Variant.ABBREVIATED, Variant.preferred(List.of(
                "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*")));
        assertEquals(Variant.ABBREVIATED, Variant.preferred(List.of("application/vnd.npm.install-v1+json")));
    }

    @Test
    void preferred_jsonOrNothing_isFull() {
        assertEquals(Variant.FULL, Variant.preferred(List.of()));
        assertEquals(Variant.FULL, Variant.preferred(List.of("application/json")));
        assertEquals(Variant.FULL, Variant.preferred(List.of("*/*")));
    }

    @Test
    void preferred_jsonRankedHigher_isFull() {
        assertEquals(Variant.FULL, Variant.preferred(List.of(
                "application/vnd.npm.install-v1+json; q=0.5, application/json")));
        assertEquals(Variant.FULL, Variant.preferred(List.of("application/vnd.npm.install-v1+json;q=0")));
    }

    @Test
    void contentTypes_differ() {
        assertEquals("application/json; charset=utf-8", Variant.FULL.contentType());
        assertEquals("application/vnd.npm.install-v1+json; charset=utf-8", Variant.ABBREVIATED.contentType());
    }
}
