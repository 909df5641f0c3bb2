package io.binaryrepo.gomod;

import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.upstream.UpstreamException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Errors as Go module proxies write them: the status and a plain-text body, which the go command shows
 * after "server response:". The status is what matters to the go command: 404 and 410 mean "not here,
 * try the next proxy in GOPROXY", anything else is fatal. Stateless.
 */
final class GoErrors {
    private GoErrors() {
    }

    /** Writes status, content type and body; the caller has checked the response is not committed. */
    static void write(HttpServletResponse response, ProxyError error) throws IOException {
        byte[] body = (error.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(error.status());
        response.setContentType("text/plain; charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** Upstream says {@code what} does not exist (404) or no longer exists (410): the same answer goes out. */
    static ProxyError notFound(int status, GoPath what) {
        return new ProxyError(status, "NOT_FOUND", "not found: " + what.describe() + " (upstream answered " + status + ")");
    }

    /**
     * Throws the answer for an upstream status the client should see as is: 404 and 410 as themselves,
     * 401 and 403 as 403 (this repository's upstream credentials do not grant access; the client cannot fix
     * that by logging in to binaryrepo). Returns any other failure for the caller to throw: the servlet
     * answers 429 with {@code Retry-After}, timeouts with 504 and everything else with 502, which the go
     * command treats as fatal instead of silently trying another source.
     */
    static UpstreamException rethrow(UpstreamException e, GoPath what) {
        if (e.kind() == UpstreamException.Kind.STATUS) {
            if (e.status() == 404 || e.status() == 410) {
                throw notFound(e.status(), what);
            }
            if (e.status() == 401 || e.status() == 403) {
                throw denied(what);
            }
        }
        return e;
    }

    static ProxyError denied(GoPath what) {
        return new ProxyError(403, "DENIED", "upstream denied access to " + what.describe()
                + " (check this repository's upstream credentials)");
    }
}
