package io.binaryrepo.npm;

import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;

/**
 * npm registries ({@code type: npm}): packuments (full and abbreviated), tarballs, search, ping and
 * {@code npm audit}. Stateless.
 */
public final class NpmFormat implements Format {

    @Override
    public String type() {
        return "npm";
    }

    @Override
    public Resolver open(RepositoryContext context) {
        return new NpmResolver(context);
    }
}
