package io.binaryrepo.repo;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single byte range from a {@code Range} header (RFC 9110 section 14), resolved against the content
 * size: {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}. Multiple ranges are refused (no client
 * of a registry asks for them). Immutable.
 *
 * @param start first byte, inclusive
 * @param end last byte, exclusive
 */
public record ByteRange(long start, long end) {
    private static final Pattern SPEC = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})", Pattern.CASE_INSENSITIVE);

    public long length() {
        return end - start;
    }

    /** {@code Content-Range} value for a 206. */
    public String contentRange(long size) {
        return "bytes " + start + "-" + (end - 1) + "/" + size;
    }

    /**
     * Parses the request's {@code Range} headers.
     *
     * @param headers every {@code Range} header value of the request
     * @param size the content size
     * @return null when the whole content is to be sent
     * @throws ProxyError 400 for several headers or bad syntax, 416 for an unsatisfiable range
     */
    public static ByteRange parse(List<String> headers, long size) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        if (headers.size() > 1) {
            throw new ProxyError(400, "RANGE_INVALID", "more than one Range header");
        }
        String h = headers.get(0).trim();
        if (h.length() > 100) {
            throw new ProxyError(400, "RANGE_INVALID", "Range header longer than 100 characters");
        }
        if (h.contains(",")) {
            throw unsatisfiable(size, "only a single byte range is supported");
        }
        Matcher m = SPEC.matcher(h);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            throw new ProxyError(400, "RANGE_INVALID", "malformed Range header (expected bytes=<first>-[<last>] or bytes=-<suffix>)");
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    throw unsatisfiable(size, "empty suffix range");
                }
                return new ByteRange(Math.max(0, size - suffix), size);
            }
            long first = Long.parseLong(m.group(1));
            // An absent last-pos means "to the end": bytes=<size>- is unsatisfiable (416), not malformed.
            long last = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
            if (last < first) {
                throw new ProxyError(400, "RANGE_INVALID", "Range end before its start");
            }
            if (first >= size) {
                throw unsatisfiable(size, "Range starts at or after the end of the content (" + size + " bytes)");
            }
            return new ByteRange(first, Math.min(last, size - 1) + 1);
        } catch (NumberFormatException e) {
            throw new ProxyError(400, "RANGE_INVALID", "Range position out of bounds");
        }
    }

    private static ProxyError unsatisfiable(long size, String message) {
        return new ProxyError(416, "RANGE_INVALID", message, Map.of("Content-Range", "bytes */" + size));
    }
}
