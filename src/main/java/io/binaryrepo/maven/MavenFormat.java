package io.binaryrepo.maven;

import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;

/**
 * Maven repositories ({@code type: maven}): a read-only caching mirror of a Maven 2 layout repository such
 * as Maven's built-in {@code central} ({@code url: https://<maven central>/maven2}), for clients whose
 * {@code settings.xml} has a {@code <mirror>} pointing at {@code /repo/<name>/}. Stateless.
 */
public final class MavenFormat implements Format {

    @Override
    public String type() {
        return "maven";
    }

    @Override
    public Resolver open(RepositoryContext context) {
        return new MavenResolver(context);
    }
}
