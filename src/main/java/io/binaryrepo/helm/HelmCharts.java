package io.binaryrepo.helm;

import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.upstream.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Charts ({@code .tgz}) and their provenance files ({@code .prov}) as immutable content. What is Helm's own:
 * <ul>
 *   <li>only a chart the current index of this repository's upstream names can be fetched: a rewritten
 *       URL ({@code _charts/<token>/<file>}) or a relative one left unchanged; anything else is 404, so the
 *       proxy never fetches a URL a client made up;</li>
 *   <li>a chart's sha256 must equal its index entry's {@code digest} before it is committed (a
 *       {@code .prov} has no digest in the index: its length is checked);</li>
 *   <li>a chart already cached under its token is served even when a newer index no longer lists it (the
 *       index is consulted only on a miss).</li>
 * </ul>
 * Thread-safe.
 */
final class HelmCharts {
    private static final String PROV = ".prov";
    private static final Map<String, String> IMMUTABLE = Map.of("Cache-Control", "max-age=31536000, immutable");

    private final String repo;
    private final HelmIndex index;
    private final UpstreamClient upstream;

    HelmCharts(String repo, HelmIndex index, UpstreamClient upstream) {
        this.repo = repo;
        this.index = index;
        this.upstream = upstream;
    }

    /** The chart (or provenance file) at {@code path} (raw, relative to the repository). */
    Resource.Content resource(String path) throws IOException {
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
        Optional<ChartRef> known = ref;
        String key = "helm/" + repo + "/charts/" + token + (prov ? PROV : "");
        // The key contains the repository name: every download of it is this repository's own.
        return new Resource.Content(key, prov ? "application/octet-stream" : "application/gzip", IMMUTABLE, repo,
                Resource.Guard.NONE, () -> plan(path, token, prov, known), failures(path, prov));
    }

    /** On a miss: the chart's URL and digest from the current index. */
    private Resource.Fetch plan(String path, String token, boolean prov, Optional<ChartRef> known) throws IOException {
        ChartRef chart = known.isPresent() ? known.get()
                : index.lookup(i -> i.proxied(token)).orElseThrow(() -> unknown(path));
        URI url = URI.create(prov ? chart.url() + PROV : chart.url());
        ContentCheck check = prov || chart.sha256() == null ? ContentCheck.sizeOnly(-1)
                : new ContentCheck("SHA-256", chart.sha256(), -1);
        // Credentials go only to the upstream's own origin (UpstreamClient.send with a URI).
        return new Resource.Fetch(check, method -> upstream.send(method, url, Map.of(), null));
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
