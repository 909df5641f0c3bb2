package io.binaryrepo.gomod;

import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.FormatContext;
import io.binaryrepo.repo.RepositoryHandler;
import io.binaryrepo.upstream.UpstreamClient;

/**
 * Go modules ({@code type: go}): the GOPROXY protocol and the checksum database proxy, in front of
 * another module proxy. Stateless.
 */
public final class GoFormat implements Format {

    @Override
    public String type() {
        return "go";
    }

    @Override
    public RepositoryHandler open(RepositoryConfig config, FormatContext context) {
        return new GoRepository(config, context, new UpstreamClient(config, context.clock()));
    }
}
