package io.binaryrepo.repo;

import io.binaryrepo.cache.UpstreamBody;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;

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
            return of(r, contentType);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static UpstreamBody of(UpstreamResponse r, String contentType) throws IOException {
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
            public void close() throws IOException {
                r.close();
            }
        };
    }
}
