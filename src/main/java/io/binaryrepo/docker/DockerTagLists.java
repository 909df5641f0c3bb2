package io.binaryrepo.docker;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import java.time.Duration;
import java.util.Map;

/**
 * {@code GET /v2/<name>/tags/list}: a document like a tag (served within the TTL, revalidated after it,
 * stale if upstream fails). Paginated requests ({@code ?n=&last=}) are passed through uncached: their keys
 * would be the client's choice. Thread-safe.
 */
final class DockerTagLists {
    private final DockerLinks links;
    private final UpstreamClient upstream;
    private final MutableDocuments.Policy policy;
    private final MutableDocuments.Policy paginated = MutableDocuments.Policy.uncached(Manifest.MAX_SIZE);

    DockerTagLists(DockerLinks links, UpstreamClient upstream, Duration ttl) {
        this.links = links;
        this.upstream = upstream;
        this.policy = new MutableDocuments.Policy(ttl, Duration.ZERO, Manifest.MAX_SIZE);
    }

    Resource.Document resource(String name, String query) {
        // Other parameters (containerd's ?ns=docker.io) do not change the answer.
        String pagination = query == null ? "" : sanitizedQuery(query);
        String suffix = pagination.isEmpty() ? "" : "?" + pagination;
        String what = "tag list of " + name;
        return new Resource.Document(links.repoKey(name) + "/_taglist", pagination.isEmpty() ? policy : paginated,
                UpstreamDocuments.conditionalGet(h -> upstream.send("GET", "/v2/" + name + "/tags/list" + suffix, h,
                        DockerResolver.scope(name)), UpstreamDocuments.capped(Manifest.MAX_SIZE), what),
                d -> Resource.Rendered.bytes(d.body(), "application/json", Map.of()),
                DockerResolver.failures("NAME_UNKNOWN", what));
    }

    /** Keeps only the spec's pagination parameters, with safe values. */
    static String sanitizedQuery(String query) {
        StringBuilder out = new StringBuilder();
        for (String p : query.split("&")) {
            int eq = p.indexOf('=');
            String k = eq < 0 ? p : p.substring(0, eq);
            String v = eq < 0 ? "" : p.substring(eq + 1);
            if ((k.equals("n") && v.matches("\\d{1,6}")) || (k.equals("last") && v.matches("[A-Za-z0-9_.-]{1,128}"))) {
                out.append(out.length() == 0 ? "" : "&").append(k).append('=').append(v);
            }
        }
        return out.toString();
    }
}
