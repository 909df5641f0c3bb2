package io.binaryrepo.repo;

import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.Storage;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;

/**
 * Carries out what a format's {@link Resolver} describes, the same way for every format: the method check
 * (405 with {@code Allow}), immutable content ({@link ContentServer}: cache hit, HEAD, coalesced verified
 * download, passthrough on a full disk), documents (freshness, revalidation, stale if error, negative
 * caching) and fixed answers; upstream refusals become the resource's {@link Failures}. Errors are thrown
 * as {@link ProxyError} (or, once the response is committed, as an {@code IOException} that makes the web
 * layer abort the connection). One per repository; thread-safe.
 */
public final class ResourceHandler {
    private final Resolver resolver;
    private final ContentServer content;
    private final Documents documents;
    private final String allow;
    private final RequestEvents events;

    /**
     * @param headTimeout longest wait for upstream's response headers of a download (the repository's
     *     connect plus read timeout, plus a margin)
     */
    public ResourceHandler(Resolver resolver, Storage storage, Downloads downloads, Documents documents,
            Duration headTimeout) {
        this(resolver, storage, downloads, documents, headTimeout, RequestEvents.NONE);
    }

    /** As above, reporting each request's outcome and bytes to {@code events} (metrics, issue 11). */
    public ResourceHandler(Resolver resolver, Storage storage, Downloads downloads, Documents documents,
            Duration headTimeout, RequestEvents events) {
        this.resolver = resolver;
        this.content = new ContentServer(storage, downloads, headTimeout, events);
        this.documents = documents;
        this.allow = String.join(", ", new TreeSet<>(resolver.methods()));
        this.events = events;
    }

    /** The documents facade formats get in their {@link RepositoryContext}. */
    public static Documents documents(MutableDocuments documents) {
        return new Documents(documents);
    }

    public Resolver resolver() {
        return resolver;
    }

    /**
     * Serves {@code request} into {@code reply}.
     *
     * @throws ProxyError for a request that is answered with an error status
     * @throws IOException for upstream failures the resource's failures did not map, and broken downloads;
     *     after the reply is committed the web layer aborts the connection
     */
    public void serve(ClientRequest request, Reply reply) throws IOException {
        // Successful answers report their outcome where it is decided; every failure is reported here, once.
        try {
            serveOrThrow(request, reply);
        } catch (ProxyError e) {
            events.outcome(e.status() == 404 || e.status() == 410 ? RequestEvents.Outcome.NOT_FOUND
                    : RequestEvents.Outcome.ERROR);
            throw e;
        } catch (IOException | RuntimeException e) {
            events.outcome(RequestEvents.Outcome.ERROR);
            throw e;
        }
    }

    private void serveOrThrow(ClientRequest request, Reply reply) throws IOException {
        resolver.headers().forEach(reply::header);
        if (!resolver.methods().contains(request.method())) {
            throw new ProxyError(405, "UNSUPPORTED", "binaryrepo is a read-only cache: " + request.method()
                    + " is not supported (only " + allow + ")", Map.of("Allow", allow));
        }
        Resource r = resolver.resolve(request);
        if (r instanceof Resource.Content c) {
            content.serve(c, request, reply);
        } else if (r instanceof Resource.Document d) {
            serveDocument(d, request, reply);
        } else if (r instanceof Resource.Forward f) {
            Forwarder.serve(f, request, reply);
        } else {
            serveFixed((Resource.Fixed) r, request, reply);
        }
    }

    private void serveDocument(Resource.Document d, ClientRequest request, Reply reply) throws IOException {
        MutableDocuments.Served served = documents.served(d);
        Resource.Rendered r = d.renderer().render(served.document());
        reply.status(200);
        reply.contentType(r.contentType());
        r.headers().forEach(reply::header);
        reply.contentLength(r.length());
        boolean fromCache = served.source() == MutableDocuments.Source.CACHE
                || served.source() == MutableDocuments.Source.STALE;
        if (!request.isHead()) {
            r.writeTo(reply.body());
            if (r.length() >= 0) {
                events.served(fromCache, r.length());
            }
        }
        events.outcome(switch (served.source()) {
            case CACHE -> RequestEvents.Outcome.HIT;
            case FETCHED -> RequestEvents.Outcome.MISS;
            case JOINED -> RequestEvents.Outcome.COALESCED;
            case STALE -> RequestEvents.Outcome.STALE;
        });
    }

    private static void serveFixed(Resource.Fixed f, ClientRequest request, Reply reply) throws IOException {
        reply.status(f.status());
        reply.contentType(f.contentType());
        f.headers().forEach(reply::header);
        if (f.status() == 304 || f.status() == 204) {
            return; // no body, and no Content-Length that would claim one (RFC 9110 sections 8.6, 15.4.5)
        }
        reply.contentLength(f.length());
        if (!request.isHead()) {
            f.writeBody(reply.body());
        }
    }
}
