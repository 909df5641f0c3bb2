package io.binaryrepo.maven;

import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.ErrorStyle;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;
import io.binaryrepo.repo.Resource;
import java.io.IOException;
import java.time.Duration;

/**
 * One Maven repository: release artifacts and timestamped snapshot files are immutable content
 * ({@link MavenArtifacts}: verified against upstream's checksum before commit), {@code maven-metadata.xml}
 * at every level and non-timestamped snapshot files are documents ({@link MavenDocuments}: {@code metadataTtl},
 * revalidation, stale if error), checksum files are answered from the bytes binaryrepo serves, directory
 * listings are passed through uncached. Deploys ({@code PUT}) are refused with 405 by the shared handler
 * (only GET and HEAD are declared). Client {@code Cache-Control}/{@code Pragma} are never consulted: Maven
 * sends {@code no-cache} on every request, release jars included. Entries live under
 * {@code maven/<repository>/}. Thread-safe.
 */
final class MavenResolver implements Resolver {
    /** Negative answers are kept at most this long, however long the metadata TTL is. */
    static final Duration MAX_NEGATIVE_TTL = Duration.ofMinutes(1);

    private final MavenArtifacts artifacts;
    private final MavenDocuments documents;

    MavenResolver(RepositoryContext context) {
        String keyPrefix = "maven/" + context.name() + "/";
        Duration ttl = context.config().metadataTtl();
        Duration negative = ttl.compareTo(MAX_NEGATIVE_TTL) < 0 ? ttl : MAX_NEGATIVE_TTL;
        this.artifacts = new MavenArtifacts(keyPrefix, context.upstream(), context.storage(),
                new RecentNotFound(context.clock(), negative));
        this.documents = new MavenDocuments(keyPrefix, context.upstream(), ttl, negative);
    }

    @Override
    public Resource resolve(ClientRequest request) throws IOException {
        MavenPath path = MavenPath.parse(request.path());
        switch (path.kind()) {
            case ARTIFACT:
                return artifacts.content(path);
            case CHECKSUM:
                return path.target().immutable() ? artifacts.checksum(path) : documents.checksum(path);
            case LISTING:
                return documents.listing(path);
            default:
                return documents.document(path);
        }
    }

    @Override
    public ErrorStyle errorStyle() {
        // Maven acts on the status alone; mvn -X shows the text.
        return ErrorStyle.plainText(false);
    }

    static io.binaryrepo.repo.Failures failures(MavenPath path) {
        return io.binaryrepo.repo.Failures.of("NOT_FOUND", path.path(), ": not found upstream", false);
    }
}
