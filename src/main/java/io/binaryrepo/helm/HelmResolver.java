package io.binaryrepo.helm;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.ErrorStyle;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;
import io.binaryrepo.repo.Resource;
import java.io.IOException;
import java.time.Duration;

/**
 * One Helm chart repository: {@code index.yaml} ({@link HelmIndex}) and the charts it lists
 * ({@link HelmCharts}). Errors are plain text (Helm shows only the status). Thread-safe.
 */
final class HelmResolver implements Resolver {
    /** An index larger than this is refused (the largest public indexes are a few tens of MB). */
    static final int MAX_INDEX_BYTES = 256 * 1024 * 1024;
    /** How long an upstream "no index.yaml" is remembered. */
    private static final Duration NEGATIVE_TTL = Duration.ofMinutes(1);

    private final String name;
    private final HelmIndex index;
    private final HelmCharts charts;
    private final HelmInventory inventory;

    HelmResolver(RepositoryContext context) {
        this.name = context.name();
        Duration ttl = context.config().metadataTtl();
        Duration negative = ttl.compareTo(NEGATIVE_TTL) < 0 ? ttl : NEGATIVE_TTL;
        this.index = new HelmIndex(name, context.documents(),
                new MutableDocuments.Policy(ttl, negative, MAX_INDEX_BYTES), context.upstream());
        this.charts = new HelmCharts(name, index, context.upstream(), context.storage(), ttl);
        this.inventory = new HelmInventory(name, index, context.storage(), context.documents());
    }

    @Override
    public Resource resolve(ClientRequest request) throws IOException {
        String path = request.path();
        if (path.equals("index.yaml")) {
            return index.resource(PublicUrl.of(request.baseUrl(), name));
        }
        if (path.isEmpty()) {
            throw new ProxyError(404, "NOT_FOUND", "a Helm repository serves index.yaml and charts; add it with "
                    + "'helm repo add NAME <this URL>'");
        }
        return charts.resource(path);
    }

    @Override
    public java.util.Optional<io.binaryrepo.repo.Inventory> inventory() {
        return java.util.Optional.of(inventory);
    }

    @Override
    public ErrorStyle errorStyle() {
        return ErrorStyle.plainText(true);
    }
}
