package io.binaryrepo.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.binaryrepo.repo.ProxyError;
import java.util.List;
import java.util.Map;

/**
 * {@link ByteRange#parse} on arbitrary {@code Range} headers and content sizes: no header gives null,
 * otherwise a non-empty range within {@code [0, size)}, or a {@link ProxyError} 400 or 416 (with
 * {@code Content-Range: bytes *}{@code /size}) and code RANGE_INVALID; nothing else.
 *
 * <p>Input layout: the last byte picks the content size ({@link #SIZES}, or past its end a size from the
 * bytes before it); the rest (UTF-8) is the header values separated by newlines, empty for none.
 * Regression inputs: {@code src/test/resources/io/binaryrepo/cache/ByteRangeFuzzTestInputs/parse/}.
 */
class ByteRangeFuzzTest {
    static final long[] SIZES = {0, 1, 2, 10, 100, 1000, 65_536, 1L << 32, Long.MAX_VALUE};

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        int k = data.consumeInt(0, SIZES.length);
        long size = k < SIZES.length ? SIZES[k] : data.consumeLong(0, Long.MAX_VALUE);
        String text = data.consumeRemainingAsString();
        List<String> headers = text.isEmpty() ? List.of() : List.of(text.split("\n", 4));
        ByteRange r;
        try {
            r = ByteRange.parse(headers, size);
        } catch (ProxyError e) {
            assertEquals("RANGE_INVALID", e.code(), () -> headers + " of " + size);
            if (e.status() == 416) {
                assertEquals(Map.of("Content-Range", "bytes */" + size), e.headers());
            } else {
                assertEquals(400, e.status(), () -> headers + " of " + size);
            }
            return;
        }
        if (headers.isEmpty()) {
            assertNull(r);
            return;
        }
        assertTrue(r != null, () -> "no range for " + headers + " of " + size);
        assertTrue(0 <= r.start() && r.start() < r.end() && r.end() <= size,
                () -> r + " outside [0, " + size + ") for " + headers);
        assertEquals(r.end() - r.start(), r.length());
        assertEquals("bytes " + r.start() + "-" + (r.end() - 1) + "/" + size, r.contentRange(size));
    }
}
