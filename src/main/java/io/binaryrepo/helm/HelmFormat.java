package io.binaryrepo.helm;

import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.FormatContext;
import io.binaryrepo.repo.RepositoryHandler;
import io.binaryrepo.upstream.UpstreamClient;

/** Classic HTTP Helm chart repositories ({@code type: helm}): {@code index.yaml} and charts. Stateless. */
public final class HelmFormat implements Format {

    @Override
    public String type() {
        return "helm";
    }

    @Override
    public RepositoryHandler open(RepositoryConfig config, FormatContext context) {
        return new HelmRepository(config, context, new UpstreamClient(config, context.clock()));
    }
}
