package io.binaryrepo.repo;

import io.binaryrepo.config.RepositoryConfig;
import java.io.Closeable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured repositories by name. Built once at start-up; immutable and thread-safe afterwards.
 */
public final class Repositories implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Repositories.class);

    /** A configured repository and its handler. */
    public record Repository(RepositoryConfig config, RepositoryHandler handler) {
        public String name() {
            return config.name();
        }

        public String type() {
            return config.type();
        }
    }

    private final Map<String, Repository> byName;

    /**
     * Opens every configured repository with its format.
     *
     * @throws IllegalArgumentException when a repository's type has no format (config validation
     *     normally catches this first)
     */
    public Repositories(List<RepositoryConfig> configs, List<Format> formats, FormatContext context) {
        Map<String, Format> byType = new LinkedHashMap<>();
        formats.forEach(f -> byType.put(f.type(), f));
        Map<String, Repository> map = new LinkedHashMap<>();
        for (RepositoryConfig c : configs) {
            Format f = byType.get(c.type());
            if (f == null) {
                throw new IllegalArgumentException("repository '" + c.name() + "': no format for type '" + c.type() + "'");
            }
            map.put(c.name(), new Repository(c, f.open(c, context)));
        }
        this.byName = Map.copyOf(map);
    }

    public Optional<Repository> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Repository> all() {
        return List.copyOf(byName.values());
    }

    @Override
    public void close() {
        for (Repository r : byName.values()) {
            try {
                r.handler().close();
            } catch (Exception e) {
                LOG.warn("closing repository {} failed: {}", r.name(), e.toString());
            }
        }
    }
}
