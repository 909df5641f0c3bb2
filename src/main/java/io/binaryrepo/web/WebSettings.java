package io.binaryrepo.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * What the web layer needs besides the repositories: who sends cached files, where the cache root is (for
 * the frontend offload), and the public base URL. Immutable.
 *
 * @param offload who sends cached files ({@code binaryrepo.offload})
 * @param cacheRoot the cache root, absolute and normalized, without a trailing slash
 * @param publicUrl the configured public base URL ({@code binaryrepo.publicUrl}) without a trailing slash
 */
record WebSettings(Offload offload, String cacheRoot, Optional<String> publicUrl) {

    /**
     * The public base URL: the configured one, else the request as the container reports it (scheme, host,
     * port and context path, which Tomcat's RemoteIpValve or Jetty's ForwardedRequestCustomizer have already
     * corrected behind a proxy; {@code X-Forwarded-*} headers are never read here).
     */
    String baseUrl(HttpServletRequest r) {
        if (publicUrl.isPresent()) {
            return publicUrl.get();
        }
        String scheme = r.getScheme();
        String host = r.getServerName();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal
        }
        int port = r.getServerPort();
        boolean defaultPort = port <= 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + r.getContextPath();
    }
}
