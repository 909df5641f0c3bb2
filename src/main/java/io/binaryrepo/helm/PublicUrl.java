package io.binaryrepo.helm;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The URL clients reach a repository at, written into rewritten indexes: the configured public base URL
 * ({@code binaryrepo.publicUrl}) when there is one, else the request as the container reports it
 * (scheme, host, port and context path, which Tomcat's RemoteIpValve or Jetty's
 * ForwardedRequestCustomizer have already corrected behind a proxy; {@code X-Forwarded-*} headers are
 * never read here). Stateless.
 */
final class PublicUrl {
    private PublicUrl() {
    }

    /**
     * {@code <base>/repo/<name>}, ASCII, with every character that could end a double-quoted YAML scalar
     * or is not allowed in a URL percent-encoded.
     */
    static String of(Optional<String> configured, HttpServletRequest request, String repository) {
        String base = configured.orElseGet(() -> fromRequest(request));
        return safe(base + "/repo/" + repository);
    }

    private static String fromRequest(HttpServletRequest r) {
        String scheme = r.getScheme();
        String host = r.getServerName();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal
        }
        int port = r.getServerPort();
        boolean defaultPort = port <= 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + r.getContextPath();
    }

    static String safe(String url) {
        StringBuilder out = new StringBuilder(url.length());
        for (byte b : url.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '`' && c != '{'
                    && c != '}' && c != '|' && c != '^') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
