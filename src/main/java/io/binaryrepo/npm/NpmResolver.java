package io.binaryrepo.npm;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.ErrorStyle;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;
import io.binaryrepo.repo.Resource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One npm repository: parses the request ({@link NpmPath}) and says what answers it: packuments and versions
 * ({@link Packuments}), tarballs ({@link Tarballs}), search ({@link Search}), {@code -/ping}, and the
 * {@code npm audit} POSTs ({@link Audit}). Everything else that writes (publish, dist-tag, login) is 405
 * with an npm-style JSON error. Thread-safe.
 */
final class NpmResolver implements Resolver {
    /** The largest packument accepted (the largest public ones are a few tens of MB). */
    static final int MAX_PACKUMENT_BYTES = 128 * 1024 * 1024;
    /** The longest single JSON string accepted inside a packument (a readme). */
    static final int MAX_TOKEN_CHARS = 32 * 1024 * 1024;
    /** How long an upstream "no such package" is remembered. */
    static final Duration NEGATIVE_TTL = Duration.ofMinutes(1);
    /** A missing version asks the packument again only when the cached one is at least this old. */
    static final Duration REFETCH_AGE = Duration.ofSeconds(10);
    private static final byte[] PING = "{}".getBytes(StandardCharsets.UTF_8);
    private static final Map<String, String> READ_ONLY = Map.of("Allow", "GET, HEAD");

    private final Packuments packuments;
    private final Tarballs tarballs;
    private final Search search;
    private final Audit audit;

    NpmResolver(RepositoryContext context) {
        String repo = context.name();
        Duration ttl = context.config().metadataTtl();
        TarballUrls urls = new TarballUrls(context.upstream().base());
        MutableDocuments.Policy policy = new MutableDocuments.Policy(ttl,
                ttl.compareTo(NEGATIVE_TTL) < 0 ? ttl : NEGATIVE_TTL, MAX_PACKUMENT_BYTES);
        this.packuments = new Packuments(repo, context.documents(), policy, REFETCH_AGE, context.upstream(),
                new PackumentScan(urls, MAX_TOKEN_CHARS),
                new PackumentRendering(new PackumentWriter(urls, MAX_TOKEN_CHARS)));
        this.tarballs = new Tarballs(repo, packuments, context.upstream());
        this.search = new Search(repo, context.upstream());
        this.audit = new Audit(repo, context.upstream());
    }

    @Override
    public Resource resolve(ClientRequest request) throws IOException {
        NpmPath path = NpmPath.parse(request.path());
        boolean auditPath = path.kind() == NpmPath.Kind.AUDIT_BULK || path.kind() == NpmPath.Kind.AUDIT_QUICK;
        if (request.method().equals("POST") != auditPath) {
            throw auditPath
                    ? new ProxyError(405, "UNSUPPORTED", "npm audit endpoints answer POST only", Map.of("Allow", "POST"))
                    : new ProxyError(405, "UNSUPPORTED", "binaryrepo is a read-only npm registry cache: "
                            + request.method() + " /" + request.path() + " is not supported (publish to the upstream "
                            + "registry itself)", READ_ONLY);
        }
        switch (path.kind()) {
            case PING:
                return new Resource.Fixed(200, "application/json; charset=utf-8", Map.of("Cache-Control", "no-store"),
                        PING);
            case SEARCH:
                return search.resource(request.query(), request.header("User-Agent"));
            case PACKUMENT:
                return packuments.packument(path.name(), request);
            case VERSION:
                return packuments.version(path.name(), path.item(), request);
            case TARBALL:
                return tarballs.resource(path);
            default:
                return audit.resource(path, request);
        }
    }

    @Override
    public ErrorStyle errorStyle() {
        return e -> new ErrorStyle.Body(NpmErrors.CONTENT_TYPE, NpmErrors.body(e));
    }

    @Override
    public Set<String> methods() {
        // POST only reaches npm audit (checked in resolve); every other write is 405 from the shared handler.
        return Set.of("GET", "HEAD", "POST");
    }
}
