package io.binaryrepo.docker;

import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.FormatContext;
import io.binaryrepo.repo.RepositoryHandler;
import io.binaryrepo.upstream.UpstreamClient;

/** The Docker/OCI distribution pull API ({@code type: docker}). Stateless. */
public final class DockerFormat implements Format {

    @Override
    public String type() {
        return "docker";
    }

    @Override
    public RepositoryHandler open(RepositoryConfig config, FormatContext context) {
        return new DockerRepository(config, context, new UpstreamClient(config, context.clock()));
    }
}
