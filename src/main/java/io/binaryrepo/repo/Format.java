package io.binaryrepo.repo;

import java.util.Optional;

/**
 * A package format (Docker/OCI, Helm, Go, ...): the plug-in point of binaryrepo. Formats are discovered
 * with {@link java.util.ServiceLoader} (a line in {@code META-INF/services/io.binaryrepo.repo.Format}), so a
 * new format is one package and one line, and nothing else is edited. A format turns a repository's
 * configuration into a {@link Resolver} that describes what each request asks for; the shared
 * {@link ResourceHandler} serves those descriptions. Implementations are stateless and thread-safe and
 * have a public no-argument constructor.
 */
public interface Format {

    /** The {@code type} value in the repositories file, e.g. {@code docker}. */
    String type();

    /**
     * The per-format fields this format accepts in a repository's entry of the repositories file (beyond the
     * shared ones such as {@code name}, {@code url}, {@code metadataTtl}); their values reach the format as
     * {@link io.binaryrepo.config.RepositoryConfig#options()}. Default: none.
     */
    default java.util.Set<String> options() {
        return java.util.Set.of();
    }

    /** Creates the resolver of one configured repository; called once at start-up. */
    Resolver open(RepositoryContext context);

    /**
     * A top-level path segment this format owns besides {@code /repo/}, with the resolver that answers the
     * segment itself: Docker clients address {@code /v2/} (the API version check) and
     * {@code /v2/<repository>/...}. Requests to {@code /<root>/<repository>/...} go to that repository (which
     * must be of this format) with the path {@code <root>/...}. Default: none.
     */
    default Optional<Root> root() {
        return Optional.empty();
    }

    /**
     * A top-level path segment and the resolver of the segment alone.
     *
     * @param segment e.g. {@code v2}
     * @param resolver answers {@code /<segment>} and {@code /<segment>/}, and gives the error style of
     *     requests under the segment that name no known repository
     */
    record Root(String segment, Resolver resolver) {
    }
}
