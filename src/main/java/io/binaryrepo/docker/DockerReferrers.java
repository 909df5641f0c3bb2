package io.binaryrepo.docker;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The OCI 1.1 referrers API, {@code GET /v2/<name>/referrers/<digest>[?artifactType=...]}: a document (an
 * image index) kept like a tag list (TTL, stale if error), per subject digest and filter, with upstream's
 * {@code OCI-Filters-Applied} kept. An upstream without the API answers 404, and so does binaryrepo, so that
 * clients (cosign, notation, oras) fall back to the referrers tag schema ({@code sha256-<hex>} tags, served
 * like any tag). Thread-safe.
 */
final class DockerReferrers {
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    /** An artifact type is a media type (RFC 6838 characters). */
    private static final Pattern MEDIA_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

    private final DockerLinks links;
    private final UpstreamClient upstream;
    private final MutableDocuments.Policy policy;

    DockerReferrers(DockerLinks links, UpstreamClient upstream, Duration ttl) {
        this.links = links;
        this.upstream = upstream;
        this.policy = new MutableDocuments.Policy(ttl, Duration.ZERO, Manifest.MAX_SIZE);
    }

    Resource.Document resource(String name, Digest subject, String query) {
        String artifactType = artifactType(query);
        String suffix = artifactType == null ? ""
                : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8);
        String key = links.repoKey(name) + "/_referrers/" + subject.keyPath()
                + (artifactType == null ? "" : "-" + shortHash(artifactType));
        String what = "referrers of " + name + "@" + subject;
        return new Resource.Document(key, policy,
                UpstreamDocuments.conditionalGet(h -> upstream.send("GET", "/v2/" + name + "/referrers/" + subject + suffix,
                        withAccept(h), DockerResolver.scope(name)), r -> {
                            String t = r.header("Content-Type");
                            if (t != null && !t.toLowerCase(Locale.ROOT).startsWith(INDEX)) {
                                throw new UpstreamException(UpstreamException.Kind.INVALID,
                                        "upstream answered " + what + " with " + t + " instead of an image index", null);
                            }
                            return r.readBody(Manifest.MAX_SIZE);
                        }, what, Set.of("OCI-Filters-Applied")),
                d -> Resource.Rendered.bytes(d.body(), INDEX, d.headers()),
                DockerResolver.failures("MANIFEST_UNKNOWN", what));
    }

    private static Map<String, String> withAccept(Map<String, String> conditional) {
        Map<String, String> h = new java.util.LinkedHashMap<>(conditional);
        h.put("Accept", INDEX);
        return h;
    }

    /** The {@code artifactType} filter, validated, or null. */
    private static String artifactType(String query) {
        if (query == null) {
            return null;
        }
        for (String p : query.split("&")) {
            if (p.startsWith("artifactType=")) {
                String v = URLDecoder.decode(p.substring("artifactType=".length()), StandardCharsets.UTF_8);
                if (!MEDIA_TYPE.matcher(v).matches()) {
                    throw new io.binaryrepo.repo.ProxyError(400, "UNSUPPORTED", "artifactType must be a media type");
                }
                return v;
            }
        }
        return null;
    }

    private static String shortHash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
