package io.binaryrepo.repo;

import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.upstream.UpstreamClient;
import java.io.Closeable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured repositories by name, each with its format's resolver, its shared handler and its
 * upstream client (one per repository, created here once and closed here). Built once at start-up;
 * immutable and thread-safe afterwards.
 */
public final class Repositories implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Repositories.class);

    /**
     * A configured repository.
     *
     * @param inventory what it holds, for the admin API (the format's, else a {@link KeyInventory})
     */
    public record Repository(RepositoryConfig config, ResourceHandler handler, UpstreamClient upstream,
            Inventory inventory) {
        public String name() {
            return config.name();
        }

        public String type() {
            return config.type();
        }
    }

    /**
     * The services every repository shares.
     *
     * @param events gives each repository its metrics hooks ({@link RequestEvents.Factory#NONE}: none)
     */
    public record Services(Storage storage, Downloads downloads, MutableDocuments documents, Clock clock,
            RequestEvents.Factory events) {
        public Services(Storage storage, Downloads downloads, MutableDocuments documents, Clock clock) {
            this(storage, downloads, documents, clock, RequestEvents.Factory.NONE);
        }
    }

    private final Map<String, Repository> byName;
    private final Map<String, ResourceHandler> roots;
    private final Map<String, String> rootTypes;

    /**
     * Opens every configured repository with its format.
     *
     * @throws IllegalArgumentException when a repository's type has no format (config validation
     *     normally catches this first)
     */
    public Repositories(List<RepositoryConfig> configs, List<Format> formats, Services services) {
        Map<String, Format> byType = new LinkedHashMap<>();
        Map<String, ResourceHandler> rootMap = new LinkedHashMap<>();
        Map<String, String> rootTypeMap = new LinkedHashMap<>();
        for (Format f : formats) {
            byType.put(f.type(), f);
            f.root().ifPresent(r -> {
                rootMap.put(r.segment(), new ResourceHandler(r.resolver(), services.storage(), services.downloads(),
                        ResourceHandler.documents(services.documents()), java.time.Duration.ofSeconds(1)));
                rootTypeMap.put(r.segment(), f.type());
            });
        }
        Documents documents = ResourceHandler.documents(services.documents());
        Map<String, Repository> map = new LinkedHashMap<>();
        for (RepositoryConfig c : configs) {
            Format f = byType.get(c.type());
            if (f == null) {
                throw new IllegalArgumentException("repository '" + c.name() + "': no format for type '" + c.type() + "'");
            }
            UpstreamClient upstream = new UpstreamClient(c, services.clock());
            upstream.events(services.events().upstream(c));
            Resolver resolver = f.open(new RepositoryContext(c, upstream, services.storage(), documents,
                    services.clock()));
            ResourceHandler handler = new ResourceHandler(resolver, services.storage(), services.downloads(),
                    documents, c.connectTimeout().plus(c.readTimeout()).plusSeconds(5), services.events().requests(c));
            Inventory inventory = resolver.inventory().orElseGet(() -> new KeyInventory(c.type() + "/" + c.name() + "/",
                    services.storage(), documents));
            map.put(c.name(), new Repository(c, handler, upstream, inventory));
        }
        this.byName = Map.copyOf(map);
        this.roots = Map.copyOf(rootMap);
        this.rootTypes = Map.copyOf(rootTypeMap);
    }

    /** The formats on the class path (a line each in {@code META-INF/services/io.binaryrepo.repo.Format}). */
    public static List<Format> discoverFormats(ClassLoader loader) {
        List<Format> list = new ArrayList<>();
        ServiceLoader.load(Format.class, loader).forEach(list::add);
        list.sort((a, b) -> a.type().compareTo(b.type()));
        return List.copyOf(list);
    }

    public Optional<Repository> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Repository> all() {
        return List.copyOf(byName.values());
    }

    /** The handler of a format-owned top-level segment (Docker's {@code v2}), if a format owns it. */
    public Optional<ResourceHandler> rootHandler(String segment) {
        return Optional.ofNullable(roots.get(segment));
    }

    /** The format type owning a top-level segment. */
    public Optional<String> rootType(String segment) {
        return Optional.ofNullable(rootTypes.get(segment));
    }

    @Override
    public void close() {
        for (Repository r : byName.values()) {
            try {
                r.upstream().close();
            } catch (Exception e) {
                LOG.warn("closing repository {} failed: {}", r.name(), e.toString());
            }
        }
    }
}
