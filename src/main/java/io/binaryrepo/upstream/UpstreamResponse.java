package io.binaryrepo.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * An upstream response with its body still to be read. Not thread-safe; the caller closes it, which
 * releases the pooled connection.
 */
public final class UpstreamResponse implements Closeable {
    private final ClassicHttpResponse response;

    UpstreamResponse(ClassicHttpResponse response) {
        this.response = response;
    }

    public int status() {
        return response.getCode();
    }

    /** The first value of the header, or null. */
    public String header(String name) {
        Header h = response.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    /** Announced body length, or -1. */
    public long contentLength() {
        HttpEntity e = response.getEntity();
        if (e != null && e.getContentLength() >= 0) {
            return e.getContentLength();
        }
        String cl = header("Content-Length");
        if (cl != null) {
            try {
                return Long.parseLong(cl.trim());
            } catch (NumberFormatException ignored) {
                return -1;
            }
        }
        return -1;
    }

    /** The body stream (empty for HEAD or when there is none); read at most once. */
    public InputStream body() throws IOException {
        HttpEntity e = response.getEntity();
        return e == null ? InputStream.nullInputStream() : e.getContent();
    }

    /**
     * Reads the whole body, refusing more than {@code max} bytes (metadata documents are capped so that
     * a hostile or broken upstream cannot exhaust memory).
     */
    public byte[] readBody(int max) throws IOException {
        long announced = contentLength();
        if (announced > max) {
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream document of " + announced + " bytes exceeds the limit of " + max + " bytes", null);
        }
        try (InputStream in = body()) {
            byte[] data = in.readNBytes(max + 1);
            if (data.length > max) {
                throw new UpstreamException(UpstreamException.Kind.INVALID,
                        "upstream document exceeds the limit of " + max + " bytes", null);
            }
            return data;
        }
    }

    /** This response's status as a failure to throw, keeping {@code Retry-After}; {@code what} names the content. */
    public UpstreamException failure(String what) {
        return new UpstreamException(status(), header("Retry-After"), "upstream answered HTTP " + status() + " for " + what);
    }

    @Override
    public void close() throws IOException {
        response.close();
    }
}
