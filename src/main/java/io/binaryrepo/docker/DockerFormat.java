package io.binaryrepo.docker;

import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.ErrorStyle;
import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;
import io.binaryrepo.repo.Resource;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker/OCI distribution pull API ({@code type: docker}). Owns the top-level {@code /v2/} segment, so
 * Docker clients without a frontend address {@code /v2/<repository>/<image>/...}. Stateless.
 */
public final class DockerFormat implements Format {

    @Override
    public String type() {
        return "docker";
    }

    @Override
    public Resolver open(RepositoryContext context) {
        return new DockerResolver(context);
    }

    @Override
    public Optional<Root> root() {
        return Optional.of(new Root("v2", new Resolver() {
            @Override
            public Resource resolve(ClientRequest request) {
                return DockerResolver.ping();
            }

            @Override
            public ErrorStyle errorStyle() {
                return ErrorStyle.json();
            }

            @Override
            public Map<String, String> headers() {
                return DockerResolver.API_VERSION;
            }
        }));
    }
}
