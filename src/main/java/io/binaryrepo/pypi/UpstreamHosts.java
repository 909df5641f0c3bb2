package io.binaryrepo.pypi;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The origins a PyPI repository may fetch files from: the index's own origin (number 0) and the file hosts
 * configured with {@code fileHosts} (1, 2, ...; PyPI serves its files from a second host). A file link in an
 * index page is served through binaryrepo only when it points at one of them; the proxied link names the
 * origin by its number, so a request can never make binaryrepo fetch from anywhere else (no open proxy).
 * Immutable, thread-safe.
 */
final class UpstreamHosts {
    private final List<String> origins;

    /**
     * @param index the index URL
     * @param fileHosts absolute http(s) URLs of the file hosts (only scheme, host and port count)
     * @throws IllegalArgumentException for a file host that is not an absolute http(s) URL
     */
    UpstreamHosts(URI index, List<String> fileHosts) {
        List<String> o = new ArrayList<>();
        o.add(origin(index).orElseThrow(() -> new IllegalArgumentException("index URL " + index + " has no origin")));
        for (String h : fileHosts) {
            URI u;
            try {
                u = URI.create(h.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("field 'fileHosts': '" + h + "' is not a URL", e);
            }
            o.add(origin(u).orElseThrow(() -> new IllegalArgumentException("field 'fileHosts': '" + h
                    + "' must be an absolute http:// or https:// URL without user info")));
        }
        this.origins = List.copyOf(o);
    }

    /** The number of the origin of {@code u}, if it is one of ours. */
    Optional<Integer> number(URI u) {
        Optional<String> o = origin(u);
        if (o.isEmpty()) {
            return Optional.empty();
        }
        int i = origins.indexOf(o.get());
        return i < 0 ? Optional.empty() : Optional.of(i);
    }

    /** The origin ({@code scheme://host:port}) numbered {@code n}, if there is one. */
    Optional<String> origin(int n) {
        return n >= 0 && n < origins.size() ? Optional.of(origins.get(n)) : Optional.empty();
    }

    int size() {
        return origins.size();
    }

    /** {@code scheme://host:port} with the default port made explicit, for http(s) URLs without user info. */
    static Optional<String> origin(URI u) {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!u.isAbsolute() || u.getHost() == null || u.getRawUserInfo() != null
                || (!scheme.equals("http") && !scheme.equals("https"))) {
            return Optional.empty();
        }
        int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        return Optional.of(scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port);
    }
}
