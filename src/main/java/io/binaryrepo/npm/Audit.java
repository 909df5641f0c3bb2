package io.binaryrepo.npm;

import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.upstream.UpstreamClient;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code npm audit}: {@code POST /-/npm/v1/security/advisories/bulk} (npm 7+) and
 * {@code /-/npm/v1/security/audits/quick} (npm 6) are forwarded to the upstream uncached
 * ({@link Resource.Forward}), with the repository's own upstream credentials and never the client's
 * {@code Authorization}. When upstream fails the client gets 502 (or 504/429), never an empty "no
 * advisories" answer that would pass a vulnerable tree as clean. The body is capped at {@link #MAX_BODY}
 * (a lockfile of ten thousand packages is a few MB). Only the content headers are passed on: npm sends the
 * bulk request gzip-compressed. Stateless.
 */
final class Audit {
    /** The largest audit request accepted. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    private final String repo;
    private final UpstreamClient upstream;

    Audit(String repo, UpstreamClient upstream) {
        this.repo = repo;
        this.upstream = upstream;
    }

    Resource.Forward resource(NpmPath path, ClientRequest request) {
        String endpoint = path.kind() == NpmPath.Kind.AUDIT_BULK ? "/-/npm/v1/security/advisories/bulk"
                : "/-/npm/v1/security/audits/quick";
        String type = request.header("Content-Type");
        // npm sends application/json; anything else is not an audit request a registry understands.
        String contentType = "application/json";
        if (type != null && !type.trim().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ProxyError(415, "UNSUPPORTED", "npm audit requests are application/json, not '"
                    + (type.length() > 100 ? type.substring(0, 100) + "..." : type) + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String encoding = request.header("Content-Encoding");
        if (encoding != null) {
            String e = encoding.trim().toLowerCase(Locale.ROOT);
            if (!e.equals("gzip") && !e.equals("deflate") && !e.equals("identity")) {
                throw new ProxyError(415, "UNSUPPORTED", "unsupported Content-Encoding '" + encoding + "'");
            }
            headers.put("Content-Encoding", e);
        }
        headers.put("Accept", "application/json");
        headers.put("User-Agent", "npm (binaryrepo)");
        return new Resource.Forward(MAX_BODY, body -> upstream.post(endpoint, headers, body, contentType),
                Failures.of("NOT_FOUND", "npm audit", " is not offered by the upstream of repository '" + repo
                        + "' (it answered 404)", false));
    }
}
