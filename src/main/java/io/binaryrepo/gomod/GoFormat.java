package io.binaryrepo.gomod;

import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;

/**
 * Go modules ({@code type: go}): the GOPROXY protocol and the checksum database proxy, in front of
 * another module proxy. Stateless.
 */
public final class GoFormat implements Format {

    @Override
    public String type() {
        return "go";
    }

    /** {@code sumdb}: the checksum database the module files are verified against; {@code noSumdb}: patterns. */
    @Override
    public java.util.Set<String> options() {
        return java.util.Set.of("sumdb", "noSumdb");
    }

    @Override
    public Resolver open(RepositoryContext context) {
        return new GoResolver(context);
    }
}
