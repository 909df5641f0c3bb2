package io.binaryrepo.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {

    private static ProxyError reject(String header, long size) {
        return assertThrows(ProxyError.class, () -> ByteRange.parse(List.of(header), size));
    }

    @Test
    void parse_noHeader_wholeContent() {
        assertNull(ByteRange.parse(null, 100));
        assertNull(ByteRange.parse(List.of(), 100));
    }

    @ParameterizedTest(name = "{0} of {1} -> [{2}, {3})")
    @CsvSource({
            "bytes=0-9,      100, 0,  10",
            "bytes=0-0,      100, 0,  1",
            "bytes=99-99,    100, 99, 100",
            "bytes=10-,      100, 10, 100",
            "bytes=0-,       100, 0,  100",
            "bytes=99-,      100, 99, 100",
            "bytes=-5,       100, 95, 100",
            "bytes=-100,     100, 0,  100",
            "bytes=-500,     100, 0,  100",
            "bytes=0-999,    100, 0,  100",
            "bytes=50-1000000000000, 100, 50, 100",
            "' bytes=1-2 ',  100, 1,  3",
            "bytes=0-9223372036854775807, 100, 0, 100",
            "bytes=0-0,      1,   0,  1"})
    void parse_singleRange_resolvedAgainstSize(String header, long size, long start, long end) {
        ByteRange r = ByteRange.parse(List.of(header), size);
        assertEquals(new ByteRange(start, end), r);
        assertEquals(end - start, r.length());
    }

    @Test
    void contentRange_inclusiveLastAndSize() {
        assertEquals("bytes 0-9/100", ByteRange.parse(List.of("bytes=0-9"), 100).contentRange(100));
        assertEquals("bytes 95-99/100", ByteRange.parse(List.of("bytes=-5"), 100).contentRange(100));
        assertEquals("bytes 10-99/100", ByteRange.parse(List.of("bytes=10-500"), 100).contentRange(100));
    }

    @Test
    void parse_severalHeaders_rejected400() {
        ProxyError e = assertThrows(ProxyError.class, () -> ByteRange.parse(List.of("bytes=0-1", "bytes=2-3"), 100));
        assertEquals(400, e.status());
        assertEquals("RANGE_INVALID", e.code());
        assertEquals("more than one Range header", e.getMessage());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"bytes=0-1,5-6", "bytes=0-1, 5-6", "bytes=0-1,", "bytes=-1,-2"})
    void parse_multipleRanges_unsatisfiable416WithContentRange(String header) {
        ProxyError e = reject(header, 100);
        assertEquals(416, e.status());
        assertEquals("RANGE_INVALID", e.code());
        assertEquals(Map.of("Content-Range", "bytes */100"), e.headers());
        assertTrue(e.getMessage().contains("single byte range"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} of {1}")
    @CsvSource({
            "bytes=100-199, 100",
            "bytes=100-100, 100",
            "bytes=100-,    100",
            "bytes=5000-,   100",
            "bytes=0-,      0",
            "bytes=0-0,     0",
            "bytes=-1,      0",
            "bytes=-0,      100"})
    void parse_unsatisfiable_rejected416WithContentRange(String header, long size) {
        ProxyError e = reject(header, size);
        assertEquals(416, e.status(), e::getMessage);
        assertEquals("RANGE_INVALID", e.code());
        assertEquals(Map.of("Content-Range", "bytes */" + size), e.headers());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"bytes=9-5", "bytes=1-0", "bytes=500-200"})
    void parse_endBeforeStart_rejected400(String header) {
        ProxyError e = reject(header, 100);
        assertEquals(400, e.status());
        assertEquals("RANGE_INVALID", e.code());
        assertEquals("Range end before its start", e.getMessage());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=0-b", "bytes=0x1-2", "items=0-1",
            "bytes 0-1", "bytes=+1-2", "bytes=1--2", "bytes=-1-2", "bytes = 0-1", "bytes=0 -1",
            "bytes=1.5-2", "bytes=\u0661-\u0662",
            "bytes=12345678901234567890-", "bytes=0-12345678901234567890", "bytes=-12345678901234567890"})
    void parse_garbage_rejected400(String header) {
        ProxyError e = reject(header, 100);
        assertEquals(400, e.status(), e::getMessage);
        assertEquals("RANGE_INVALID", e.code());
        assertEquals(Map.of(), e.headers());
    }

    @Test
    void parse_nineteenDigitsBeyondLong_rejected400() {
        ProxyError e = reject("bytes=0-9999999999999999999", 100);
        assertEquals(400, e.status());
        assertEquals("Range position out of bounds", e.getMessage());
    }

    @Test
    void parse_headerLongerThan100Characters_rejected400() {
        ProxyError e = reject("bytes=0-1" + " ".repeat(50) + "x".repeat(50), 100);
        assertEquals(400, e.status());
        assertEquals("Range header longer than 100 characters", e.getMessage());
    }
}
