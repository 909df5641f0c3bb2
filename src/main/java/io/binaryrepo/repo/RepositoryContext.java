package io.binaryrepo.repo;

import io.binaryrepo.cache.Storage;
import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.upstream.UpstreamClient;
import java.time.Clock;

/**
 * What a format gets to build one repository's {@link Resolver}; created once per repository by the
 * shared wiring (no global state: two deployments in one JVM share nothing).
 *
 * @param config the repository's configuration, with its per-format {@link RepositoryConfig#options()}
 * @param upstream the repository's upstream client, created once and closed by the shared wiring (formats
 *     never close it)
 * @param storage the cache, for a format's own small records (links, indexes); content and documents are
 *     written by the shared handler, never by formats
 * @param documents the shared document cache, for a format that needs one document to answer another
 * @param clock the time source for TTLs (injected so tests need not sleep)
 */
public record RepositoryContext(RepositoryConfig config, UpstreamClient upstream, Storage storage,
        Documents documents, Clock clock) {

    /** The repository's name. */
    public String name() {
        return config.name();
    }
}
