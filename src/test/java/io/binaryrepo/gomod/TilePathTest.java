package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TilePath}: the tile paths of golang.org/x/mod/sumdb/tlog, in their one canonical spelling. */
class TilePathTest {

    @Test
    void fullTile() {
        TilePath t = TilePath.parse("tile/8/0/000");
        assertEquals(new TilePath(8, 0, 0, 256), t);
        assertFalse(t.partial());
        assertFalse(t.data());
    }

    @Test
    void partialTile_holdsItsWidth() {
        TilePath t = TilePath.parse("tile/8/1/000.p/1");
        assertEquals(new TilePath(8, 1, 0, 1), t);
        assertTrue(t.partial());
    }

    @Test
    void largeIndexesAreWrittenInGroupsOfThree() {
        assertEquals(new TilePath(8, 0, 1_234_067, 256), TilePath.parse("tile/8/0/x001/x234/067"));
        assertEquals("tile/8/0/x001/x234/067", new TilePath(8, 0, 1_234_067, 256).path());
        assertEquals("tile/8/2/x001/000.p/17", new TilePath(8, 2, 1000, 17).path());
    }

    @Test
    void dataTiles() {
        TilePath t = TilePath.parse("tile/8/data/001.p/44");
        assertEquals(new TilePath(8, -1, 1, 44), t);
        assertTrue(t.data());
        assertEquals("tile/8/data/001.p/44", t.path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tile/8/0/0", "tile/8/0/0000", "tile/8/0/x000/001", "tile/8/0/001/234", "tile/08/0/000",
            "tile/8/00/000", "tile/0/0/000", "tile/31/0/000", "tile/8/0/000.p/0", "tile/8/0/000.p/256",
            "tile/8/0/000.p/01", "tile/8/0/000.p", "tile/8/0/000.p/", "tile/8/-1/000", "tile/8/64/000",
            "tile/8/0/x001/x002/x003/x004/x005/x006/007", "tile/8/0/../000", "tile/8/0/00a", "tile/8/0/", "tile/8/0",
            "tiles/8/0/000", "tile/8/data/x/000", "tile/8/0/000/", "tile/8/0/x001", "tile/8/0/001.p/5/6"})
    void nonCanonicalOrMalformedPaths_areRefused(String path) {
        assertNull(TilePath.parse(path));
    }
}
