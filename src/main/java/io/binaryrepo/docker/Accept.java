package io.binaryrepo.docker;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The manifest media types a client accepts. Clients send several {@code Accept} headers or one with a
 * comma-separated list; both are read. Immutable.
 *
 * @param types media types without parameters, lowercase; empty when the client named none (or only
 *     wildcards), which means "anything"
 */
record Accept(List<String> types) {

    static Accept of(HttpServletRequest request) {
        List<String> types = new ArrayList<>();
        var headers = request.getHeaders("Accept");
        for (String h : headers == null ? List.<String>of() : Collections.list(headers)) {
            for (String part : h.split(",")) {
                int semi = part.indexOf(';');
                String t = (semi < 0 ? part : part.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !t.equals("*/*") && !types.contains(t) && types.size() < 32) {
                    types.add(t);
                }
            }
        }
        return new Accept(List.copyOf(types));
    }

    boolean accepts(String mediaType) {
        return types.isEmpty() || types.contains(mediaType.toLowerCase(Locale.ROOT));
    }

    /** The Accept header to send upstream. */
    String header() {
        return types.isEmpty() ? Manifest.DEFAULT_ACCEPT : String.join(", ", types);
    }
}
