package io.binaryrepo.helm;

import io.binaryrepo.cache.ByteRange;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.repo.FormatContext;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.ProxyRequest;
import io.binaryrepo.repo.RepositoryHandler;
import io.binaryrepo.upstream.UpstreamClient;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One Helm chart repository: {@code index.yaml} ({@link IndexHandler}) and the charts it lists
 * ({@link ChartHandler}). Read-only: every method but GET and HEAD is answered 405. Errors are plain text
 * (Helm shows only the status). Thread-safe.
 */
final class HelmRepository implements RepositoryHandler {
    /** An index larger than this is refused (the largest public indexes are a few tens of MB). */
    static final int MAX_INDEX_BYTES = 256 * 1024 * 1024;
    /** How long an upstream "no index.yaml" is remembered. */
    private static final Duration NEGATIVE_TTL = Duration.ofMinutes(1);

    private final String name;
    private final Optional<String> publicUrl;
    private final UpstreamClient upstream;
    private final IndexHandler index;
    private final ChartHandler charts;

    HelmRepository(RepositoryConfig config, FormatContext context, UpstreamClient upstream) {
        this.name = config.name();
        this.publicUrl = context.publicUrl();
        this.upstream = upstream;
        Duration negative = config.metadataTtl().compareTo(NEGATIVE_TTL) < 0 ? config.metadataTtl() : NEGATIVE_TTL;
        this.index = new IndexHandler(name, context.documents(),
                new MutableDocuments.Policy(config.metadataTtl(), negative, MAX_INDEX_BYTES), upstream);
        this.charts = new ChartHandler(name, index, context.artifacts(), upstream,
                config.connectTimeout().plus(config.readTimeout()).plusSeconds(5));
    }

    @Override
    public void serve(ProxyRequest request, HttpServletResponse response) throws IOException {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            throw new ProxyError(405, "UNSUPPORTED", "binaryrepo is a read-only cache: " + request.method()
                    + " is not supported (only GET and HEAD)", Map.of("Allow", "GET, HEAD"));
        }
        String path = request.path();
        if (path.equals("index.yaml")) {
            index.serve(PublicUrl.of(publicUrl, request.servletRequest(), name), request.isHead(), response);
        } else if (path.isEmpty()) {
            throw new ProxyError(404, "NOT_FOUND", "a Helm repository serves index.yaml and charts; add it with "
                    + "'helm repo add NAME <this URL>'");
        } else {
            charts.serve(path, ByteRange.headers(request.servletRequest()), request.isHead(), request.servletRequest(),
                    response);
        }
    }

    @Override
    public void writeError(HttpServletResponse response, ProxyError error) throws IOException {
        byte[] body = (error.status() + " " + error.code() + ": " + error.getMessage() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(error.status());
        response.setContentType("text/plain; charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    @Override
    public void close() throws IOException {
        upstream.close();
    }
}
