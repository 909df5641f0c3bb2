package io.binaryrepo.repo;

import io.binaryrepo.upstream.UpstreamException;
import java.util.Map;

/**
 * What upstream's refusals become for a client, declared by the format per resource: "not found" in the
 * format's own words and codes, "denied" without telling the client to log in to binaryrepo (the
 * repository's upstream credentials are what is refused). Everything else gets the shared mapping of
 * {@link #standard}: 429 with {@code Retry-After}, 504 for timeouts, 502 otherwise — never a 404 for a
 * failure. Implementations are stateless.
 */
public interface Failures {

    /** Names the content in messages, e.g. {@code blob library/alpine@sha256:...}. */
    String what();

    /**
     * The answer for an upstream that says the content does not exist ({@code status} 404 or 410), for a
     * download as for a cached "not found".
     */
    ProxyError notFound(int status);

    /** The answer for an upstream that refuses this repository's credentials (401 or 403). */
    ProxyError denied(int status);

    /** What the client gets for {@code e}. */
    default ProxyError map(UpstreamException e) {
        if (e.kind() == UpstreamException.Kind.STATUS) {
            int s = e.status();
            if (s == 404 || s == 410) {
                return notFound(s);
            }
            if (s == 401 || s == 403) {
                return denied(s);
            }
        }
        return standard(e);
    }

    /** The shared mapping of failures: 504 for timeouts, 429 with {@code Retry-After}, 502 for the rest. */
    static ProxyError standard(UpstreamException e) {
        switch (e.kind()) {
            case TIMEOUT:
                return new ProxyError(504, "UNAVAILABLE", e.getMessage());
            case STATUS:
                if (e.status() == 429) {
                    return new ProxyError(429, "TOOMANYREQUESTS", "upstream rate limit reached: " + e.getMessage(),
                            e.retryAfter() == null ? Map.of() : Map.of("Retry-After", e.retryAfter()));
                }
                return new ProxyError(502, "UNAVAILABLE", e.getMessage());
            default:
                return new ProxyError(502, "UNAVAILABLE", e.getMessage());
        }
    }

    /**
     * The common shape: 404 (and 410, kept as is when {@code keepGone}) answered with {@code notFoundCode}
     * and {@code what + notFoundText}; 401/403 answered 403 {@code DENIED}.
     *
     * @param what names the content for messages, e.g. {@code blob library/alpine@sha256:...}
     */
    static Failures of(String notFoundCode, String what, String notFoundText, boolean keepGone) {
        return new Failures() {
            @Override
            public String what() {
                return what;
            }

            @Override
            public ProxyError notFound(int status) {
                return new ProxyError(keepGone ? status : 404, notFoundCode, what + notFoundText
                        + (keepGone ? " (upstream answered " + status + ")" : ""));
            }

            @Override
            public ProxyError denied(int status) {
                return new ProxyError(403, "DENIED", "the upstream denied access to " + what
                        + " (it does not exist, or this repository's upstream credentials do not grant access)");
            }
        };
    }
}
