package io.binaryrepo.helm;

import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;

/** Classic HTTP Helm chart repositories ({@code type: helm}): {@code index.yaml} and charts. Stateless. */
public final class HelmFormat implements Format {

    @Override
    public String type() {
        return "helm";
    }

    @Override
    public Resolver open(RepositoryContext context) {
        return new HelmResolver(context);
    }
}
