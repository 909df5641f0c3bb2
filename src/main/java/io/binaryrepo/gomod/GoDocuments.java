package io.binaryrepo.gomod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * The small documents of a Go repository, all kept by the shared document cache: version lists,
 * {@code @latest}, {@code .info}, and the checksum database's {@code latest}, lookups and tiles.
 *
 * <p>Mutable ones ({@code @v/list}, {@code @latest}, query {@code .info}, {@code sumdb latest}, partial
 * tiles) are served within the repository's {@code metadataTtl}, then revalidated, and served stale when
 * upstream fails. Immutable ones ({@code .info} of a canonical version, lookups, full tiles) get a TTL
 * that never ends: never revalidated, but still with what the document cache gives every document, one
 * upstream request however many clients ask, and short negative caching of "not found" (the go command
 * probes every path prefix of a package for a module, so most probes are 404s). Before an immutable
 * answer is cached forever it is checked for the shape it must have, so a broken upstream's error page
 * does not stay in the cache. Thread-safe.
 */
final class GoDocuments {
    /** Larger than any real version list, lookup or tile. */
    static final int MAX_DOCUMENT = 4 * 1024 * 1024;
    /** Never expires: {@code now - fetchedAt < Long.MAX_VALUE} always holds. */
    private static final Duration FOREVER = Duration.ofMillis(Long.MAX_VALUE);
    /** Negative answers are kept at most this long, however long the metadata TTL is. */
    static final Duration MAX_NEGATIVE_TTL = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> IMMUTABLE = Map.of("Cache-Control", "public, max-age=31536000, immutable");

    private final String keyPrefix;
    private final UpstreamClient upstream;
    private final MutableDocuments.Policy mutable;
    private final MutableDocuments.Policy immutable;

    /**
     * @param keyPrefix the repository's storage key prefix, ending with {@code /}
     * @param metadataTtl how long mutable documents are served without asking upstream
     */
    GoDocuments(String keyPrefix, UpstreamClient upstream, Duration metadataTtl) {
        this.keyPrefix = keyPrefix;
        this.upstream = upstream;
        Duration negative = metadataTtl.compareTo(MAX_NEGATIVE_TTL) < 0 ? metadataTtl : MAX_NEGATIVE_TTL;
        this.mutable = new MutableDocuments.Policy(metadataTtl, negative, MAX_DOCUMENT);
        this.immutable = new MutableDocuments.Policy(FOREVER, negative, MAX_DOCUMENT);
    }

    /** The document resource of {@code path} (any kind but MOD, ZIP and SUMDB_SUPPORTED). */
    Resource.Document of(GoPath path) {
        Map<String, String> headers = path.immutable() ? IMMUTABLE : Map.of();
        return new Resource.Document(keyPrefix + path.key(), path.immutable() ? immutable : mutable,
                UpstreamDocuments.conditionalGet(h -> upstream.send("GET", path.upstreamPath(), h, null),
                        r -> checked(path, r.readBody(MAX_DOCUMENT)), path.describe()),
                d -> Resource.Rendered.bytes(d.body(), path.contentType(), headers),
                GoErrors.failures(path));
    }

    private static byte[] checked(GoPath path, byte[] body) throws IOException {
        String wrong = shapeProblem(path, body);
        if (wrong != null) {
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream sent an unusable " + path.describe() + ": " + wrong, null);
        }
        return body;
    }

    /**
     * What is wrong with a 200 answer, or null when it has the shape its kind must have. Checked are the
     * documents whose shape is cheap to know: JSON version metadata, lookups and hash tiles.
     */
    static String shapeProblem(GoPath path, byte[] body) {
        switch (path.kind()) {
            case INFO, LATEST -> {
                JsonNode n;
                try {
                    n = JSON.readTree(body);
                } catch (IOException e) {
                    return "not JSON";
                }
                if (n == null || !n.path("Version").isTextual()) {
                    return "no \"Version\" in the JSON";
                }
                // The go command insists on this too: a request for an exact version gets exactly that version.
                if (path.immutable() && !n.get("Version").asText().equals(path.version())) {
                    return "it names version " + n.get("Version").asText();
                }
                return null;
            }
            case SUMDB_LOOKUP -> {
                int i = 0;
                while (i < body.length && body[i] >= '0' && body[i] <= '9') {
                    i++;
                }
                return i > 0 && i < body.length && body[i] == '\n' ? null : "not a checksum database record";
            }
            case SUMDB_TILE -> {
                // A hash tile is exactly W hashes of 32 bytes.
                if (!path.tile().data() && body.length != path.tile().width() * 32) {
                    return body.length + " bytes instead of " + path.tile().width() * 32;
                }
                return body.length == 0 ? "empty" : null;
            }
            default -> {
                return null;
            }
        }
    }
}
