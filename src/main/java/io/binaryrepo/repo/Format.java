package io.binaryrepo.repo;

import io.binaryrepo.config.RepositoryConfig;

/**
 * A package format (Docker/OCI, Helm, Go, ...): the plug-in point of binaryrepo. A format turns a
 * repository's configuration into a {@link RepositoryHandler} that serves its paths, using the shared
 * cache services of {@link FormatContext} for storage, coalescing, streaming and upstream access.
 * Implementations are stateless and thread-safe.
 */
public interface Format {

    /** The {@code type} value in the repositories file, e.g. {@code docker}. */
    String type();

    /** Creates the handler of one configured repository; called once at start-up. */
    RepositoryHandler open(RepositoryConfig config, FormatContext context);
}
