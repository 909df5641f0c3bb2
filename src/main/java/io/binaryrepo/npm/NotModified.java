package io.binaryrepo.npm;

import io.binaryrepo.repo.Resource;
import java.util.LinkedHashMap;
import java.util.Map;

/** The 304 answer to an {@code If-None-Match} naming the current ETag (RFC 9110 section 13.1.2). Stateless. */
final class NotModified {
    private NotModified() {
    }

    /** Whether {@code ifNoneMatch} ({@code *} or a list of entity tags, weak or strong) names {@code etag}. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (etag == null) {
            return false;
        }
        String opaque = etag.startsWith("W/") ? etag.substring(2) : etag;
        for (String t : ifNoneMatch.split(",")) {
            String tag = t.trim();
            if (tag.equals("*")) {
                return true;
            }
            // If-None-Match uses the weak comparison: W/"x" matches "x".
            if ((tag.startsWith("W/") ? tag.substring(2) : tag).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    /** 304 with the answer's ETag, Vary and Cache-Control, and no body. */
    static Resource.Fixed of(Resource.Rendered r) {
        Map<String, String> h = new LinkedHashMap<>(r.headers());
        return new Resource.Fixed(304, r.contentType(), h, new byte[0]);
    }
}
