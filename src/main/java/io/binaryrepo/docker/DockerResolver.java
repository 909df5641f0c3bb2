package io.binaryrepo.docker;

import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.ErrorStyle;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;
import io.binaryrepo.repo.Resource;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One Docker/OCI repository: the pull API paths as resources (manifests and tag lists as documents, blobs as
 * content). Read-only. Errors are OCI error JSON; every answer carries {@code Docker-Distribution-API-Version}.
 * Thread-safe.
 */
final class DockerResolver implements Resolver {
    static final Map<String, String> API_VERSION = Map.of("Docker-Distribution-API-Version", "registry/2.0");
    private static final Set<String> DOCKER_HUB = Set.of("registry-1.docker.io", "index.docker.io", "docker.io",
            "registry.hub.docker.com");

    private final boolean dockerHub;
    private final DockerManifests manifests;
    private final DockerBlobs blobs;
    private final DockerTagLists tagLists;
    private final DockerReferrers referrers;
    private final DockerInventory inventory;

    DockerResolver(RepositoryContext context) {
        this.dockerHub = DOCKER_HUB.contains(context.config().url().getHost().toLowerCase(Locale.ROOT));
        DockerLinks links = new DockerLinks(context.name(), context.storage());
        this.manifests = new DockerManifests(links, context.documents(), context.upstream(),
                context.config().metadataTtl());
        this.blobs = new DockerBlobs(context.name(), links, context.upstream());
        this.tagLists = new DockerTagLists(links, context.upstream(), context.config().metadataTtl());
        this.referrers = new DockerReferrers(links, context.upstream(), context.config().metadataTtl());
        this.inventory = new DockerInventory(context.name(), dockerHub, context.storage(), context.documents());
    }

    @Override
    public Resource resolve(ClientRequest request) {
        DockerPath path = DockerPath.parse(request.path(), request.method());
        switch (path.kind()) {
            case BASE:
                return ping();
            case MANIFEST:
                return manifests.resource(name(path), path, Accept.of(request.headers("Accept")));
            case BLOB:
                return blobs.resource(name(path), path.digest());
            case TAGS:
                return tagLists.resource(name(path), path.name(), request.query(), request.requestPath());
            case REFERRERS:
                return referrers.resource(name(path), path.digest(), request.query());
            default:
                throw new IllegalStateException(path.kind().toString());
        }
    }

    /** {@code GET /v2/}: the API version check every client makes first. */
    static Resource.Fixed ping() {
        return new Resource.Fixed(200, "application/json", Map.of(), "{}".getBytes(StandardCharsets.US_ASCII));
    }

    /** Docker Hub keeps official images under {@code library/}: {@code alpine} means {@code library/alpine}. */
    private String name(DockerPath path) {
        return dockerHub && path.name().indexOf('/') < 0 ? "library/" + path.name() : path.name();
    }

    @Override
    public java.util.Optional<io.binaryrepo.repo.Inventory> inventory() {
        return java.util.Optional.of(inventory);
    }

    @Override
    public ErrorStyle errorStyle() {
        return ErrorStyle.json();
    }

    @Override
    public Map<String, String> headers() {
        return API_VERSION;
    }

    static String scope(String name) {
        return "repository:" + name + ":pull";
    }

    /**
     * Upstream's 404 as {@code notFoundCode}; 401/403 as 403 DENIED: the repository's credentials do not grant
     * pull, and telling the client to log in to binaryrepo would not help.
     */
    static Failures failures(String notFoundCode, String what) {
        return new Failures() {
            @Override
            public String what() {
                return what;
            }

            @Override
            public ProxyError notFound(int status) {
                return new ProxyError(404, notFoundCode, what + " is unknown to the upstream registry");
            }

            @Override
            public ProxyError denied(int status) {
                return new ProxyError(403, "DENIED", "the upstream registry denied access to " + what
                        + " (it does not exist, or this repository's upstream credentials do not grant pull)");
            }
        };
    }
}
