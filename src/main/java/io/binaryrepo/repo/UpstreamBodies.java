package io.binaryrepo.repo;

import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.cache.UpstreamBody;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** Adapts an upstream response to the body of a shared download. Stateless. */
final class UpstreamBodies {
    private UpstreamBodies() {
    }

    /**
     * Sends the GET of {@code fetch}; returns its body when upstream answers 200, else closes the response and
     * throws its status as an {@link io.binaryrepo.upstream.UpstreamException}. Closing the body closes the
     * response (the download does).
     *
     * @param contentType the content type to announce, or null for upstream's
     */
    static UpstreamBody open(Resource.Fetch fetch, String contentType, String what) throws IOException {
        UpstreamResponse r = fetch.call().send("GET");
        try {
            if (r.status() != 200) {
                throw r.failure(what);
            }
            ContentCheck check = fetch.answerCheck().check(r, fetch.check());
            refuseUnverifiable(r, check, contentType, what);
            return of(r, contentType, check);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /**
     * Refuses what cannot be the content: an HTML page where no HTML is expected (an error page of something
     * on the path, MNG-5300), and, for content with neither a digest nor an expected size, a body without a
     * length (nothing could then tell a cut-off body from a whole one).
     */
    private static void refuseUnverifiable(UpstreamResponse r, ContentCheck check, String contentType, String what)
            throws UpstreamException {
        String type = r.header("Content-Type");
        boolean htmlExpected = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/html");
        if (!htmlExpected && type != null && type.toLowerCase(Locale.ROOT).trim().startsWith("text/html")) {
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream answered " + what + " with an HTML page (" + type.trim() + "); not cached", null);
        }
        if (check.expectedHex() == null && check.expectedSize() < 0 && r.contentLength() < 0) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream sent " + what
                    + " without a Content-Length and there is no digest to verify it; not cached", null);
        }
    }

    private static UpstreamBody of(UpstreamResponse r, String contentType, ContentCheck check) throws IOException {
        long length = r.contentLength();
        String type = contentType != null ? contentType : r.header("Content-Type");
        InputStream in = r.body();
        return new UpstreamBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public String contentType() {
                return type;
            }

            @Override
            public InputStream stream() {
                return in;
            }

            @Override
            public ContentCheck check(ContentCheck planned) {
                return check;
            }

            @Override
            public void close() throws IOException {
                r.close();
            }
        };
    }
}
