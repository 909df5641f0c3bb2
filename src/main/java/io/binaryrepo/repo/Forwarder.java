package io.binaryrepo.repo;

import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Carries out a {@link Resource.Forward}: reads the client's body within its cap, sends it upstream, streams
 * a 2xx answer back (64 KiB buffer; the answer never enters the heap whole) and maps everything else through
 * the resource's failures. Stateless.
 */
final class Forwarder {
    private static final int BUFFER = 64 * 1024;

    private Forwarder() {
    }

    static void serve(Resource.Forward f, ClientRequest request, Reply reply) throws IOException {
        byte[] body;
        try (InputStream in = request.body()) {
            body = in.readNBytes(f.maxBody() + 1);
        }
        if (body.length > f.maxBody()) {
            throw new ProxyError(413, "TOO_LARGE", "the request body is larger than the limit of " + f.maxBody()
                    + " bytes", Map.of("Connection", "close"));
        }
        try (UpstreamResponse r = f.exchange().send(body)) {
            int s = r.status();
            if (s < 200 || s > 299) {
                throw r.failure(f.failures().what());
            }
            reply.status(s);
            String type = r.header("Content-Type");
            reply.contentType(type == null ? "application/octet-stream" : type);
            long length = r.contentLength();
            if (length >= 0) {
                reply.contentLength(length);
            }
            if (request.isHead()) {
                return;
            }
            copy(r, reply, f.failures().what());
        } catch (UpstreamException e) {
            if (reply.committed()) {
                throw e;
            }
            throw f.failures().map(e);
        }
    }

    private static void copy(UpstreamResponse r, Reply reply, String what) throws IOException {
        OutputStream out = reply.body();
        byte[] buf = new byte[BUFFER];
        try (InputStream in = r.body()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            if (reply.committed()) {
                throw e; // the web layer aborts the connection: a cut answer never looks complete
            }
            throw new ProxyError(502, "UNAVAILABLE", "upstream failed while answering " + what + ": "
                    + e.getClass().getSimpleName());
        }
    }
}
