package io.binaryrepo.maven;

import java.util.Locale;

/**
 * Recognises an HTML page arriving where a jar, POM or metadata file was asked for: a captive portal, a
 * login page or a proxy's error page answering 200. Maven would store it as the artifact (MNG-5300), so
 * binaryrepo refuses it (502) and caches nothing. Stateless.
 */
final class HtmlAnswers {
    private HtmlAnswers() {
    }

    /**
     * Whether upstream's {@code contentType} (may be null) is HTML while {@code path} is not an HTML file.
     */
    static boolean unexpected(MavenPath path, String contentType) {
        if (contentType == null || path.mayBeHtml()) {
            return false;
        }
        String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return media.equals("text/html") || media.equals("application/xhtml+xml");
    }
}
