package io.binaryrepo.helm;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the proxy does with one chart URL of an upstream index ({@code entries.<name>[].urls[]}).
 * Helm resolves a relative URL against the repository URL and uses an absolute one as is, so:
 * <ul>
 *   <li>{@link Kind#RELATIVE}: a relative URL that stays inside the repository is left unchanged; the
 *       client asks the proxy for the same relative path.</li>
 *   <li>{@link Kind#PROXIED}: an absolute http(s) URL (any host, the upstream's own included), a
 *       network-path reference ({@code //host/x}) or a relative URL that leaves the repository
 *       ({@code ../x}, {@code /x}, a query) is rewritten to a URL under the proxy.</li>
 *   <li>{@link Kind#FOREIGN}: anything the proxy will not fetch (another scheme such as {@code file:},
 *       an unparseable URL) is left unchanged.</li>
 * </ul>
 * Immutable.
 *
 * @param kind what to do
 * @param url the absolute upstream URL (percent-encoded ASCII, without fragment); null for FOREIGN
 * @param relativePath for RELATIVE, the raw path under the repository the client will ask for
 */
record ChartUrl(Kind kind, String url, String relativePath) {

    enum Kind { RELATIVE, PROXIED, FOREIGN }

    /** Path prefix of rewritten chart URLs under the repository. */
    static final String PROXIED_PREFIX = "_charts/";

    private static final ChartUrl FOREIGN = new ChartUrl(Kind.FOREIGN, null, null);
    private static final int MAX_LENGTH = 4096;

    /**
     * Classifies {@code raw} as found in an index whose repository URL is {@code upstreamBase}
     * (absolute http(s), without a trailing slash).
     */
    static ChartUrl classify(String raw, URI upstreamBase) {
        return classify(raw, upstreamBase, URI.create(upstreamBase + "/"));
    }

    /** As above, with {@code baseDir}: the upstream URL with one trailing slash, as Helm resolves against. */
    static ChartUrl classify(String raw, URI upstreamBase, URI baseDir) {
        String v = raw == null ? "" : raw.trim();
        if (v.isEmpty() || v.length() > MAX_LENGTH) {
            return FOREIGN;
        }
        URI u;
        try {
            u = new URI(encodeIllegal(v));
        } catch (URISyntaxException e) {
            return FOREIGN;
        }
        if (u.getScheme() != null) {
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            if ((!scheme.equals("http") && !scheme.equals("https")) || u.isOpaque() || u.getHost() == null) {
                return FOREIGN;
            }
            return proxied(u);
        }
        URI resolved;
        try {
            resolved = baseDir.resolve(u);
        } catch (IllegalArgumentException e) {
            return FOREIGN;
        }
        if (resolved.getHost() == null) {
            return FOREIGN;
        }
        String basePath = baseDir.getRawPath();
        String path = resolved.getRawPath();
        if (u.getRawAuthority() == null && resolved.getRawQuery() == null && path != null
                && path.startsWith(basePath)) {
            String rel = path.substring(basePath.length());
            if (isServablePath(rel)) {
                return new ChartUrl(Kind.RELATIVE, withoutFragment(resolved), rel);
            }
        }
        return proxied(resolved);
    }

    private static ChartUrl proxied(URI u) {
        return new ChartUrl(Kind.PROXIED, withoutFragment(u), null);
    }

    private static String withoutFragment(URI u) {
        String s = u.toASCIIString();
        int hash = s.indexOf('#');
        return hash < 0 ? s : s.substring(0, hash);
    }

    /**
     * Whether the proxy can serve {@code rel} as a path of its own: a plain relative path with no empty,
     * dot or encoded-slash segments, not colliding with {@code index.yaml} or the rewritten URLs.
     */
    static boolean isServablePath(String rel) {
        if (rel.isEmpty() || rel.equals("index.yaml") || rel.startsWith(PROXIED_PREFIX) || rel.length() > 1024) {
            return false;
        }
        for (String seg : rel.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                return false;
            }
        }
        String lower = rel.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e")) {
            return false;
        }
        for (int i = 0; i < rel.length(); i++) {
            char c = rel.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '\\' || c == '?' || c == '#' || c == '"') {
                return false;
            }
        }
        return true;
    }

    /**
     * The file name to show at the end of a rewritten URL: the last segment of {@code url}'s path as a
     * safe raw segment, so Helm saves the download under the name it would have used (it takes the
     * decoded last path segment). Characters outside {@code [A-Za-z0-9._~+-]} are percent-encoded.
     */
    static String fileName(String url) {
        String path = URI.create(url).getRawPath();
        String seg = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < seg.length() && out.length() < 200; i++) {
            char c = seg.charAt(i);
            if (c == '%' && i + 2 < seg.length() && isHex(seg.charAt(i + 1)) && isHex(seg.charAt(i + 2))) {
                String esc = seg.substring(i, i + 3).toUpperCase(Locale.ROOT);
                // an encoded slash, backslash or dot would make the segment ambiguous: keep it out
                out.append(esc.equals("%2F") || esc.equals("%5C") || esc.equals("%2E") ? "_" : esc);
                i += 2;
            } else if (isUnreserved(c) || c == '+') {
                out.append(c);
            } else {
                out.append('_');
            }
        }
        String name = out.toString();
        return name.isEmpty() || name.equals(".") || name.equals("..") ? "chart.tgz" : name;
    }

    /**
     * Percent-encodes what may not appear in a URI (spaces, non-ASCII as UTF-8, a {@code %} not starting
     * an escape), as Go's URL parser used by Helm does when it sends the request.
     */
    static String encodeIllegal(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                boolean escape = i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2));
                out.append(escape ? "%" : "%25");
            } else if (c > ' ' && c < 0x7f && "\"<>\\^`{|}".indexOf(c) < 0) {
                out.append(c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                for (byte x : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                            .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
                }
                i = end - 1;
            }
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
