package io.binaryrepo.pypi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A file link as binaryrepo writes it into index pages, relative to the page
 * {@code <repo>/simple/<project>/}: {@code ../../files/<project>/<origin number>/<upstream path>}, where the
 * origin number names one of the {@link UpstreamHosts} and the upstream path is the file's raw path on it.
 * The link identifies the upstream URL without any table, and can only ever name a URL on one of the
 * repository's own hosts. Links with a query string are not proxied (the path alone must name the file).
 * Immutable.
 *
 * @param project the normalised project whose page lists the file
 * @param origin the origin number
 * @param path the raw upstream path without its leading {@code /}, every segment valid
 */
record FileLink(String project, int origin, String path) {
    /** Prefix of a proxied link in a stored project page. */
    static final String PAGE_PREFIX = "../../files/";
    /** A raw path segment: unreserved and sub-delimiter characters and percent escapes, never . or .. */
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+");
    private static final int MAX_PATH = 2048;

    /**
     * The proxied link of an upstream file URL found on a page.
     *
     * @param page the upstream URL of the page the link is on
     * @param href the link as written (entities decoded), without its fragment
     * @return empty when the link may not be proxied: another host, a query, user info, a malformed URL
     */
    static Optional<FileLink> of(String project, UpstreamHosts hosts, URI page, String href) {
        URI u;
        try {
            u = page.resolve(new URI(href.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
        Optional<Integer> n = hosts.number(u);
        String raw = u.getRawPath();
        if (n.isEmpty() || u.getRawQuery() != null || raw == null || !raw.startsWith("/")) {
            return Optional.empty();
        }
        return validPath(raw.substring(1)) ? Optional.of(new FileLink(project, n.get(), raw.substring(1)))
                : Optional.empty();
    }

    /**
     * The link a request path names: {@code files/<project>/<n>/<path>}, with {@code files/} already removed.
     *
     * @return empty when the path is not of that form
     */
    static Optional<FileLink> parse(String rest) {
        int a = rest.indexOf('/');
        int b = a < 0 ? -1 : rest.indexOf('/', a + 1);
        if (b < 0) {
            return Optional.empty();
        }
        String project = rest.substring(0, a);
        String number = rest.substring(a + 1, b);
        String path = rest.substring(b + 1);
        if (!ProjectName.isValid(project) || !project.equals(ProjectName.normalize(project))
                || !number.matches("[0-9]{1,3}") || !validPath(path)) {
            return Optional.empty();
        }
        return Optional.of(new FileLink(project, Integer.parseInt(number), path));
    }

    /** What follows {@code ../../files/<project>/} in a stored page: {@code <n>/<path>}. */
    String id() {
        return origin + "/" + path;
    }

    /** The link as written into a stored page, relative to the project page. */
    String relative() {
        return PAGE_PREFIX + project + "/" + id();
    }

    /** The upstream URL, on the origin numbered {@link #origin()}. */
    Optional<URI> upstream(UpstreamHosts hosts) {
        return hosts.origin(origin).map(o -> URI.create(o + "/" + path));
    }

    /** The last path segment, percent-decoded: the file name as pip sees it. */
    String fileName() {
        String last = path.substring(path.lastIndexOf('/') + 1);
        return java.net.URLDecoder.decode(last.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static boolean validPath(String path) {
        if (path.isEmpty() || path.length() > MAX_PATH) {
            return false;
        }
        for (String s : path.split("/", -1)) {
            if (!SEGMENT.matcher(s).matches()) {
                return false;
            }
            // Decoded, a segment must still be one segment and never a dot segment.
            String decoded = java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
            if (decoded.equals(".") || decoded.equals("..") || decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0) {
                return false;
            }
        }
        return true;
    }
}
