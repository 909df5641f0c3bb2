package io.binaryrepo.gomod;

import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;

/**
 * Upstream refusals as Go module proxies answer them. The status is what matters to the go command: 404
 * and 410 mean "not here, try the next proxy in GOPROXY" and are passed on as they are; 401 and 403 become
 * 403 (this repository's upstream credentials do not grant access; the client cannot fix that by logging in
 * to binaryrepo); everything else is 502/504/429, which the go command treats as fatal instead of silently
 * trying another source. Stateless.
 */
final class GoErrors {
    private GoErrors() {
    }

    static Failures failures(GoPath path) {
        return new Failures() {
            @Override
            public String what() {
                return path.describe();
            }

            @Override
            public ProxyError notFound(int status) {
                return new ProxyError(status, "NOT_FOUND", "not found: " + path.describe() + " (upstream answered "
                        + status + ")");
            }

            @Override
            public ProxyError denied(int status) {
                return new ProxyError(403, "DENIED", "upstream denied access to " + path.describe()
                        + " (check this repository's upstream credentials)");
            }
        };
    }
}
