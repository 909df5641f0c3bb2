package io.binaryrepo.docker;

import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.repo.FormatContext;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.ProxyRequest;
import io.binaryrepo.repo.RepositoryHandler;
import io.binaryrepo.upstream.UpstreamClient;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One Docker/OCI repository: routes pull API paths to the manifest, blob and tag-list handlers.
 * Read-only: every other method is answered 405 UNSUPPORTED. Thread-safe.
 */
final class DockerRepository implements RepositoryHandler {
    private static final Set<String> DOCKER_HUB = Set.of("registry-1.docker.io", "index.docker.io", "docker.io",
            "registry.hub.docker.com");

    private final boolean dockerHub;
    private final UpstreamClient upstream;
    private final ManifestHandler manifests;
    private final BlobHandler blobs;
    private final TagListHandler tagLists;

    DockerRepository(RepositoryConfig config, FormatContext context, UpstreamClient upstream) {
        this.upstream = upstream;
        this.dockerHub = DOCKER_HUB.contains(config.url().getHost().toLowerCase(Locale.ROOT));
        DockerStore store = new DockerStore(config.name(), context.storage());
        this.manifests = new ManifestHandler(config.name(), store, upstream, context.clock(), config.metadataTtl());
        this.blobs = new BlobHandler(config.name(), store, context.artifacts(), upstream,
                config.connectTimeout().plus(config.readTimeout()).plusSeconds(5));
        this.tagLists = new TagListHandler(config.name(), store, upstream, context.clock(), config.metadataTtl());
    }

    @Override
    public void serve(ProxyRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Docker-Distribution-API-Version", "registry/2.0");
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            throw new ProxyError(405, "UNSUPPORTED", "binaryrepo is a read-only pull-through cache: "
                    + request.method() + " is not supported (only GET and HEAD)", Map.of("Allow", "GET, HEAD"));
        }
        DockerPath path = DockerPath.parse(request.path(), request.method());
        boolean head = request.isHead();
        switch (path.kind()) {
            case BASE -> {
                response.setStatus(200);
                response.setContentType("application/json");
                response.setContentLength(2);
                if (!head) {
                    response.getOutputStream().print("{}");
                }
            }
            case MANIFEST -> manifests.serve(name(path), path, Accept.of(request.servletRequest()), head, response);
            case BLOB -> blobs.serve(name(path), path.digest(), request.servletRequest(), head, response);
            case TAGS -> tagLists.serve(name(path), request.servletRequest().getQueryString(), head, response);
            default -> throw new IllegalStateException(path.kind().toString());
        }
    }

    /** Docker Hub keeps official images under {@code library/}: {@code alpine} means {@code library/alpine}. */
    private String name(DockerPath path) {
        return dockerHub && path.name().indexOf('/') < 0 ? "library/" + path.name() : path.name();
    }

    @Override
    public void writeError(HttpServletResponse response, ProxyError error) throws IOException {
        response.setHeader("Docker-Distribution-API-Version", "registry/2.0");
        OciErrors.write(response, error.status(), error.code(), error.getMessage());
    }

    @Override
    public void close() throws IOException {
        upstream.close();
    }
}
