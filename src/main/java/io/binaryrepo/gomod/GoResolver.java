package io.binaryrepo.gomod;

import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.config.ConfigException;
import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.ErrorStyle;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;
import io.binaryrepo.upstream.Traffic;
import io.binaryrepo.upstream.UpstreamClient;
import java.util.Map;

/**
 * One Go repository: a GOPROXY for the go command in front of another one (the repository {@code url},
 * e.g. {@code https://proxy.golang.org}), including the checksum database proxy, so a client whose
 * modules are cached still downloads and verifies them while upstream is down. {@code .mod} and
 * {@code .zip} of canonical versions are immutable content; lists, {@code .info} and the checksum
 * database are documents ({@link GoDocuments}); {@code sumdb/<db>/supported} is answered here. Cache
 * entries live under {@code go/<repository>/}. Thread-safe.
 */
final class GoResolver implements Resolver {
    private static final Map<String, String> IMMUTABLE = Map.of("Cache-Control", "public, max-age=31536000, immutable");

    private final String keyPrefix;
    private final UpstreamClient upstream;
    private final GoDocuments documents;
    private final ModuleChecksums checksums;
    private final GoInventory inventory;

    GoResolver(RepositoryContext context) {
        this.keyPrefix = "go/" + context.name() + "/";
        this.upstream = context.upstream();
        this.documents = new GoDocuments(keyPrefix, upstream, context.config().metadataTtl());
        String db = ModuleChecksums.database(context.config().option("sumdb"));
        if (db != null) {
            try {
                GoPath.parse("sumdb/" + db + "/supported");
            } catch (RuntimeException e) {
                throw new ConfigException("repository '" + context.name() + "': field 'sumdb': '" + db
                        + "' is not a checksum database name (a host name, or off)");
            }
        }
        this.checksums = new ModuleChecksums(context.name(), db, context.config().optionList("noSumdb"), documents,
                context.documents());
        this.inventory = new GoInventory(keyPrefix, context.storage(), context.documents());
    }

    @Override
    public Resource resolve(ClientRequest request) {
        GoPath path = GoPath.parse(request.path());
        switch (path.kind()) {
            case SUMDB_SUPPORTED:
                // Tells the go command to reach the checksum database through this proxy (and so through the
                // cache) rather than directly.
                return new Resource.Fixed(200, "text/plain; charset=utf-8", Map.of(), new byte[0]);
            case MOD:
            case ZIP:
                return content(path);
            default:
                return documents.of(path);
        }
    }

    /**
     * {@code .mod} and {@code .zip}: checked for their announced length and, unless the module is exempt, against
     * the checksum database's {@code h1:} hash before they are cached ({@link ModuleChecksums}). Verified files
     * are answered only once verified (a mismatch is a 502, not a cut-off transfer); on a full cache they pass
     * through checked for length only (the go command verifies them against go.sum and the database itself).
     */
    private Resource content(GoPath path) {
        // Keys are per repository, so every download of a key comes from this repository's upstream.
        return new Resource.Content(keyPrefix + path.key(), path.contentType(), IMMUTABLE, keyPrefix,
                Resource.Guard.NONE,
                // The record is asked for once upstream answered the GET (never for a HEAD, which downloads nothing).
                () -> new Resource.Fetch(ContentCheck.sizeOnly(-1),
                        method -> upstream.send(Traffic.forContent(method), method, path.upstreamPath(), Map.of(), null),
                        (answer, planned) -> checksums.check(path, planned)),
                GoErrors.failures(path), checksums.verifies(path.module()));
    }

    @Override
    public java.util.Optional<io.binaryrepo.repo.Inventory> inventory() {
        return java.util.Optional.of(inventory);
    }

    @Override
    public ErrorStyle errorStyle() {
        // The go command shows the body after "server response:"; the status is what it acts on.
        return ErrorStyle.plainText(false);
    }
}
