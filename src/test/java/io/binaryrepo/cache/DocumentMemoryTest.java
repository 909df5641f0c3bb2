package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The in-memory documents stay within their byte and entry bounds whatever clients ask for. */
class DocumentMemoryTest {

    private static MutableDocuments.Document doc(int size, int missing) {
        return new MutableDocuments.Document(new byte[size], "text/plain", "\"e\"", null, 0, missing);
    }

    @Test
    void put_millionDistinctNegativeAnswers_staysWithinEntryAndByteBounds() {
        DocumentMemory m = new DocumentMemory(64L * 1024 * 1024);
        for (int i = 0; i < 1_000_000; i++) {
            // empty bodies: before, "not found" entries counted nothing and never left memory
            m.put("go/r/example.com/m" + i + "/@v/list", doc(0, 404));
            assertTrue(m.size() <= DocumentMemory.MAX_ENTRIES, "entries " + m.size());
        }
        assertTrue(m.bytes() <= 64L * 1024 * 1024, "bytes " + m.bytes());
        assertNotNull(m.get("go/r/example.com/m999999/@v/list"), "the newest entries are kept");
        assertNull(m.get("go/r/example.com/m0/@v/list"), "the oldest entries went first");
    }

    @Test
    void put_overByteBudget_evictsOldestFirst_andCountsOverhead() {
        DocumentMemory m = new DocumentMemory(1024 * 1024);
        for (int i = 0; i < 100; i++) {
            m.put("k" + i, doc(64 * 1024, 0));
            assertTrue(m.bytes() <= 1024 * 1024, "bytes " + m.bytes());
        }
        assertNotNull(m.get("k99"));
        assertNull(m.get("k0"));
        long oneEntry = m.bytes() / m.size();
        assertTrue(oneEntry >= 64 * 1024 + DocumentMemory.OVERHEAD, "overhead counted: " + oneEntry);
    }

    @Test
    void put_documentLargerThanAQuarterOfTheBudget_notCountedInTheBudget_sharedSoftly() {
        DocumentMemory m = new DocumentMemory(1024 * 1024);
        m.put("small", doc(10, 0));
        long before = m.bytes();
        m.put("huge", doc(300 * 1024, 0));
        assertEquals(before, m.bytes(), "a huge document does not take the budget of the small ones");
        assertNotNull(m.get("small"));
        assertNotNull(m.get("huge"), "softly kept: while the heap has room it is shared, not re-read per request");
    }

    @Test
    void put_sameKeyAgain_replacesWithoutCountingTwice() {
        DocumentMemory m = new DocumentMemory(1024 * 1024);
        m.put("k", doc(1000, 0));
        long once = m.bytes();
        m.put("k", doc(1000, 0));
        assertEquals(once, m.bytes());
        assertEquals(1, m.size());
        m.remove("k");
        assertEquals(0, m.bytes());
    }
}
