package io.binaryrepo.npm;

import java.util.List;
import java.util.Locale;

/**
 * The two representations of a packument. npm 10.4+ installs with the full document
 * ({@code application/json}); pnpm, yarn and older npm ask for the abbreviated "corgi" document
 * ({@code application/vnd.npm.install-v1+json}), which carries only what installing needs
 * (<a href="https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md">package-metadata.md</a>).
 * binaryrepo fetches the full one and derives the abbreviated one itself, so each representation has its
 * own content type and ETag (a shared ETag made pnpm skip {@code minimumReleaseAge}: pnpm #14925).
 */
enum Variant {
    FULL("application/json"),
    ABBREVIATED("application/vnd.npm.install-v1+json");

    private final String mediaType;

    Variant(String mediaType) {
        this.mediaType = mediaType;
    }

    String mediaType() {
        return mediaType;
    }

    /** The {@code Content-Type} answered. */
    String contentType() {
        return mediaType + "; charset=utf-8";
    }

    /**
     * The representation {@code accept} (every {@code Accept} header value) prefers: abbreviated when its
     * media type has a quality above zero and at least that of {@code application/json} and {@code *}{@code /*};
     * full otherwise (no header, or JSON preferred). Malformed parameters count as quality 1, as lenient
     * servers treat them.
     */
    static Variant preferred(List<String> accept) {
        double corgi = 0;
        double json = 0;
        for (String header : accept) {
            for (String range : header.split(",")) {
                String[] params = range.split(";");
                String type = params[0].trim().toLowerCase(Locale.ROOT);
                double q = quality(params);
                if (type.equals(ABBREVIATED.mediaType)) {
                    corgi = Math.max(corgi, q);
                } else if (type.equals("application/json") || type.equals("*/*") || type.equals("application/*")) {
                    json = Math.max(json, q);
                }
            }
        }
        return corgi > 0 && corgi >= json ? ABBREVIATED : FULL;
    }

    private static double quality(String[] params) {
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim();
            if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(p.substring(2).trim());
                    return q >= 0 && q <= 1 ? q : 1;
                } catch (NumberFormatException e) {
                    return 1;
                }
            }
        }
        return 1;
    }
}
