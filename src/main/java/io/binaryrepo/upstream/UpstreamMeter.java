package io.binaryrepo.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * Reports the exchanges of an {@link UpstreamClient} to its {@link UpstreamEvents}: status or failure
 * kind with the duration, and the body bytes as the caller reads them. Stateless apart from the events;
 * thread-safe.
 */
final class UpstreamMeter {
    private UpstreamMeter() {
    }

    /** Reports an answered exchange and makes its body count the bytes read. */
    static void answered(UpstreamEvents events, ClassicHttpResponse r, long startNanos, String method, URI uri) {
        if (events == UpstreamEvents.NONE) {
            return;
        }
        events.answered(r.getCode(), System.nanoTime() - startNanos, method, uri.getRawPath());
        HttpEntity e = r.getEntity();
        if (e != null) {
            r.setEntity(new HttpEntityWrapper(e) {
                @Override
                public InputStream getContent() throws IOException {
                    return new Counting(super.getContent(), events);
                }
            });
        }
    }

    /** Reports an exchange that got no response. */
    static void failed(UpstreamEvents events, IOException e, long startNanos, String method, URI uri) {
        events.failed(kind(e), System.nanoTime() - startNanos, method, uri.getRawPath());
    }

    static UpstreamEvents.Failure kind(IOException e) {
        if (e instanceof InterruptedIOException) { // SocketTimeoutException and ConnectTimeoutException too
            return UpstreamEvents.Failure.TIMEOUT;
        }
        if (e instanceof ConnectException || e instanceof UnknownHostException || e instanceof NoRouteToHostException) {
            return UpstreamEvents.Failure.REFUSED;
        }
        return UpstreamEvents.Failure.RESET;
    }

    /** Counts bytes as they are read (per read call, not per byte). */
    private static final class Counting extends FilterInputStream {
        private final UpstreamEvents events;

        Counting(InputStream in, UpstreamEvents events) {
            super(in);
            this.events = events;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                events.bodyBytes(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                events.bodyBytes(n);
            }
            return n;
        }
    }
}
