package io.binaryrepo.docker;

import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;

/** Turns upstream statuses other than 200 into what a Docker client should see. */
final class UpstreamAnswers {
    private UpstreamAnswers() {
    }

    /**
     * Returns normally for 200; otherwise throws as {@link #rethrow} describes.
     *
     * @param what names the content, e.g. {@code manifest library/alpine:3}
     */
    static void requireOk(UpstreamResponse r, String notFoundCode, String what) throws UpstreamException {
        int s = r.status();
        if (s == 200) {
            return;
        }
        throw rethrow(r.failure(what), notFoundCode, what);
    }

    /**
     * Throws a {@link ProxyError} for an upstream 404 ({@code notFoundCode}) or 401/403 (DENIED: the
     * repository's credentials do not grant pull, and telling the client to log in to binaryrepo would
     * not help); returns any other failure for the caller to throw (429 keeps its {@code Retry-After};
     * the servlet answers the rest with 502/504).
     */
    static UpstreamException rethrow(UpstreamException e, String notFoundCode, String what) {
        if (e.kind() == UpstreamException.Kind.STATUS) {
            if (e.status() == 404) {
                throw new ProxyError(404, notFoundCode, what + " is unknown to the upstream registry");
            }
            if (e.status() == 401 || e.status() == 403) {
                throw new ProxyError(403, "DENIED", "the upstream registry denied access to " + what
                        + " (it does not exist, or this repository's upstream credentials do not grant pull)");
            }
        }
        return e;
    }
}
