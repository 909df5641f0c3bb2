package io.binaryrepo.helm;

import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.Traffic;
import io.binaryrepo.upstream.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Charts ({@code .tgz}) and their provenance files ({@code .prov}). A chart whose index entry has a
 * {@code digest} is immutable content, verified against it before it is committed; a chart without one, and
 * every {@code .prov} (the index has no digest for it), is a mutable document instead (TTL, revalidated,
 * stale if upstream fails, size-capped): nothing unverified is kept forever. What is Helm's own:
 * <ul>
 *   <li>only a chart the current index of this repository's upstream names can be fetched: a rewritten
 *       URL ({@code _charts/<token>/<file>}) or a relative one left unchanged; anything else is 404, so the
 *       proxy never fetches a URL a client made up;</li>
 *   <li>a chart's sha256 must equal its index entry's {@code digest} before it is committed (a
 *       {@code .prov} is a document, see above);</li>
 *   <li>a chart already cached under its token is served even when a newer index no longer lists it (the
 *       index is consulted only on a miss).</li>
 * </ul>
 * Thread-safe.
 */
final class HelmCharts {
    private static final String PROV = ".prov";
    private static final Map<String, String> IMMUTABLE = Map.of("Cache-Control", "max-age=31536000, immutable");

    /** Larger than any chart or provenance file kept as a document. */
    static final int MAX_UNDIGESTED = 32 * 1024 * 1024;

    private final String repo;
    private final HelmIndex index;
    private final UpstreamClient upstream;
    private final Storage storage;
    private final MutableDocuments.Policy undigested;

    HelmCharts(String repo, HelmIndex index, UpstreamClient upstream, Storage storage, Duration ttl) {
        this.repo = repo;
        this.index = index;
        this.upstream = upstream;
        this.storage = storage;
        this.undigested = new MutableDocuments.Policy(ttl, Duration.ZERO, MAX_UNDIGESTED);
    }

    /** The chart (or provenance file) at {@code path} (raw, relative to the repository). */
    Resource resource(String path) throws IOException {
        boolean prov = path.endsWith(PROV);
        String chartPath = prov ? path.substring(0, path.length() - PROV.length()) : path;
        String token;
        Optional<ChartRef> ref = Optional.empty();
        if (path.startsWith(ChartUrl.PROXIED_PREFIX)) {
            String rest = path.substring(ChartUrl.PROXIED_PREFIX.length());
            int slash = rest.indexOf('/');
            token = slash < 0 ? rest : rest.substring(0, slash);
            if (slash < 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0
                    || !ChartRef.TOKEN.matcher(token).matches()) {
                throw unknown(path);
            }
        } else {
            if (!ChartUrl.isServablePath(chartPath)) {
                throw unknown(path);
            }
            ref = index.lookup(i -> i.relative(chartPath));
            token = ref.orElseThrow(() -> unknown(path)).token();
        }
        String key = "helm/" + repo + "/charts/" + token + (prov ? PROV : "");
        if (!prov && storage.exists(key)) {
            // Verified against its digest when it was committed; served even if a newer index dropped it.
            return content(key, path, token, ref);
        }
        ChartRef chart = ref.isPresent() ? ref.get()
                : index.lookup(i -> i.proxied(token)).orElseThrow(() -> unknown(path));
        if (!prov && chart.sha256() != null) {
            return content(key, path, token, Optional.of(chart));
        }
        // Never content, so a .prov keeps its key; a chart's document key differs from its content key.
        return document(prov ? key : key + ".doc", path, prov, URI.create(prov ? chart.url() + PROV : chart.url()));
    }

    /** A chart with a digest: immutable, verified before commit. */
    private Resource.Content content(String key, String path, String token, Optional<ChartRef> known) {
        // The key contains the repository name: every download of it is this repository's own.
        return new Resource.Content(key, "application/gzip", IMMUTABLE, repo, Resource.Guard.NONE,
                () -> plan(path, token, known), failures(path, false));
    }

    /** A chart without a digest, or a provenance file: nothing to verify it by, so it is kept as a document. */
    private Resource.Document document(String key, String path, boolean prov, URI url) {
        String type = prov ? "application/octet-stream" : "application/gzip";
        return new Resource.Document(key, undigested,
                UpstreamDocuments.conditionalGet(h -> upstream.send("GET", url, h, null),
                        UpstreamDocuments.capped(MAX_UNDIGESTED), (prov ? "provenance file " : "chart ") + path),
                d -> Resource.Rendered.bytes(d.body(), type, Map.of("Cache-Control", "no-cache")),
                failures(path, prov));
    }

    /** On a miss: the chart's URL and digest from the current index. */
    private Resource.Fetch plan(String path, String token, Optional<ChartRef> known) throws IOException {
        ChartRef chart = known.isPresent() ? known.get()
                : index.lookup(i -> i.proxied(token)).orElseThrow(() -> unknown(path));
        URI url = URI.create(chart.url());
        if (chart.sha256() == null) {
            // The index changed between the look at the cache and this miss: no digest, so not content.
            throw new ProxyError(503, "UNAVAILABLE", "the index of repository '" + repo + "' changed; retry " + path,
                    Map.of("Retry-After", "1"));
        }
        ContentCheck check = new ContentCheck("SHA-256", chart.sha256(), -1);
        // Credentials go only to the upstream's own origin (UpstreamClient.send with a URI).
        return new Resource.Fetch(check, method -> upstream.send(Traffic.forContent(method), method, url, Map.of(), null));
    }

    private ProxyError unknown(String path) {
        return new ProxyError(404, "NOT_FOUND", "no chart '" + (path.length() > 200 ? path.substring(0, 200) + "..." : path)
                + "' in the index of repository '" + repo + "'");
    }

    private static Failures failures(String path, boolean prov) {
        return new Failures() {
            @Override
            public String what() {
                return (prov ? "provenance file " : "chart ") + path;
            }

            @Override
            public ProxyError notFound(int status) {
                return new ProxyError(404, "NOT_FOUND", what() + " is listed in the index but its upstream answered HTTP "
                        + status);
            }

            @Override
            public ProxyError denied(int status) {
                // As before the shared mapping: a chart host refusing is an upstream failure (502).
                return new ProxyError(502, "UNAVAILABLE", "upstream answered HTTP " + status + " for " + what());
            }
        };
    }
}
