package io.binaryrepo.upstream;

import io.binaryrepo.config.AllowedHost;
import io.binaryrepo.config.RepositoryConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Repository configurations for upstream-client tests. */
final class Upstreams {
    private Upstreams() {
    }

    /** Anonymous repository {@code r} for {@code url}, allowing {@code allowed} (allowedHosts entries). */
    static RepositoryConfig config(String url, String... allowed) {
        return withCredentials(url, null, null, allowed);
    }

    static RepositoryConfig withCredentials(String url, String user, String password, String... allowed) {
        List<AllowedHost> hosts = Arrays.stream(allowed).map(AllowedHost::parse).toList();
        return new RepositoryConfig("r", "docker", URI.create(url), user, password, Duration.ofMinutes(5),
                Duration.ofSeconds(2), Duration.ofSeconds(10), java.util.Map.of(), hosts);
    }
}
