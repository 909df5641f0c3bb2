package io.binaryrepo.pypi;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * PEP 691 content negotiation: which form of a simple page to answer, from the client's {@code Accept} and the
 * forms available (JSON only when upstream gave JSON: HTML is derived from JSON, never the reverse). Quality
 * values decide; on a tie the server's order applies (JSON, then the versioned HTML type, then
 * {@code text/html}). No {@code Accept} at all means {@code text/html}, what browsers and pre-PEP 691 clients
 * read. Stateless.
 */
final class Negotiation {
    static final String JSON = "application/vnd.pypi.simple.v1+json";
    static final String HTML_V1 = "application/vnd.pypi.simple.v1+html";
    static final String TEXT_HTML = "text/html";
    private static final int MAX_RANGES = 64;

    private Negotiation() {
    }

    /**
     * The content type to answer (one of {@link #JSON}, {@link #HTML_V1}, {@link #TEXT_HTML}), or empty when the
     * client accepts none of the available forms (answer 406).
     *
     * @param accept every {@code Accept} header value, in order
     * @param jsonAvailable whether the page exists as JSON
     */
    static Optional<String> choose(List<String> accept, boolean jsonAvailable) {
        if (accept.isEmpty() || accept.stream().allMatch(String::isBlank)) {
            return Optional.of(TEXT_HTML);
        }
        List<String> offers = jsonAvailable ? List.of(JSON, HTML_V1, TEXT_HTML) : List.of(HTML_V1, TEXT_HTML);
        String best = null;
        double bestQ = 0;
        for (String offer : offers) {
            double q = quality(accept, offer);
            if (q > bestQ) {
                best = offer;
                bestQ = q;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The quality the client gives {@code offer}: that of the most specific matching range, 0 if none. */
    private static double quality(List<String> accept, String offer) {
        int bestSpecificity = -1;
        double q = 0;
        int ranges = 0;
        for (String header : accept) {
            for (String range : header.split(",")) {
                if (++ranges > MAX_RANGES) {
                    return q;
                }
                String[] parts = range.split(";");
                String type = parts[0].trim().toLowerCase(Locale.ROOT);
                int s = specificity(type, offer);
                if (s > bestSpecificity) {
                    bestSpecificity = s;
                    q = q(parts);
                }
            }
        }
        return q;
    }

    /** 3 for an exact match (the {@code latest} alias included), 2 for {@code type/*}, 1 for {@code * /*}. */
    private static int specificity(String range, String offer) {
        if (range.equals(offer) || range.equals(offer.replace(".v1+", ".latest+"))) {
            return 3;
        }
        if (range.equals("*/*")) {
            return 1;
        }
        if (range.endsWith("/*") && offer.startsWith(range.substring(0, range.length() - 1))) {
            return 2;
        }
        return -1;
    }

    private static double q(String[] params) {
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim();
            if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    double v = Double.parseDouble(p.substring(2).trim());
                    return v < 0 || v > 1 || Double.isNaN(v) ? 0 : v;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
