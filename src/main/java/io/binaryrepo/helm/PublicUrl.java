package io.binaryrepo.helm;

import java.nio.charset.StandardCharsets;

/**
 * The URL clients reach a repository at, written into rewritten indexes: binaryrepo's public base URL (the
 * configured {@code binaryrepo.publicUrl}, else the request as the container reports it; the web layer
 * decides) plus {@code /repo/<name>}. Stateless.
 */
final class PublicUrl {
    private PublicUrl() {
    }

    /**
     * {@code <base>/repo/<name>}, ASCII, with every character that could end a double-quoted YAML scalar
     * or is not allowed in a URL percent-encoded.
     */
    static String of(String base, String repository) {
        return safe(base + "/repo/" + repository);
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
