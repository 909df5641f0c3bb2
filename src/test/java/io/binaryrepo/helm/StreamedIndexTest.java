package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The index served from its stored entry ({@link StreamedIndex}, for indexes too large to hold) is byte for byte
 * the one {@link StoredIndex} renders from memory, whatever the read sizes (records split across reads), and
 * finds the same charts.
 */
class StreamedIndexTest {
    private static final byte[] REPO = "http://cache.example:8081/repo/helm".getBytes(StandardCharsets.US_ASCII);

    /** The stored form of an index, as the rewrite writes it. */
    private static byte[] stored(InputStream upstreamIndex) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new IndexRewriter(URI.create("https://charts.example.com/stable")).rewrite(upstreamIndex, out);
        return out.toByteArray();
    }

    /** A source that hands out the bytes in reads of 1 to {@code maxRead} bytes. */
    private static StreamedIndex.Source trickle(byte[] b, int maxRead, long seed) {
        return () -> new ByteArrayInputStream(b) {
            private final Random random = new Random(seed);

            @Override
            public synchronized int read(byte[] buf, int off, int len) {
                return super.read(buf, off, Math.min(len, 1 + random.nextInt(maxRead)));
            }
        };
    }

    private static byte[] render(IndexView index) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        index.writeTo(out, REPO);
        return out.toByteArray();
    }

    @Test
    void generatedIndex_servedFromTheStreamEqualsTheHeapRendering_forAnyReadSize() throws Exception {
        byte[] stored = stored(LargeIndex.of(2L * 1024 * 1024));
        StoredIndex heap = StoredIndex.of(stored);
        byte[] expected = render(heap);
        for (int maxRead : new int[] {7, 4096, 1 << 20}) {
            StreamedIndex streamed = StreamedIndex.of(trickle(stored, maxRead, maxRead));
            assertArrayEquals(expected, render(streamed), "read size up to " + maxRead);
            assertEquals(heap.servedLength(REPO), streamed.servedLength(REPO));
        }
        assertEquals(expected.length, heap.servedLength(REPO));
        assertTrue(new String(expected, StandardCharsets.UTF_8).contains("http://cache.example:8081/repo/helm/_charts/"));
    }

    @Test
    void chartLookups_findWhatTheHeapIndexFinds() throws Exception {
        String index = TestChartsIndex.withRelativeAndAbsolute();
        byte[] stored = stored(new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8)));
        StoredIndex heap = StoredIndex.of(stored);
        StreamedIndex streamed = StreamedIndex.of(trickle(stored, 5, 1));
        assertArrayEquals(render(heap), render(streamed));
        List<String> tokens = tokens(stored);
        assertEquals(2, tokens.size(), "two absolute chart URLs: " + tokens);
        for (String token : tokens) {
            assertEquals(heap.proxied(token), streamed.proxied(token));
            assertTrue(streamed.proxied(token).isPresent());
        }
        assertEquals(heap.relative("charts/rel-1.0.0.tgz"), streamed.relative("charts/rel-1.0.0.tgz"));
        assertTrue(streamed.relative("charts/rel-1.0.0.tgz").isPresent());
        assertTrue(streamed.proxied("0".repeat(32)).isEmpty());
        assertTrue(streamed.relative("charts/none.tgz").isEmpty());
    }

    @Test
    void unterminatedRecord_isADamagedDocument() {
        byte[] damaged = "x: \"\u0001abc/a\u0002http://u".getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> StreamedIndex.of(() -> new ByteArrayInputStream(damaged)));
    }

    /** The tokens of the rewritten URLs in a stored index. */
    private static List<String> tokens(byte[] stored) {
        List<String> tokens = new ArrayList<>();
        String s = new String(stored, StandardCharsets.UTF_8);
        for (int i = s.indexOf(StoredIndex.PROXIED); i >= 0; i = s.indexOf(StoredIndex.PROXIED, i + 1)) {
            tokens.add(s.substring(i + 1, s.indexOf('/', i)));
        }
        return tokens;
    }

    /** A small index with two absolute and one relative chart URL. */
    private static final class TestChartsIndex {
        static String withRelativeAndAbsolute() {
            byte[] a = TestCharts.chart("abs", "1.0.0");
            byte[] r = TestCharts.chart("rel", "1.0.0");
            return TestCharts.index(Map.of(
                    "abs", TestCharts.entry("abs", "1.0.0", "https://dl.example/abs-1.0.0.tgz", a)
                            + TestCharts.entry("abs", "1.1.0", "https://dl.example/abs-1.1.0.tgz", a),
                    "rel", TestCharts.entry("rel", "1.0.0", "charts/rel-1.0.0.tgz", r)));
        }
    }
}
