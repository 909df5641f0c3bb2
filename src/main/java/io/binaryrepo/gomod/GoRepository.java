package io.binaryrepo.gomod;

import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.repo.FormatContext;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.ProxyRequest;
import io.binaryrepo.repo.RepositoryHandler;
import io.binaryrepo.upstream.UpstreamClient;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * One Go repository: a GOPROXY for the go command in front of another one (the repository {@code url},
 * e.g. {@code https://proxy.golang.org}), including the checksum database proxy, so a client whose
 * modules are cached still downloads and verifies them while upstream is down. Routes each path to the
 * {@link DocumentHandler} (lists, {@code .info}, checksum database) or the {@link ArtifactHandler}
 * ({@code .mod}, {@code .zip}); answers {@code sumdb/<db>/supported} itself. Cache entries live under
 * {@code go/<repository>/}. Read-only: other methods than GET and HEAD are answered 405. Thread-safe.
 */
final class GoRepository implements RepositoryHandler {
    private final UpstreamClient upstream;
    private final DocumentHandler documents;
    private final ArtifactHandler artifacts;

    GoRepository(RepositoryConfig config, FormatContext context, UpstreamClient upstream) {
        this.upstream = upstream;
        String keyPrefix = "go/" + config.name() + "/";
        this.documents = new DocumentHandler(keyPrefix, context.documents(), upstream, config.metadataTtl());
        this.artifacts = new ArtifactHandler(keyPrefix, context.artifacts(), upstream,
                config.connectTimeout().plus(config.readTimeout()).plusSeconds(5));
    }

    @Override
    public void serve(ProxyRequest request, HttpServletResponse response) throws IOException {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            throw new ProxyError(405, "UNSUPPORTED", "binaryrepo is a read-only module proxy: "
                    + request.method() + " is not supported (only GET and HEAD)", Map.of("Allow", "GET, HEAD"));
        }
        GoPath path = GoPath.parse(request.path());
        boolean head = request.isHead();
        switch (path.kind()) {
            case SUMDB_SUPPORTED -> {
                // Tells the go command to reach the checksum database through this proxy (and so through
                // the cache) rather than directly.
                response.setStatus(200);
                response.setContentType("text/plain; charset=utf-8");
                response.setContentLength(0);
            }
            case MOD, ZIP -> artifacts.serve(path, request.servletRequest(), head, response);
            default -> documents.serve(path, head, response);
        }
    }

    @Override
    public void writeError(HttpServletResponse response, ProxyError error) throws IOException {
        GoErrors.write(response, error);
    }

    @Override
    public void close() throws IOException {
        upstream.close();
    }
}
