package io.binaryrepo.helm;

import io.binaryrepo.cache.Artifacts;
import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.cache.UpstreamBody;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Charts ({@code .tgz}) and their provenance files ({@code .prov}): immutable, served by the shared
 * {@link Artifacts} (cache hit with ranges, or one verified download shared by every waiting client, or
 * a verified passthrough when the cache is full). What is Helm's own:
 * <ul>
 *   <li>only a chart the current index of this repository's upstream names can be fetched: a rewritten
 *       URL ({@code _charts/<token>/<file>}) or a relative one left unchanged; anything else is 404, so the
 *       proxy never fetches a URL a client made up;</li>
 *   <li>a chart's sha256 must equal its index entry's {@code digest} before it is committed (a
 *       {@code .prov} has no digest in the index: its length is checked);</li>
 *   <li>a chart already cached under its token is served even when a newer index no longer lists it.</li>
 * </ul>
 * Thread-safe.
 */
final class ChartHandler {
    private static final String PROV = ".prov";

    private final String repo;
    private final IndexHandler index;
    private final Artifacts artifacts;
    private final UpstreamClient upstream;
    private final Duration headTimeout;

    ChartHandler(String repo, IndexHandler index, Artifacts artifacts, UpstreamClient upstream, Duration headTimeout) {
        this.repo = repo;
        this.index = index;
        this.artifacts = artifacts;
        this.upstream = upstream;
        this.headTimeout = headTimeout;
    }

    /**
     * Serves {@code path} (raw, relative to the repository); anything that is not a known chart is 404.
     * {@code servletRequest} is passed to {@link Artifacts} for container features (zero-copy sending).
     */
    void serve(String path, List<String> ranges, boolean head, HttpServletRequest servletRequest,
            HttpServletResponse response) throws IOException {
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
        Artifacts.Request request = new Artifacts.Request(key, prov ? "application/octet-stream" : "application/gzip",
                Map.of("Cache-Control", "max-age=31536000, immutable"), ranges, head, servletRequest);
        Optional<Storage.Entry> cached = artifacts.cached(key);
        if (cached.isPresent()) {
            artifacts.serveCached(cached.get(), request, response);
            return;
        }
        if (ref.isEmpty()) {
            ref = index.lookup(i -> i.proxied(token));
        }
        ChartRef chart = ref.orElseThrow(() -> unknown(path));
        URI url = URI.create(prov ? chart.url() + PROV : chart.url());
        try {
            if (head) {
                headUpstream(url, request, response);
            } else {
                artifacts.serveMiss(request, new ChartFetch(url, prov ? ContentCheck.sizeOnly(-1)
                        : chart.sha256() == null ? ContentCheck.sizeOnly(-1)
                        : new ContentCheck("SHA-256", chart.sha256(), -1)), response);
            }
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.STATUS && (e.status() == 404 || e.status() == 410)) {
                throw new ProxyError(404, "NOT_FOUND", (prov ? "provenance file " : "chart ") + path
                        + " is listed in the index but its upstream answered HTTP " + e.status());
            }
            throw e;
        }
    }

    private ProxyError unknown(String path) {
        return new ProxyError(404, "NOT_FOUND", "no chart '" + (path.length() > 200 ? path.substring(0, 200) + "..." : path)
                + "' in the index of repository '" + repo + "'");
    }

    /** HEAD of a chart that is not cached: ask upstream, do not download. */
    private void headUpstream(URI url, Artifacts.Request request, HttpServletResponse response) throws IOException {
        long length;
        try (UpstreamResponse r = upstream.send("HEAD", url, Map.of(), null)) {
            if (r.status() != 200) {
                throw r.failure(url.getHost());
            }
            length = r.contentLength();
        }
        artifacts.serveHead(request, length, response);
    }

    /** How a missing chart is fetched: from the URL the index named, credentials only to the upstream's host. */
    private final class ChartFetch implements Artifacts.Fetch {
        private final URI url;
        private final ContentCheck check;

        ChartFetch(URI url, ContentCheck check) {
            this.url = url;
            this.check = check;
        }

        @Override
        public Object origin() {
            // The key contains the repository name: every download of it is this repository's own.
            return repo;
        }

        @Override
        public ContentCheck check() {
            return check;
        }

        @Override
        public UpstreamBody open() throws IOException {
            UpstreamResponse r = upstream.send("GET", url, Map.of(), null);
            try {
                if (r.status() != 200) {
                    throw r.failure("a chart on " + url.getHost());
                }
                return r.asBody(null);
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            }
        }

        @Override
        public Duration headTimeout() {
            return headTimeout;
        }
    }

}
