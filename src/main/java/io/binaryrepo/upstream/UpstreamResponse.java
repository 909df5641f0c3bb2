package io.binaryrepo.upstream;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * An upstream response with its body still to be read. Not thread-safe, except that {@link #close()} may
 * be called from another thread to cancel a read. The caller closes it (or the body stream), which
 * releases the pooled connection. Closing before the body's end aborts the connection (unless what is
 * left is a small announced remainder, read so the connection can be reused): a cancelled download must
 * neither be read to its end nor keep its connection (issue 17).
 */
public final class UpstreamResponse implements Closeable {
    /** An unread body up to this size is read on close so that its connection can be reused. */
    private static final long DRAIN_LIMIT = 64 * 1024;

    private final ClassicHttpResponse response;
    private final Cancellable request;
    // volatile: a download may be cancelled (closed) by another thread than the one reading it
    private volatile boolean streamed;
    private volatile boolean ended;
    private volatile boolean closed;

    /** @param request aborts the exchange (the request this response answers) */
    UpstreamResponse(ClassicHttpResponse response, Cancellable request) {
        this.response = response;
        this.request = request;
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
        if (e == null) {
            return InputStream.nullInputStream();
        }
        streamed = true;
        return new FilterInputStream(e.getContent()) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                ended |= b < 0;
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                ended |= n < 0;
                return n;
            }

            @Override
            public void close() throws IOException {
                UpstreamResponse.this.close();
            }
        };
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

    /** Idempotent; see the class comment for when the connection is aborted. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        HttpEntity e = response.getEntity();
        boolean unfinished = e != null && !ended
                && (streamed || e.getContentLength() < 0 || e.getContentLength() > DRAIN_LIMIT);
        if (unfinished) {
            request.cancel();
            try {
                response.close();
            } catch (IOException ignored) {
                // the connection was aborted on purpose; nothing is left to release
            }
            return;
        }
        response.close();
    }
}
