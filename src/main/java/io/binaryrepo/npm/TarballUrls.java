package io.binaryrepo.npm;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Maps the tarball URLs packuments name to binaryrepo's public URLs and back. Only a URL on the configured
 * upstream's host, below the upstream URL's path, maps: its path relative to the upstream URL
 * is appended to the repository's public URL ({@code <base>/repo/<repository>/}); a tarball request maps
 * back to that same relative path on the configured upstream, never to any other host, so binaryrepo is
 * no open proxy and upstream credentials never leave the upstream. A URL on another host is left as it is
 * (the client then fetches it itself). {@code http://} URLs on the upstream host (old packuments) map
 * too: they are fetched with the upstream URL's own scheme. Immutable, thread-safe.
 */
final class TarballUrls {
    private final String host;
    private final String basePath;

    /** @param upstream the repository's upstream registry URL */
    TarballUrls(URI upstream) {
        this.host = upstream.getHost().toLowerCase(Locale.ROOT);
        String p = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        this.basePath = p.endsWith("/") ? p : p + "/";
    }

    /**
     * The path of {@code url} relative to the upstream URL (e.g. {@code @types/node/-/node-20.1.0.tgz}),
     * or null when {@code url} is not on the upstream or has a query, fragment or user info.
     */
    String relative(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null
                || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            return null;
        }
        if (!u.getHost().toLowerCase(Locale.ROOT).equals(host)) {
            return null;
        }
        String path = u.getRawPath();
        if (path == null || !path.startsWith(basePath)) {
            return null;
        }
        String rel = path.substring(basePath.length());
        return rel.isEmpty() ? null : rel.replace("%2f", "/").replace("%2F", "/");
    }

    /**
     * {@code url} as the client should fetch it: {@code repositoryUrl + "/" + relative} for an upstream URL,
     * else unchanged.
     *
     * @param repositoryUrl binaryrepo's public URL of the repository, without a trailing slash
     */
    String rewrite(String url, String repositoryUrl) {
        String rel = relative(url);
        return rel == null ? url : repositoryUrl + "/" + rel;
    }
}
