package io.binaryrepo.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.repo.ProxyError;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST .../prefetch}: {@code {"references": [...], "platforms": [...]}} (platforms
 * optional). At most {@link #MAX_BODY} bytes (413 beyond; a body of unknown length
 * is read only up to that), 1 to {@link #MAX_REFERENCES} references, every
 * value a string. Immutable.
 */
record PrefetchRequest(List<String> references, Set<String> platforms) {
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_REFERENCES = 100;
    /** An oversized body up to this size is read to its end before the 413 (see {@link #read}). */
    static final int MAX_DRAINED = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    static PrefetchRequest read(HttpServletRequest req) throws IOException {
        if (req.getContentLengthLong() > MAX_DRAINED) {
            throw tooLarge();
        }
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                // Read (and drop) a moderately oversized body so that the client gets the 413 rather than a
                // reset connection while it is still sending; beyond MAX_DRAINED the container may cut it off.
                for (long left = Math.min(req.getContentLengthLong(), MAX_DRAINED) - body.length; left > 0; ) {
                    long n = in.skip(left);
                    if (n <= 0) {
                        break;
                    }
                    left -= n;
                }
                throw tooLarge();
            }
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw bad("the body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw bad("the body must be a JSON object with \"references\"");
        }
        List<String> references = strings(root.get("references"), "references");
        if (references.isEmpty() || references.size() > MAX_REFERENCES) {
            throw bad("\"references\" must list 1 to " + MAX_REFERENCES + " references");
        }
        JsonNode p = root.get("platforms");
        Set<String> platforms = p == null || p.isNull() ? Set.of() : new LinkedHashSet<>(strings(p, "platforms"));
        return new PrefetchRequest(List.copyOf(references), Set.copyOf(platforms));
    }

    private static List<String> strings(JsonNode node, String field) {
        if (node == null || !node.isArray()) {
            throw bad("\"" + field + "\" must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw bad("\"" + field + "\" must be an array of strings");
            }
            out.add(n.asText());
        }
        return out;
    }

    private static ProxyError tooLarge() {
        return new ProxyError(413, "TOO_LARGE", "the body is larger than " + MAX_BODY + " bytes");
    }

    private static ProxyError bad(String message) {
        return new ProxyError(400, "INVALID", message);
    }
}
