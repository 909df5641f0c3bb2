package io.binaryrepo.repo;

import jakarta.servlet.http.HttpServletResponse;
import java.io.Closeable;
import java.io.IOException;

/**
 * Serves the requests of one repository. Thread-safe: one instance serves all requests concurrently.
 */
public interface RepositoryHandler extends Closeable {

    /**
     * Serves {@code request}.
     *
     * @throws ProxyError for a request that cannot be served (bad path, unknown content); the servlet
     *     writes it with {@link #writeError}
     * @throws IOException for upstream failures ({@link io.binaryrepo.upstream.UpstreamException}) and
     *     broken downloads; after the response is committed the servlet aborts the connection
     */
    void serve(ProxyRequest request, HttpServletResponse response) throws IOException;

    /** Writes an error in the format's own error body (for Docker: OCI error JSON). */
    void writeError(HttpServletResponse response, ProxyError error) throws IOException;
}
