package io.binaryrepo.docker;

import io.binaryrepo.cache.Coalescer;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v2/<name>/tags/list}: mutable like a tag (served within the TTL, refetched after it,
 * stale if upstream fails). Paginated requests ({@code ?n=&last=}) are passed through uncached.
 * Thread-safe.
 */
final class TagListHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TagListHandler.class);

    private final String repo;
    private final DockerStore store;
    private final UpstreamClient upstream;
    private final Clock clock;
    private final Duration ttl;
    private final Coalescer<DockerStore.TagList> inflight = new Coalescer<>();

    TagListHandler(String repo, DockerStore store, UpstreamClient upstream, Clock clock, Duration ttl) {
        this.repo = repo;
        this.store = store;
        this.upstream = upstream;
        this.clock = clock;
        this.ttl = ttl;
    }

    void serve(String name, String query, boolean head, HttpServletResponse response) throws IOException {
        byte[] body;
        // Other parameters (containerd's ?ns=docker.io) do not change the answer.
        String pagination = query == null ? "" : sanitizedQuery(query);
        if (!pagination.isEmpty()) {
            body = fetch(name, "?" + pagination).body();
        } else {
            Optional<DockerStore.TagList> cached = store.tagList(name);
            if (cached.isPresent() && clock.millis() - cached.get().fetchedAt() < ttl.toMillis()) {
                body = cached.get().body();
            } else {
                try {
                    body = inflight.get(name, () -> {
                        DockerStore.TagList fresh = fetch(name, "");
                        store.putTagList(name, fresh);
                        return fresh;
                    }).body();
                } catch (IOException | RuntimeException e) {
                    if (cached.isEmpty() || (e instanceof io.binaryrepo.repo.ProxyError pe && pe.status() == 404)) {
                        throw e;
                    }
                    LOG.warn("repository {}: serving cached tag list of {}, upstream failed: {}", repo, name, e.getMessage());
                    body = cached.get().body();
                }
            }
        }
        response.setStatus(200);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        if (!head) {
            response.getOutputStream().write(body);
        }
    }

    private DockerStore.TagList fetch(String name, String query) throws IOException {
        String what = "tag list of " + name;
        try (UpstreamResponse r = upstream.send("GET", "/v2/" + name + "/tags/list" + query, Map.of(),
                ManifestHandler.scope(name))) {
            UpstreamAnswers.requireOk(r, "NAME_UNKNOWN", what);
            return new DockerStore.TagList(r.readBody(Manifest.MAX_SIZE), clock.millis());
        } catch (UpstreamException e) {
            throw UpstreamAnswers.rethrow(e, "NAME_UNKNOWN", what);
        }
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
